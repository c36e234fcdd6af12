/**
 * Agent Markdown → WhatsApp's formatting: the styles WhatsApp knows, links as `text (url)`,
 * headings as bold lines, lists and quotes as WhatsApp writes them, tables as the other platforms
 * get them, literal markers fenced off, and every chunk within 4,096 characters; an answer already in
 * WhatsApp's format is only split.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatWhatsApp, renderWhatsApp, WHATSAPP_MAX_MESSAGE } from '../../adapters/whatsapp/format.ts';

const one = (markdown: string) => {
  const chunks = renderWhatsApp(markdown);
  expect(chunks).toHaveLength(1);
  return chunks[0];
};
const ZWSP = '\u200b';

describe('renderWhatsApp', () => {
  it('writes bold, italic, strike and inline code as WhatsApp does', () => {
    expect(one('Some **bold**, *it*, ~~gone~~ and `x = 1`.')).toBe('Some *bold*, _it_, ~gone~ and `x = 1`.');
  });

  it('writes a heading as a bold line, without bold inside it repeated', () => {
    expect(one('## Your **order**\n\nShipped.')).toBe('*Your order*\n\nShipped.');
  });

  it('writes a link as its text and address, and a bare address as is', () => {
    expect(one('See [the docs](https://example.com/a_b) or <https://x.io>.')).toBe(
      'See the docs (https://example.com/a_b) or https://x.io.',
    );
    expect(one('[Write us](mailto:cs@aksita.id)')).toBe('Write us (cs@aksita.id)');
    expect(one('[**bold** link](https://x.io)')).toBe('bold link (https://x.io)');
  });

  it('writes a link to a scheme no platform allows as its text only', () => {
    expect(one('[tap](tg://user?id=1)')).toBe('tap');
  });

  it('writes lists with - and 1., nested ones indented, and quotes with >', () => {
    expect(one('- one\n- two\n  1. first\n  2. second')).toBe('- one\n- two\n  1. first\n  2. second');
    expect(one('> quoted **word**\n> and more')).toBe('> quoted *word*\n> and more');
  });

  it('writes a code block as a monospace block, a fence inside it broken', () => {
    expect(one('```js\nconst a = 1;\n```')).toBe('```\nconst a = 1;\n```');
    expect(one('````\na ``` b\n````')).toBe(`\`\`\`\na \`\`${ZWSP}\` b\n\`\`\``);
  });

  it('writes a narrow table as a monospace grid, a wide one as header: value lines', () => {
    expect(one('| a | b |\n|---|---|\n| 1 | 2 |')).toBe('```\na │ b\n──┼──\n1 │ 2\n```');
    const wide = `| name | note |\n|---|---|\n| Sari | ${'a long note '.repeat(6)}|`;
    expect(one(wide)).toBe(`*name*: Sari\n*note*: ${'a long note '.repeat(6).trim()}`);
  });

  it('ends styles at a line break, where WhatsApp would', () => {
    expect(one('**bold\nacross** lines')).toBe('*bold*\n*across* lines');
  });

  it('fences off literal markers that WhatsApp would read as a style, and leaves inner ones', () => {
    expect(one('a \\*literal\\* star')).toBe(`a ${ZWSP}*literal*${ZWSP} star`);
    expect(one('snake_case and 2*3*4')).toBe('snake_case and 2*3*4');
  });

  it('keeps an escaped quote or list marker at a line start from becoming one', () => {
    expect(one('\\> not a quote')).toBe(`${ZWSP}> not a quote`);
    expect(one('\\- not an item')).toBe(`${ZWSP}- not an item`);
    expect(one('3\\. not a list')).toBe(`${ZWSP}3. not a list`);
    expect(one('a > b - c')).toBe('a > b - c');
  });

  it('splits a long answer into chunks within the limit, styles balanced in each', () => {
    const long = Array.from({ length: 400 }, (_, i) => `**Point ${i}** is explained here.`).join(' ');
    const chunks = renderWhatsApp(long);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(WHATSAPP_MAX_MESSAGE);
      expect((chunk.match(/\*/g) ?? []).length % 2).toBe(0);
    }
  });
});

describe('renderWhatsApp on random Markdown', () => {
  const fragment = fc.constantFrom(
    '**b** ',
    '_i_ ',
    '~~s~~ ',
    '`c` ',
    '[l](https://x.io/a_b) ',
    '\n\n',
    '\n- item ',
    '\n> q ',
    '\n```\ncode\n```\n',
    '# h\n',
    'word ',
    '* ',
    '_',
    '😀 ',
  );
  const markdown = fc.array(fragment, { maxLength: 300 }).map((parts) => parts.join(''));

  it('keeps every chunk within the limit, not blank, with its code fences balanced', () => {
    fc.assert(
      fc.property(markdown, fc.integer({ min: 60, max: 600 }), (text, limit) => {
        for (const chunk of renderWhatsApp(text, limit)) {
          expect(chunk.length).toBeLessThanOrEqual(limit);
          expect(chunk.replaceAll(ZWSP, '').trim()).not.toBe('');
          expect((chunk.match(/```/g) ?? []).length % 2).toBe(0);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('formatWhatsApp', () => {
  it('only splits an answer the agent already wrote in WhatsApp format', () => {
    expect(formatWhatsApp('*Halo* _kak_ ~x~', 'whatsapp')).toEqual(['*Halo* _kak_ ~x~']);
    expect(formatWhatsApp('**Halo**', 'markdown')).toEqual(['*Halo*']);
    const chunks = formatWhatsApp('kata '.repeat(2000), 'whatsapp');
    expect(chunks.length).toBe(3);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(WHATSAPP_MAX_MESSAGE);
  });
});
