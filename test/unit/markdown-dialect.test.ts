/**
 * A fifth dialect is one small object: WhatsApp's (`*bold*`, `_italic_`, `~strike~`, ``` blocks,
 * `` `code` ``, `> ` quotes, lists; no link syntax, no headings, no tables), written here the way an
 * `adapters/whatsapp/format.ts` would, and run through the same renderer and splitter.
 */
import { describe, expect, it } from 'vitest';
import { type Dialect, isSafeLink, renderChunks, type Span } from '../../src/core/markdown/index.ts';

const bold: Span = { open: '*', close: '*' };

const whatsapp: Dialect = {
  text: (out, text) => out.text(text),
  code: (out, text) => out.text(text),
  strong: bold,
  em: { open: '_', close: '_' },
  strike: { open: '~', close: '~' },
  inlineCode: (text) => (text.includes('`') ? null : { open: '`', close: '`' }),
  // No link syntax: the address follows the text.
  link: (href) => (isSafeLink(href) ? { open: '', close: ` (${href})` } : null),
  bareUrl: (out, url) => out.atom(url),
  richLinkText: true,
  stylesPerLine: true,
  heading: () => ({ span: bold, strong: true }),
  quote: { open: '> ', close: '', linePrefix: '> ' },
  codeBlock: () => ({ open: '```\n', close: '\n```', code: true, flush: true }),
  item(marker) {
    const indent = ' '.repeat(marker.length + 1);
    return { open: `${marker} `, reopen: indent, close: '', linePrefix: indent, indent: true };
  },
};

const render = (markdown: string, limit = 4096) => renderChunks(markdown, whatsapp, limit);

describe('a WhatsApp dialect on the shared renderer', () => {
  it('writes every construct in WhatsApp syntax', () => {
    expect(
      render('# Pesanan\n\n**Siap** dikirim, _besok_ ~~hari ini~~. Lihat [status](https://x.id/s).'),
    ).toEqual(['*Pesanan*\n\n*Siap* dikirim, _besok_ ~hari ini~. Lihat status (https://x.id/s).']);
    expect(render('- a\n  - b\n\n> kutipan\n\n| x | y |\n|---|--:|\n| 1 | 22 |')).toEqual([
      '• a\n  • b\n\n> kutipan\n\n```\nx │  y\n──┼───\n1 │ 22\n```',
    ]);
  });

  it('splits within its limit with the same splitter', () => {
    const chunks = render(`**${'kata '.repeat(100).trim()}**`, 100);
    expect(chunks.length).toBeGreaterThan(4);
    for (const chunk of chunks) expect(chunk).toMatch(/^\*kata[a-z ]*\*$/);
  });
});
