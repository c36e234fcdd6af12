/**
 * The CommonMark spec's 652 examples and the GFM spec's table, strikethrough and autolink examples,
 * rendered for every platform: the visible text equals markdown-it's own (test/markdown/reference.ts)
 * on at least 620 CommonMark examples and on every GFM one; every message is valid markup for its
 * platform and within its limit, also when split small. `MARKDOWN_CORPUS_REPORT=1` prints the counts
 * and the examples that differ.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseMarkdown } from '../../src/core/markdown/index.ts';
import { type Platform, platforms, squeeze } from '../markdown/platforms.ts';
import { referenceVisible } from '../markdown/reference.ts';

interface Example {
  section: string;
  markdown: string;
  number?: number;
}

const commonmark = (createRequire(import.meta.url)('commonmark-spec') as { tests: Example[] }).tests.map(
  (t) => ({
    ...t,
    // The spec writes tabs as →.
    markdown: t.markdown.replaceAll('→', '\t'),
  }),
);
const gfm = (
  JSON.parse(readFileSync(new URL('../markdown/gfm-examples.json', import.meta.url), 'utf8')) as {
    examples: Example[];
  }
).examples.filter((e) => e.section !== 'tasklist');

/** Decoration the bridge adds that the reference does not have: bullets, a table grid's lines. */
const DECORATION = /[•│─┼]/g;
/** A small limit, so that most examples are split. */
const SMALL = 40;

function visible(p: Platform, chunks: string[], limit: number): string {
  let shown = '';
  for (const chunk of chunks) {
    expect(chunk.length).toBeLessThanOrEqual(limit);
    const text = p.check(chunk);
    expect(text.replace(/\u200b/g, '').trim(), chunk).not.toBe('');
    shown += `${text}\n`;
  }
  return squeeze(shown, p.drop).replace(DECORATION, '');
}

/** Examples whose visible text differs from the reference's; every message checked valid on the way. */
function differing(p: Platform, examples: readonly Example[]): Example[] {
  const out: Example[] = [];
  for (const example of examples) {
    const expected = squeeze(referenceVisible(example.markdown), p.drop).replace(DECORATION, '');
    const whole = visible(p, p.render(example.markdown), p.limit);
    // Split small, the pieces still hold the same text, each valid on its own (a table may turn
    // into "header: value" lines, narrower than its grid).
    const split = visible(p, p.render(example.markdown, SMALL), SMALL);
    if (!JSON.stringify(parseMarkdown(example.markdown)).includes('"type":"table"')) {
      expect(split, example.markdown).toBe(whole);
    }
    if (whole !== expected && !(expected === '' && whole === squeeze(example.markdown, p.drop)))
      out.push(example);
  }
  return out;
}

function report(name: string, total: number, differ: readonly Example[]): void {
  if (!process.env.MARKDOWN_CORPUS_REPORT) return;
  const which = differ.map((e) => e.number ?? JSON.stringify(e.markdown)).join(', ');
  process.stderr.write(`${name}: ${total - differ.length}/${total} as the reference; differ: ${which}\n`);
}

describe.each(platforms)('spec corpus on $name', (p) => {
  it('shows what the reference shows on at least 620 of the 652 CommonMark examples', () => {
    expect(commonmark).toHaveLength(652);
    const differ = differing(p, commonmark);
    report(`${p.name} CommonMark`, commonmark.length, differ);
    expect(commonmark.length - differ.length).toBeGreaterThanOrEqual(620);
  });

  it('shows what the reference shows on every GFM table, strikethrough and autolink example', () => {
    const differ = differing(p, gfm);
    report(`${p.name} GFM`, gfm.length, differ);
    expect(differ.map((e) => e.markdown)).toEqual([]);
  });
});
