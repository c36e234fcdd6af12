/**
 * Round-trip properties of the three renderers over random Markdown-ish text: every chunk within the
 * limit, none blank, each one's markup valid on its own, and no visible character lost, added or
 * reordered (compared with the parser's own plain-text rendering, whitespace aside).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMarkdown, toPlainText } from '../../src/core/markdown/index.ts';
import { type Platform, platforms, squeeze } from '../markdown/platforms.ts';

const fragment = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom('word', 'Hello', 'snake_case', 'x', 'ok.', 'ünï', '42', '(a)', "it's", '"q"'),
  },
  { weight: 2, arbitrary: fc.constantFrom('😀', '👨‍👩‍👧', '🇫🇷', 'שלום', 'مرحبا', 'é') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '<',
      '>',
      '&',
      '&amp;',
      '<script>',
      'a < b && c > d',
      '<!channel>',
      '<@U123>',
      '@everyone',
      '@here',
      '<@&42>',
    ),
  },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      '*',
      '**',
      '_',
      '__',
      '~~',
      '~',
      '`',
      '``',
      '\\',
      '[',
      ']',
      '](https://x.y/a_(b)?c=1&d=2)',
      '](',
      ')',
      '|',
      '#',
      '1.',
      '-',
    ),
  },
  {
    weight: 5,
    arbitrary: fc.constantFrom(
      ' ',
      ' ',
      ' ',
      '\n',
      '\n\n',
      '\n- ',
      '\n  - ',
      '\n1. ',
      '\n> ',
      '\n# ',
      '\n### ',
      '\n---\n',
      '\n    ',
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '\n```\n',
      '\n```js\n',
      '\n~~~\n',
      'https://example.com/a_b?x=1&y=2',
      '<https://a.b>',
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('x', 'word ', 'a&b ', '**b** ', '😀', 'line\n', '\n\n', '`c` ', '<'),
        fc.integer({ min: 20, max: 700 }),
      )
      .map(([s, n]) => s.repeat(n)),
  },
);

// 'medium': a few thousand characters on average, so most inputs are split even at the platform limits.
const markdownish = fc.array(fragment, { maxLength: 200, size: 'medium' }).map((parts) => parts.join(''));

function expectRoundTrip(p: Platform, markdown: string, limit: number): void {
  const chunks = p.render(markdown, limit);
  let shown = '';
  for (const chunk of chunks) {
    expect(chunk.length).toBeLessThanOrEqual(limit);
    const visible = p.check(chunk);
    expect(visible.replace(/\u200b/g, '').trim()).not.toBe('');
    shown += `${visible}\n`;
  }
  const blocks = parseMarkdown(markdown);
  const plain = toPlainText(blocks);
  if (plain.trim() === '') return; // nothing visible: the source is shown as text instead
  // A table shows as a grid (`│`, `─┼─`) or as "header: value" lines, which repeat the headers:
  // test/unit/markdown-spec.test.ts compares those.
  if (JSON.stringify(blocks).includes('"type":"table"')) return;
  expect(squeeze(shown, p.drop)).toBe(squeeze(plain, p.drop));
}

describe.each(platforms)('$name rendering', (p) => {
  it('keeps chunks within the limit, valid, non-blank and faithful at the platform limit', () => {
    fc.assert(
      fc.property(markdownish, (markdown) => expectRoundTrip(p, markdown, p.limit)),
      { numRuns: 200 },
    );
  });

  it('does the same at small limits, where most inputs are split', () => {
    fc.assert(
      fc.property(markdownish, fc.integer({ min: 200, max: 700 }), (markdown, limit) =>
        expectRoundTrip(p, markdown, limit),
      ),
      { numRuns: 300 },
    );
  });
});
