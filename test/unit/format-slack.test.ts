import { describe, expect, it } from 'vitest';
import { renderSlack, SLACK_MAX_MESSAGE } from '../../adapters/slack/format.ts';

const one = (markdown: string): string => {
  const chunks = renderSlack(markdown);
  expect(chunks).toHaveLength(1);
  return chunks[0] as string;
};

describe('renderSlack', () => {
  it('writes mrkdwn', () => {
    expect(one('**b** *i* ~~s~~ `c`')).toBe('*b* _i_ ~s~ `c`');
    expect(one('**bold _italic_**')).toBe('*bold _italic_*');
    expect(one('# Title **b**\n\ntext')).toBe('*Title b*\n\ntext');
    expect(one('> quoted\n> more\n\nafter')).toBe('> quoted\n> more\n\nafter');
    expect(one('- a\n  - b\n1. c')).toBe('• a\n  • b\n\n1. c');
    expect(one('```js\nx\n```')).toBe('```\nx\n```');
  });

  it('escapes &, < and > so the agent cannot ping anyone', () => {
    expect(one('<!channel> <!here> <@U123> <#C1|general>')).toBe(
      '&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;#C1|general&gt;',
    );
    expect(one('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(one('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(one('`<!channel>`')).toBe('`&lt;!channel&gt;`');
    expect(one(`It's "quoted"`)).toBe(`It's "quoted"`);
  });

  it('writes links as <url|text>, escaping the address', () => {
    expect(one('[w](https://en.wikipedia.org/wiki/A_(b)?x=1&y=2)')).toBe(
      '<https://en.wikipedia.org/wiki/A_(b)?x=1&amp;y=2|w>',
    );
    expect(one('[a **b** <c>](https://x.y/a|b)')).toBe('<https://x.y/a%7Cb|a b &lt;c&gt;>');
    expect(one('[x](javascript:alert(1)) and https://x.y/?a=1&b=2')).toBe('x and https://x.y/?a=1&amp;b=2');
  });

  it('fences off literal markers with a zero-width space, so Slack cannot pair them', () => {
    expect(one('a **b and _c and `d')).toBe('a \u200b**b and \u200b_c and `d');
    expect(one('Use \\*asterisks\\* here')).toBe('Use \u200b*asterisks*\u200b here');
    expect(one('snake_case_name, 5 * 3 and 2*3*4 = 24')).toBe('snake_case_name, 5 * 3 and 2*3*4 = 24');
  });

  it('closes bold at a line break and reopens it after, as Slack needs', () => {
    expect(one('**Note:\nthis is bold**')).toBe('*Note:*\n*this is bold*');
    expect(one('_a **b\nc** d_')).toBe('_a *b*_\n_*c* d_');
  });

  it('keeps a code block inside a list item at the margin', () => {
    expect(one('1. Run:\n\n   ```sh\n   npm ci\n   npm test\n   ```\n2. Done')).toBe(
      '1. Run:\n   ```\nnpm ci\nnpm test\n```\n2. Done',
    );
  });

  it('breaks up runs of backticks that would open a code block', () => {
    expect(one('a ``` b')).toBe('a `\u200b`\u200b` b');
  });

  it('passes emoji and right-to-left text through', () => {
    const md = 'Hi 👨‍👩‍👧 🇫🇷 — שלום עולם — مرحبا بالعالم';
    expect(one(md)).toBe(md);
  });

  it('splits a long code block into closed blocks', () => {
    const code = Array.from({ length: 500 }, (_, i) => `  echo ${i} > /tmp/x && true`).join('\n');
    const chunks = renderSlack(`\`\`\`sh\n${code}\n\`\`\``);
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(SLACK_MAX_MESSAGE);
      expect(chunk).toMatch(/^```\n {2}echo \d+[\s\S]*\n```$/);
    }
    const body = chunks.map((c) => c.slice(4, -4).replaceAll('&gt;', '>').replaceAll('&amp;', '&'));
    expect(body.join('\n')).toBe(code);
  });

  it('reopens a quote and bold at the start of the next message', () => {
    const chunks = renderSlack(`> **${'word '.repeat(60).trim()}**`, 120);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) expect(chunk).toMatch(/^> \*word[a-z ]*\*$/);
  });
});
