import { describe, expect, it } from 'vitest';
import { plainTelegram, renderTelegram, TELEGRAM_MAX_MESSAGE } from '../../adapters/telegram/format.ts';
import { splitText } from '../../src/core/split.ts';
import { parseHtml } from '../fakes/telegram-wire.ts';

/** One message, as the fake Bot API (which parses HTML like Telegram) would accept it. */
function accepted(html: string): string {
  const plain = parseHtml(html);
  expect(plain.trim()).not.toBe('');
  return plain;
}

const one = (markdown: string): string => {
  const chunks = renderTelegram(markdown);
  expect(chunks).toHaveLength(1);
  accepted(chunks[0] as string);
  return chunks[0] as string;
};

describe('renderTelegram', () => {
  it('writes bold, italic, strike, code and links as Telegram HTML', () => {
    expect(one('**b** *i* ~~s~~ `c` [l](https://a.b)')).toBe(
      '<b>b</b> <i>i</i> <s>s</s> <code>c</code> <a href="https://a.b">l</a>',
    );
    expect(one('**bold _italic_**')).toBe('<b>bold <i>italic</i></b>');
  });

  it('escapes <, > and & of the text, and nothing else', () => {
    expect(one('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(one('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(one(`It's "quoted"`)).toBe(`It's "quoted"`);
  });

  it('shows unbalanced markers as the characters they are', () => {
    const md = 'a **b and _c and `d and ~~e';
    expect(one(md)).toBe(md);
    expect(one('2 * 3 = 6, snake_case, `')).toBe('2 * 3 = 6, snake_case, `');
  });

  it('writes headings as bold lines, without bold inside bold', () => {
    expect(one('# Title with **bold**\n\ntext\n\n#### Small')).toBe(
      '<b>Title with bold</b>\n\ntext\n\n<b>Small</b>',
    );
  });

  it('writes lists as bullet and number lines, indenting nested ones', () => {
    expect(one('- one\n- two\n  - nested\n    1. deep\n3. three\n4. four')).toBe(
      '• one\n• two\n  • nested\n    1. deep\n\n3. three\n4. four',
    );
  });

  it('writes quotes as one blockquote (Telegram does not nest them)', () => {
    expect(one('> outer\n> > inner\n\nafter')).toBe('<blockquote>outer\n\ninner</blockquote>\n\nafter');
  });

  it('writes code blocks as pre, with the language and escaped content', () => {
    expect(one('```python\nif a < b:\n    print("&")\n```')).toBe(
      '<pre><code class="language-python">if a &lt; b:\n    print("&amp;")</code></pre>',
    );
    expect(one('```\nplain\n```')).toBe('<pre>plain</pre>');
  });

  it('escapes ampersands in link addresses, percent-encodes quotes and keeps parentheses', () => {
    // markdown-it normalizes an address (percent-encoding what a URL may not hold), then it is escaped.
    expect(one('[w](https://en.wikipedia.org/wiki/A_(b)?x=1&y="2")')).toBe(
      '<a href="https://en.wikipedia.org/wiki/A_(b)?x=1&amp;y=%222%22">w</a>',
    );
    expect(one('[x](javascript:alert(1)) [y](/relative)')).toBe('x y');
    expect(one('see https://x.y/?a=1&b=2')).toBe('see https://x.y/?a=1&amp;b=2');
  });

  it('decodes entities, resolves reference links and writes images as links to them', () => {
    expect(one('R&amp;D &copy; [docs][1] ![a chart](https://x.y/c.png)\n\n[1]: https://x.y/docs')).toBe(
      'R&amp;D © <a href="https://x.y/docs">docs</a> <a href="https://x.y/c.png">a chart</a>',
    );
    expect(one('    indented code\n\nline one\\\nline two')).toBe(
      '<pre>indented code</pre>\n\nline one\nline two',
    );
  });

  it('writes task items with boxes and a table as an aligned grid', () => {
    expect(one('- [x] done\n- [ ] todo')).toBe('☑ done\n☐ todo');
    expect(one('| 😀 | b |\n|:-:|---|\n| x | &lt;y&gt; |')).toBe(
      '<pre>😀 │ b\n───┼────\nx  │ &lt;y&gt;</pre>',
    );
  });

  it('passes emoji and right-to-left text through', () => {
    const md = 'Hi 👨‍👩‍👧 🇫🇷 — שלום עולם — مرحبا بالعالم';
    expect(one(md)).toBe(md);
  });

  it('splits plain paragraphs exactly as splitText does', () => {
    const paragraph = (n: number) => `Paragraph ${n}: ${'lorem ipsum dolor sit amet '.repeat(40).trim()}`;
    const long = Array.from({ length: 12 }, (_, i) => paragraph(i + 1)).join('\n\n');
    expect(renderTelegram(long)).toEqual(splitText(long, TELEGRAM_MAX_MESSAGE));
  });

  it('splits a 10,000-character code block into closed and reopened code blocks', () => {
    const lines = Array.from({ length: 500 }, (_, i) => `  line(${i}) && x < y;`);
    const code = lines.join('\n');
    expect(code.length).toBeGreaterThan(10_000);
    const chunks = renderTelegram(`Intro.\n\n\`\`\`js\n${code}\n\`\`\``);
    // The blank line before the block is the strongest cut within reach, as in splitText.
    expect(chunks[0]).toBe('Intro.');
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    const shown: string[] = [];
    for (const [i, chunk] of chunks.slice(1).entries()) {
      expect(chunk.length).toBeLessThanOrEqual(TELEGRAM_MAX_MESSAGE);
      if (i < chunks.length - 2) expect(chunk.length).toBeGreaterThan(TELEGRAM_MAX_MESSAGE - 50);
      expect(chunk).toMatch(/^<pre><code class="language-js">[\s\S]*<\/code><\/pre>$/);
      shown.push(accepted(chunk));
    }
    // Cut at line breaks; the indentation of the next line survives the cut.
    expect(shown.join('\n')).toBe(code);
  });

  it('closes a span at a cut and reopens it in the next message', () => {
    const chunks = renderTelegram(`**${'bold words '.repeat(30).trim()}** after`, 100);
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks.slice(0, -1)) expect(chunk).toMatch(/^<b>.*<\/b>$/);
    expect(chunks.at(-1)).toMatch(/^<b>.*<\/b> after$/);
    expect(chunks.map(accepted).join(' ')).toBe(`${'bold words '.repeat(30).trim()} after`);
  });

  it('never cuts inside an entity', () => {
    const md = '&<>'.repeat(200);
    for (const limit of [7, 8, 9, 10, 11, 50]) {
      const chunks = renderTelegram(md, limit);
      for (const chunk of chunks) {
        expect(chunk.length).toBeLessThanOrEqual(limit);
        expect(chunk).toMatch(/^(?:&amp;|&lt;|&gt;)+$/);
      }
      expect(chunks.map(accepted).join('')).toBe(md);
    }
  });

  it('returns nothing for blank text, and shows an empty code block as its source', () => {
    expect(renderTelegram('  \n\n ')).toEqual([]);
    expect(renderTelegram('```\n\n```')).toEqual(['```\n\n```']);
  });
});

describe('plainTelegram', () => {
  it('drops tags and decodes entities', () => {
    const html = renderTelegram('**Fix**: `a < b && c`\n\n```js\nx > 1\n```\n\n<script>')[0] as string;
    expect(plainTelegram(html)).toBe('Fix: a < b && c\n\nx > 1\n\n<script>');
  });

  it('keeps a link address after its text, and a bare URL once', () => {
    expect(plainTelegram('<a href="https://x.y/?a=1&amp;b=2">docs</a> and https://z.w')).toBe(
      'docs (https://x.y/?a=1&b=2) and https://z.w',
    );
    expect(plainTelegram('<a href="https://z.w">https://z.w</a>')).toBe('https://z.w');
  });

  it('leaves text that only looks like markup alone', () => {
    expect(plainTelegram('a &lt;b&gt; &amp;amp; &#128512; &bogus; 5 > 3')).toBe(
      'a <b> &amp; 😀 &bogus; 5 > 3',
    );
  });
});
