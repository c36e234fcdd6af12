/**
 * Agent Markdown → WhatsApp's formatting: `*bold*`, `_italic_`, `~strike~`, `` `code` ``, ```` ``` ````
 * blocks, `> ` quotes, `- ` and `1. ` lists. WhatsApp has no link syntax (it links addresses as
 * written), no headings and no tables: a link is written `text (url)`, a heading as a bold line, a
 * table as the monospace grid or "header: value" lines every platform gets. WhatsApp has no escapes
 * either: a literal `*`, `_`, `~` or backtick that could start or end a style gets a zero-width space
 * on that side, and styles are closed at each line break (WhatsApp does not carry them across one).
 * When the operator's Aksita key already answers in WhatsApp's format (`WHATSAPP_FORMAT=whatsapp`),
 * the text is only split to the length limit.
 */
import {
  type Dialect,
  fenceMarkers,
  type PieceSink,
  renderChunks,
  type Span,
  ZWSP,
} from '../../src/core/markdown/index.ts';
import { splitText } from '../../src/core/split.ts';

/** Longest `text.body` the Cloud API accepts, in characters. */
export const WHATSAPP_MAX_MESSAGE = 4096;

/** What the agent's answers are written in: Markdown (rendered here) or WhatsApp's own format. */
export type WhatsAppSourceFormat = 'markdown' | 'whatsapp';

/** Literal markers that WhatsApp could read as a style, fenced off with zero-width spaces. */
function literal(text: string): string {
  return /[*_~`]/.test(text) ? fenceMarkers(text, /[*_~`]+/g) : text;
}

/** Text at a line's start that WhatsApp would read as a quote or a list item (`> `, `- `, `* `, `1. `). */
const LINE_SYNTAX = /^(?:>|[-*] |\d+\. )/;

/** Visible text: literal markers fenced off, and line syntax broken where a line starts. */
function text(out: PieceSink, value: string, lineStart: boolean): void {
  out.text((lineStart && LINE_SYNTAX.test(value) ? ZWSP : '') + literal(value));
}

/** Code as is, except that three backticks in it would end the block: broken with a zero-width space. */
function code(out: PieceSink, text: string): void {
  out.text(text.includes('```') ? text.replace(/``(?=`)/g, `\`\`${ZWSP}`) : text);
}

/** An address as a reader types it: `mailto:` dropped. */
function shown(href: string): string {
  return href.replace(/^mailto:/i, '');
}

const bold: Span = { open: '*', close: '*' };

/** WhatsApp's formatting, the dialect of `capabilities.format`. */
export const whatsappDialect: Dialect = {
  text,
  code,
  strong: bold,
  em: { open: '_', close: '_' },
  strike: { open: '~', close: '~' },
  // Inline code cannot hold a backtick.
  inlineCode: (text) => (text.includes('`') ? null : { open: '`', close: '`' }),
  // No link syntax: the text, then the address in parentheses, which WhatsApp links by itself.
  link: (href) => ({ open: '', close: ` (${shown(href)})` }),
  bareUrl: (out, url) => out.text(shown(url)),
  richLinkText: false,
  stylesPerLine: true,
  heading: () => ({ span: bold, strong: true }),
  quote: { open: '> ', close: '', linePrefix: '> ' },
  codeBlock: () => ({ open: '```\n', close: '\n```', code: true, flush: true }),
  item(marker) {
    const shownMarker = marker === '•' ? '-' : marker;
    const indent = ' '.repeat(shownMarker.length + 1);
    return { open: `${shownMarker} `, reopen: indent, close: '', linePrefix: indent, indent: true };
  },
};

/** Agent Markdown → WhatsApp message texts, each within `limit`. */
export function renderWhatsApp(markdown: string, limit = WHATSAPP_MAX_MESSAGE): string[] {
  return renderChunks(markdown, whatsappDialect, limit);
}

/** One agent answer → message texts: rendered from Markdown, or only split when already WhatsApp's. */
export function formatWhatsApp(
  answer: string,
  source: WhatsAppSourceFormat,
  limit = WHATSAPP_MAX_MESSAGE,
): string[] {
  return source === 'whatsapp' ? splitText(answer, limit) : renderWhatsApp(answer, limit);
}
