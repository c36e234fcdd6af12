/**
 * The parser layer: markdown-it's tokens read into the block/inline model, with the bridge's own
 * rules (literal `2*3*4`, safe links only, deep input as text), and bounded on hostile input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderDiscord } from '../../adapters/discord/format.ts';
import { renderSlack } from '../../adapters/slack/format.ts';
import { renderTelegram } from '../../adapters/telegram/format.ts';
import { type Block, type Inline, parseMarkdown, toPlainText } from '../../src/core/markdown/index.ts';
import { createParser } from '../../src/core/markdown/parser.ts';

const text = (t: string): Inline => ({ type: 'text', text: t });
const para = (...children: Inline[]): Block => ({ type: 'paragraph', children });
const item = (...blocks: Block[]) => ({ blocks, done: null });
const inline = (markdown: string): Inline[] => {
  const [block] = parseMarkdown(markdown);
  return block?.type === 'paragraph' ? block.children : [];
};

/** Depth of the deepest nesting of inline nodes. */
function inlineDepth(nodes: Inline[]): number {
  let max = 0;
  for (const n of nodes) if ('children' in n) max = Math.max(max, 1 + inlineDepth(n.children));
  return max;
}

describe('parseMarkdown: inline', () => {
  it('reads bold, italic, strike, code and links, nested', () => {
    expect(inline('**bold _italic_** ~~gone~~ `x<y` [a](https://a.b)')).toEqual([
      { type: 'strong', children: [text('bold '), { type: 'em', children: [text('italic')] }] },
      text(' '),
      { type: 'strike', children: [text('gone')] },
      text(' '),
      { type: 'code', text: 'x<y' },
      text(' '),
      { type: 'link', href: 'https://a.b', children: [text('a')] },
    ]);
    expect(inline('__b__ *i* _i_ ***both***')).toEqual([
      { type: 'strong', children: [text('b')] },
      text(' '),
      { type: 'em', children: [text('i')] },
      text(' '),
      { type: 'em', children: [text('i')] },
      text(' '),
      { type: 'em', children: [{ type: 'strong', children: [text('both')] }] },
    ]);
  });

  it('keeps unbalanced or intraword markers as text, and an asterisk between digits or letters', () => {
    expect(inline('a **b and _c and `d and ~~e')).toEqual([text('a **b and _c and `d and ~~e')]);
    expect(inline('snake_case_name and 5 * 3 and ~5 min')).toEqual([
      text('snake_case_name and 5 * 3 and ~5 min'),
    ]);
    expect(inline('Area: 2*3*4 = 24, a*b*c')).toEqual([text('Area: 2*3*4 = 24, a*b*c')]);
    expect(inline('\\*not em\\* and \\[not link](x)')).toEqual([text('*not em* and [not link](x)')]);
  });

  it('decodes entities and reads reference links and images', () => {
    expect(inline('R&amp;D &copy; &#35;1 &bogus;')).toEqual([text('R&D © #1 &bogus;')]);
    const [p] = parseMarkdown(
      'See [the docs][d] and ![a cat](https://c.at/x.png).\n\n[d]: https://docs.x "Docs"',
    );
    expect(p).toEqual(
      para(
        text('See '),
        { type: 'link', href: 'https://docs.x', children: [text('the docs')] },
        text(' and '),
        { type: 'link', href: 'https://c.at/x.png', children: [text('a cat')] },
        text('.'),
      ),
    );
  });

  it('reads URLs with parentheses and ampersands, autolinks, bare URLs, www. and e-mail addresses', () => {
    expect(inline('[w](https://en.wikipedia.org/wiki/Foo_(bar)?a=1&b=2)')).toEqual([
      { type: 'link', href: 'https://en.wikipedia.org/wiki/Foo_(bar)?a=1&b=2', children: [text('w')] },
    ]);
    const url = 'https://x.y/a_b_(c)?d=1&e=2';
    expect(inline(`see ${url}. Or <https://z.w>.`)).toEqual([
      text('see '),
      { type: 'link', href: url, children: [text(url)], auto: true },
      text('. Or '),
      { type: 'link', href: 'https://z.w', children: [text('https://z.w')], auto: true },
      text('.'),
    ]);
    expect(inline('www.example.com, <ops@example.com> and main.py')).toEqual([
      { type: 'link', href: 'http://www.example.com', children: [text('www.example.com')], auto: true },
      text(', '),
      { type: 'link', href: 'mailto:ops@example.com', children: [text('ops@example.com')], auto: true },
      text(' and main.py'),
    ]);
  });

  it('normalizes addresses as markdown-it does, on its fast path too', () => {
    const ours = createParser();
    const reference = createParser({ reference: true });
    for (const url of [
      'https://a.b/c_(d)?e=1&f=2#g',
      'HTTPS://Example.COM/A%20b',
      'https://a.b/c%zz',
      'https://münchen.de/straße',
      'https://a.b/x y"z[1]',
      'mailto:Ana@Example.com',
      'www.example.co.id',
    ]) {
      expect(ours.normalizeLink(url), url).toBe(reference.normalizeLink(url));
      expect(ours.normalizeLinkText(url), url).toBe(reference.normalizeLinkText(url));
    }
  });

  it('keeps only http, https and mailto links: others are their text', () => {
    expect(inline('[click](javascript:alert(1))')).toEqual([text('click')]);
    expect(inline('<tg://user?id=1> ![x](file:///etc/passwd)')).toEqual([text('<tg://user?id=1> x')]);
  });

  it('treats HTML as text', () => {
    expect(inline('<script>alert(1)</script> a < b && c > d')).toEqual([
      text('<script>alert(1)</script> a < b && c > d'),
    ]);
  });

  it('keeps every line break and hard break', () => {
    expect(inline('one  \ntwo\\\nthree\n  four')).toEqual([
      text('one'),
      { type: 'break' },
      text('two'),
      { type: 'break' },
      text('three'),
      { type: 'break' },
      text('four'),
    ]);
  });
});

describe('parseMarkdown: blocks', () => {
  it('reads headings, rules, quotes, fenced and indented code', () => {
    expect(
      parseMarkdown(
        '# Title #\nSub\n---\n\n* * *\n\n> quoted\ncontinued\n\n~~~py\n  x = 1\n~~~\n\n    indented\n      code',
      ),
    ).toEqual([
      { type: 'heading', level: 1, children: [text('Title')] },
      { type: 'heading', level: 2, children: [text('Sub')] },
      { type: 'rule' },
      { type: 'quote', children: [para(text('quoted'), { type: 'break' }, text('continued'))] },
      { type: 'code', lang: 'py', text: '  x = 1' },
      { type: 'code', lang: '', text: 'indented\n  code' },
    ]);
  });

  it('runs an unclosed fence to the end, and reads ``` on one line as inline code', () => {
    expect(parseMarkdown('```\ncode\n\nmore')).toEqual([{ type: 'code', lang: '', text: 'code\n\nmore' }]);
    expect(parseMarkdown('```ls -l```')).toEqual([para({ type: 'code', text: 'ls -l' })]);
  });

  it('reads nested lists, task items and an ordered list start', () => {
    expect(
      parseMarkdown('Steps:\n1. one\n   - a\n     - deep\n2. two\n\n   more of two\n- [ ] todo\n- [x] done'),
    ).toEqual([
      para(text('Steps:')),
      {
        type: 'list',
        ordered: true,
        start: 1,
        items: [
          item(para(text('one')), {
            type: 'list',
            ordered: false,
            start: 1,
            items: [
              item(para(text('a')), {
                type: 'list',
                ordered: false,
                start: 1,
                items: [item(para(text('deep')))],
              }),
            ],
          }),
          item(para(text('two')), para(text('more of two'))),
        ],
      },
      {
        type: 'list',
        ordered: false,
        start: 1,
        items: [
          { blocks: [para(text('todo'))], done: false },
          { blocks: [para(text('done'))], done: true },
        ],
      },
    ]);
    expect(parseMarkdown('3) three\n4) four')).toEqual([
      { type: 'list', ordered: true, start: 3, items: [item(para(text('three'))), item(para(text('four')))] },
    ]);
  });

  it('reads tables with their alignment', () => {
    expect(parseMarkdown('| a | b |\n|:--|--:|\n| 1 | **2** |')).toEqual([
      {
        type: 'table',
        align: ['left', 'right'],
        head: [[text('a')], [text('b')]],
        rows: [[[text('1')], [{ type: 'strong', children: [text('2')] }]]],
      },
    ]);
  });
});

describe('toPlainText', () => {
  it('shows text without markup, lists with bullets, numbers and boxes', () => {
    const md =
      '# Title\n\nSome **bold** and [a link](https://x.y).\n\n- one\n  - two\n1. first\n\n> said\n\n```\ncode <x>\n```\n\n---\n\n- [x] shipped';
    expect(toPlainText(parseMarkdown(md))).toBe(
      'Title\n\nSome bold and a link.\n\n• one\n  • two\n\n1. first\n\nsaid\n\ncode <x>\n\n———\n\n☑ shipped',
    );
  });
});

describe('robustness', () => {
  it('parses pathological inputs quickly, without deep recursion, losing no word', () => {
    const inputs = [
      '*'.repeat(200_000),
      `${'*'.repeat(100_000)}a${'*'.repeat(100_000)}`,
      '*a '.repeat(50_000) + ' a*'.repeat(50_000),
      '['.repeat(200_000),
      '[]('.repeat(70_000),
      '[a](<'.repeat(40_000),
      '![['.repeat(40_000),
      '` `` ``` '.repeat(25_000),
      `${'> '.repeat(50_000)}deep`,
      `${'- '.repeat(50_000)}deep`,
      `${'1. '.repeat(30_000)}deep`,
      '<http://'.repeat(25_000),
      `${'|a'.repeat(20_000)}\n${'|-'.repeat(20_000)}`,
    ];
    for (const md of inputs) {
      const started = performance.now();
      const blocks = parseMarkdown(md);
      // Linear: a quadratic parse of 200,000 characters would take minutes, not seconds.
      expect(performance.now() - started, md.slice(0, 10)).toBeLessThan(10_000);
      expect(blocks.length).toBeGreaterThan(0);
      expect(toPlainText(blocks).length).toBeGreaterThan(0);
      if (md.endsWith('deep')) expect(toPlainText(blocks)).toContain('deep');
    }
  });

  it('caps inline nesting: deeper markers stay text', () => {
    const md = `${'**'.repeat(100)}core${'**'.repeat(100)}`;
    const nodes = inline(md);
    expect(inlineDepth(nodes)).toBeLessThanOrEqual(20);
    expect(toPlainText(parseMarkdown(md)).replaceAll('*', '')).toBe('core');
  });

  it('caps block nesting: deeper quotes and lists are text, none of it lost', () => {
    let depth = 0;
    const md = `${'> '.repeat(100)}x\n${'> '.repeat(60)}y`;
    for (let b: Block | undefined = parseMarkdown(md)[0]; b?.type === 'quote'; depth++) b = b.children[0];
    expect(depth).toBe(20);
    expect(toPlainText(parseMarkdown(md))).toMatch(/x[\s\S]*y/);
    const list = Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i)}- level ${i}`).join('\n');
    const shown = toPlainText(parseMarkdown(list));
    for (let i = 0; i < 40; i++) expect(shown).toContain(`level ${i}`);
  });

  it('handles 10,000 list items and renders them on every platform', () => {
    const md = Array.from({ length: 10_000 }, (_, i) => `- item ${i}`).join('\n');
    const [list] = parseMarkdown(md);
    expect(list?.type === 'list' && list.items.length).toBe(10_000);
    for (const render of [renderTelegram, renderDiscord, renderSlack]) {
      expect(render(md).join('\n')).toContain('item 9999');
    }
  });

  it('never throws, on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (md) => {
        for (const render of [renderTelegram, renderDiscord, renderSlack]) render(md, 64);
        toPlainText(parseMarkdown(md));
      }),
      { numRuns: 300 },
    );
  });
});
