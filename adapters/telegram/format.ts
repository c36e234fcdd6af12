/**
 * Agent Markdown → Telegram HTML (`parse_mode: 'HTML'`): only the tags Telegram knows (`b`, `i`,
 * `s`, `code`, `pre`, `a`, `blockquote`), every `<`, `>`, `&` of the text as an entity, headings as
 * bold lines, lists as `•` / `1.` lines. Split to `TELEGRAM_MAX_MESSAGE` counting the raw HTML,
 * which is never less than the visible text Telegram counts.
 */
import {
  type Dialect,
  isSafeLink,
  type PieceSink,
  renderChunks,
  type Span,
} from '../../src/core/markdown/index.ts';

/** Longest text `sendMessage` accepts, in UTF-16 code units. */
export const TELEGRAM_MAX_MESSAGE = 4096;

/** Longest `href` attribute written as a link; a longer one leaves its text unlinked. */
const MAX_HREF_ATTR = 1500;

const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

function html(out: PieceSink, text: string): void {
  let last = 0;
  for (const m of text.matchAll(/[&<>]/g)) {
    out.text(text.slice(last, m.index));
    out.atom(ENTITY[m[0]] as string);
    last = m.index + 1;
  }
  out.text(text.slice(last));
}

const bold: Span = { open: '<b>', close: '</b>' };

/** Telegram HTML, the dialect of `capabilities.format`. */
export const telegramHtml: Dialect = {
  text: html,
  code: html,
  strong: bold,
  em: { open: '<i>', close: '</i>' },
  strike: { open: '<s>', close: '</s>' },
  inlineCode: () => ({ open: '<code>', close: '</code>' }),
  link(href) {
    const attr = href.replace(/[&<>"]/g, (c) => ENTITY[c] as string);
    // No `tg:` links: `tg://user?id=…` would ping a user, `tg://join?…` lure into a group.
    if (!isSafeLink(href) || attr.length > MAX_HREF_ATTR) return null;
    return { open: `<a href="${attr}">`, close: '</a>' };
  },
  bareUrl: html,
  richLinkText: true,
  heading: () => ({ span: bold, strong: true }),
  quote: { open: '<blockquote>', close: '</blockquote>' },
  codeBlock: (lang) =>
    lang === ''
      ? { open: '<pre>', close: '</pre>', code: true, ownLines: true }
      : { open: `<pre><code class="language-${lang}">`, close: '</code></pre>', code: true, ownLines: true },
  item(marker) {
    const indent = ' '.repeat(marker.length + 1);
    return { open: `${marker} `, reopen: indent, close: '', linePrefix: indent, indent: true };
  },
};

/** Turns one agent response (Markdown) into Telegram HTML messages, each within `limit`. */
export function renderTelegram(markdown: string, limit = TELEGRAM_MAX_MESSAGE): string[] {
  return renderChunks(markdown, telegramHtml, limit);
}

/**
 * A rendered message as plain text, for when Telegram refuses its formatting: tags dropped (a
 * link's address kept in parentheses after its text), entities decoded.
 */
export function plainTelegram(text: string): string {
  const linked = text.replace(/<a\s+href="([^"]*)"\s*>([\s\S]*?)<\/a>/gi, (_, href: string, inner: string) =>
    decode(stripTags(inner)) === decode(href) ? inner : `${inner} (${href})`,
  );
  return decode(stripTags(linked));
}

function stripTags(text: string): string {
  return text.replace(/<\/?[a-zA-Z][^<>]*>/g, '');
}

function decode(text: string): string {
  return text.replace(/&(?:(lt|gt|amp|quot)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));/g, (ref, name, dec, hex) => {
    if (name) return { lt: '<', gt: '>', amp: '&', quot: '"' }[name as 'lt'];
    const code = dec ? Number(dec) : Number.parseInt(hex, 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ref;
  });
}
