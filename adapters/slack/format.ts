/**
 * Agent Markdown → Slack mrkdwn: `*bold*`, `_italic_`, `~strike~`, `` `code` ``, ``` blocks,
 * `<url|text>` links, headings as bold lines, lists as `•` / `1.` lines, quotes as `> ` lines, tables
 * as a monospace block or "header: value" lines. Every `&`, `<`, `>` of the text is escaped, so the
 * agent cannot write `<!channel>` or `<@U123>`; runs of backticks in text are broken with a
 * zero-width space so they cannot open a code block. mrkdwn has no escapes: a literal `*`, `_` or
 * `~` that could start or end a style gets a zero-width space on that side, and styles are closed at
 * each line break (Slack does not carry them across one).
 */
import {
  type Dialect,
  fenceMarkers,
  isSafeLink,
  type PieceSink,
  renderChunks,
  type Span,
  ZWSP,
} from '../../src/core/markdown/index.ts';

/** Slack accepts up to 40,000 characters but truncates display around 4,000; stay well under. */
export const SLACK_MAX_MESSAGE = 3900;

const MAX_URL = 1500;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

function mrkdwn(out: PieceSink, text: string): void {
  let last = 0;
  for (const m of text.matchAll(/[&<>]/g)) {
    out.text(breakFences(text.slice(last, m.index)));
    out.atom(ENTITY[m[0]] as string);
    last = m.index + 1;
  }
  out.text(breakFences(text.slice(last)));
}

function breakFences(text: string): string {
  return text.includes('``') ? text.replace(/`(?=`)/g, `\`${ZWSP}`) : text;
}

/** Literal markers that Slack could read as a style, fenced off with zero-width spaces. */
function literal(text: string): string {
  return /[*_~]/.test(text) ? fenceMarkers(text, /[*_~]+/g) : text;
}

const bold: Span = { open: '*', close: '*' };

/** Slack mrkdwn, the dialect of `capabilities.format`. */
export const slackMrkdwn: Dialect = {
  text: (out, text) => mrkdwn(out, literal(text)),
  code: mrkdwn,
  strong: bold,
  em: { open: '_', close: '_' },
  strike: { open: '~', close: '~' },
  // mrkdwn has no way to put a backtick inside inline code.
  inlineCode: (text) => (text.includes('`') ? null : { open: '`', close: '`' }),
  link(href) {
    const url = href
      .replace(/&/g, '&amp;')
      .replace(/[<>|\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
    if (!isSafeLink(href) || url.length > MAX_URL) return null;
    return { open: `<${url}|`, close: '>' };
  },
  bareUrl: mrkdwn,
  richLinkText: false,
  stylesPerLine: true,
  heading: () => ({ span: bold, strong: true }),
  quote: { open: '> ', close: '', linePrefix: '> ' },
  codeBlock: () => ({ open: '```\n', close: '\n```', code: true, flush: true }),
  item(marker) {
    const indent = ' '.repeat(marker.length + 1);
    return { open: `${marker} `, reopen: indent, close: '', linePrefix: indent, indent: true };
  },
};

/** Agent Markdown → Slack mrkdwn message texts, each within `limit`. */
export function renderSlack(markdown: string, limit = SLACK_MAX_MESSAGE): string[] {
  return renderChunks(markdown, slackMrkdwn, limit);
}
