import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderDiscord } from '../../adapters/discord/format.ts';
import { renderSlack } from '../../adapters/slack/format.ts';
import { renderTelegram } from '../../adapters/telegram/format.ts';
import { type Block, type Inline, parseMarkdown, toPlainText } from '../../src/core/markdown.ts';

const text = (t: string): Inline => ({ type: 'text', text: t });
const para = (...children: Inline[]): Block => ({ type: 'paragraph', children });
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

  it('keeps unbalanced or intraword markers as text', () => {
    expect(inline('a **b and _c and `d and ~~e')).toEqual([text('a **b and _c and `d and ~~e')]);
    expect(inline('snake_case_name and 5 * 3 and ~5 min')).toEqual([
      text('snake_case_name and 5 * 3 and ~5 min'),
    ]);
    expect(inline('\\*not em\\* and \\[not link](x)')).toEqual([text('*not em* and [not link](x)')]);
  });

  it('matches code spans by backtick count and keeps their content raw', () => {
    expect(inline('``a ` b`` and `*no* _em_`')).toEqual([
      { type: 'code', text: 'a ` b' },
      text(' and '),
      { type: 'code', text: '*no* _em_' },
    ]);
  });

  it('reads URLs with parentheses and ampersands, autolinks and bare URLs', () => {
    expect(inline('[w](https://en.wikipedia.org/wiki/Foo_(bar)?a=1&b=2)')).toEqual([
      { type: 'link', href: 'https://en.wikipedia.org/wiki/Foo_(bar)?a=1&b=2', children: [text('w')] },
    ]);
    const url = 'https://x.y/a_b_(c)?d=1&e=2';
    expect(inline(`see ${url}. Or <https://z.w>.`)).toEqual([
      text('see '),
      { type: 'link', href: url, children: [text(url)] },
      text('. Or '),
      { type: 'link', href: 'https://z.w', children: [text('https://z.w')] },
      text('.'),
    ]);
  });

  it('drops links to dangerous schemes but keeps their text', () => {
    expect(inline('[click](javascript:alert(1))')).toEqual([text('click')]);
  });

  it('treats HTML as text', () => {
    expect(inline('<script>alert(1)</script> a < b && c > d')).toEqual([
      text('<script>alert(1)</script> a < b && c > d'),
    ]);
  });

  it('keeps every line break, trimming trailing blanks', () => {
    expect(inline('one  \ntwo\\\nthree\n  four')).toEqual([
      text('one'),
      { type: 'break' },
      text('two'),
      { type: 'break' },
      text('three'),
      { type: 'break' },
      text('  four'),
    ]);
  });
});

describe('parseMarkdown: blocks', () => {
  it('reads headings, rules, quotes and fenced code', () => {
    expect(
      parseMarkdown('# Title #\nSub\n---\n\n* * *\n\n> quoted\ncontinued\n\n~~~py\n  x = 1\n~~~'),
    ).toEqual([
      { type: 'heading', level: 1, children: [text('Title')] },
      { type: 'heading', level: 2, children: [text('Sub')] },
      { type: 'rule' },
      { type: 'quote', children: [para(text('quoted'), { type: 'break' }, text('continued'))] },
      { type: 'code', lang: 'py', text: '  x = 1' },
    ]);
  });

  it('runs an unclosed fence to the end, and reads ``` on one line as inline code', () => {
    expect(parseMarkdown('```\ncode\n\nmore')).toEqual([{ type: 'code', lang: '', text: 'code\n\nmore' }]);
    expect(parseMarkdown('```ls -l```')).toEqual([para({ type: 'code', text: 'ls -l' })]);
  });

  it('reads nested lists, with lenient indentation, interrupting a paragraph', () => {
    expect(
      parseMarkdown('Steps:\n1. one\n  - a\n    - deep\n2. two\n\n   more of two\n- other list'),
    ).toEqual([
      para(text('Steps:')),
      {
        type: 'list',
        ordered: true,
        start: 1,
        items: [
          [
            para(text('one')),
            {
              type: 'list',
              ordered: false,
              start: 1,
              items: [
                [para(text('a')), { type: 'list', ordered: false, start: 1, items: [[para(text('deep'))]] }],
              ],
            },
          ],
          [para(text('two')), para(text('more of two'))],
        ],
      },
      { type: 'list', ordered: false, start: 1, items: [[para(text('other list'))]] },
    ]);
  });

  it('keeps an ordered list start', () => {
    expect(parseMarkdown('3) three\n4) four')).toEqual([
      { type: 'list', ordered: true, start: 3, items: [[para(text('three'))], [para(text('four'))]] },
    ]);
  });
});

describe('toPlainText', () => {
  it('shows text without markup, lists with bullets and numbers', () => {
    const md =
      '# Title\n\nSome **bold** and [a link](https://x.y).\n\n- one\n  - two\n1. first\n\n> said\n\n```\ncode <x>\n```\n\n---';
    expect(toPlainText(parseMarkdown(md))).toBe(
      'Title\n\nSome bold and a link.\n\n• one\n  • two\n\n1. first\n\nsaid\n\ncode <x>\n\n———',
    );
  });
});

describe('robustness', () => {
  it('parses pathological inputs quickly, without deep recursion', () => {
    const inputs = [
      '*'.repeat(200_000),
      `${'*'.repeat(100_000)}a${'*'.repeat(100_000)}`,
      '*a '.repeat(50_000) + ' a*'.repeat(50_000),
      '['.repeat(200_000),
      '[]('.repeat(70_000),
      '[a](<'.repeat(40_000),
      '` `` ``` '.repeat(25_000),
      `${'> '.repeat(50_000)}deep`,
      `${'- '.repeat(50_000)}deep`,
      '<http://'.repeat(25_000),
    ];
    for (const md of inputs) {
      const blocks = parseMarkdown(md);
      expect(blocks.length).toBeGreaterThan(0);
      expect(toPlainText(blocks).length).toBeGreaterThan(0);
    }
  });

  it('caps inline nesting: deeper markers stay text', () => {
    const md = `${'**'.repeat(100)}core${'**'.repeat(100)}`;
    const nodes = inline(md);
    expect(inlineDepth(nodes)).toBeLessThanOrEqual(20);
    expect(toPlainText(parseMarkdown(md)).replaceAll('*', '')).toBe('core');
  });

  it('caps block nesting: deeper quotes and lists are text', () => {
    let depth = 0;
    for (let b: Block | undefined = parseMarkdown(`${'> '.repeat(100)}x`)[0]; b?.type === 'quote'; depth++) {
      b = b.children[0];
    }
    expect(depth).toBe(20);
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
