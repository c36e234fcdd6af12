/**
 * Agent Markdown → Discord Markdown. Discord renders Markdown itself, so the reply is written back
 * in the syntax Discord knows (`**bold**`, `*italic*`, `~~strike~~`, code, `[text](<url>)`, `#`
 * headings, `-` lists, `> ` quotes), with every other markup character of the text escaped, so a
 * stray `*` stays a `*`. Mass and raw mentions are defused with a zero-width space after the `@`
 * (`@everyone`, `@here`, `<@id>`, `<@&role>`); code is left exactly as written.
 */
import { type Dialect, type PieceSink, renderChunks } from '../../src/core/markdown/index.ts';

/** Discord's limit for one message's content. */
export const DISCORD_MAX_MESSAGE = 2000;

const MAX_URL = 1000;
const ZWSP = '\u200b';

/** `@everyone`, `@here` and `<@…>` lose their power to ping. */
function defuse(text: string): string {
  return text.replace(/@(?=everyone|here)/gi, `@${ZWSP}`).replaceAll('<@', `<@${ZWSP}`);
}

/** Markdown syntax at the start of a line: heading, quote, list item, subtext. */
const LINE_START = /^(\s*)(?:([#>+-])|(\d+)([.)]))/;
/** What needs escaping or defusing anywhere in text. */
const SPECIAL = /<@|@(?=everyone|here)|[\\*_~`|[\]]/gi;

function markdownText(out: PieceSink, raw: string, lineStart: boolean): void {
  let text = raw;
  const head = lineStart ? LINE_START.exec(text) : null;
  if (head) {
    out.text((head[1] as string) + (head[3] ?? ''));
    out.atom(`\\${head[2] ?? head[4]}`);
    text = text.slice(head[0].length);
  }
  let last = 0;
  for (const m of text.matchAll(SPECIAL)) {
    out.text(text.slice(last, m.index));
    // Atoms: a cut never separates the zero-width space from its `@`.
    out.atom(m[0].endsWith('@') ? `${m[0]}${ZWSP}` : `\\${m[0]}`);
    last = m.index + m[0].length;
  }
  out.text(text.slice(last));
}

/** Discord Markdown, the dialect of `capabilities.format`. */
export const discordMarkdown: Dialect = {
  text: markdownText,
  // Inside code nothing is Markdown; only a run of backticks could end it early.
  code: (out, text) => out.text(text.includes('``') ? text.replace(/`(?=`)/g, `\`${ZWSP}`) : text),
  strong: { open: '**', close: '**' },
  em: { open: '*', close: '*' },
  strike: { open: '~~', close: '~~' },
  inlineCode(text) {
    if (text.includes('``')) return null;
    return text.includes('`') ? { open: '`` ', close: ' ``' } : { open: '`', close: '`' };
  },
  link(href) {
    const url = href.replace(
      /[<>\s]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
    );
    // Discord masks only web links: a `mailto:` one is written as its text.
    if (!/^https?:\/\//i.test(href) || url.length > MAX_URL) return null;
    return { open: '[', close: `](<${url}>)` };
  },
  // Unescaped, however long (a pre-signed link), so Discord links it whole; but a backtick or a
  // spoiler's `||` in it would start markup of its own.
  bareUrl: (out, url) => (/`|\|\|/.test(url) ? markdownText(out, url, false) : out.atom(defuse(url))),
  richLinkText: false,
  heading: (level) =>
    level <= 3
      ? { span: { open: `${'#'.repeat(level)} `, close: '' }, strong: false }
      : { span: { open: '**', close: '**' }, strong: true },
  quote: { open: '> ', close: '', linePrefix: '> ' },
  codeBlock: (lang) => ({ open: `\`\`\`${lang}\n`, close: '\n```', code: true, flush: true }),
  item(marker) {
    const bullet = marker === '•' ? '-' : marker;
    const indent = ' '.repeat(bullet.length + 1);
    return { open: `${bullet} `, reopen: indent, close: '', linePrefix: indent, indent: true };
  },
};

/** Agent Markdown → Discord message texts, each within `limit`. */
export function renderDiscord(markdown: string, limit = DISCORD_MAX_MESSAGE): string[] {
  return renderChunks(markdown, discordMarkdown, limit);
}
