/**
 * Agent Markdown → terminal text. Styled (stdout is a terminal): ANSI bold, italic, strikethrough,
 * cyan inline code, underlined links followed by their address, headings bold and underlined, quotes
 * behind a grey bar. Plain (a pipe or a file): the same text without any markup. Both: lists as `•` /
 * `1.` lines, code blocks indented by four spaces, and every control character of the agent's text
 * removed, so an answer cannot move the cursor, retitle the window or hide text.
 */
import {
  type Dialect,
  isSafeLink,
  type PieceSink,
  renderChunks,
  type Span,
} from '../../src/core/markdown/index.ts';

/** Long enough for any answer; the terminal wraps lines itself. */
export const TERMINAL_MAX_MESSAGE = 65_536;

/** C0 and C1 controls, DEL, except tab and line feed. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** `text` without control characters. */
export function sanitize(text: string): string {
  return text.replace(CONTROL, '');
}

function text(out: PieceSink, value: string): void {
  out.text(sanitize(value));
}

function item(marker: string): Span {
  const indent = ' '.repeat(marker.length + 1);
  return { open: `${marker} `, reopen: indent, close: '', linePrefix: indent, indent: true };
}

const codeBlock: Span = { open: '    ', close: '', linePrefix: '    ', code: true };

const none: Span = { open: '', close: '' };

/** SGR: `on` … `off`. */
const sgr = (on: string, off: string): Span => ({ open: `\x1b[${on}m`, close: `\x1b[${off}m` });

const BAR = '\x1b[90m│\x1b[39m ';

const styled: Dialect = {
  text,
  code: text,
  strong: sgr('1', '22'),
  em: sgr('3', '23'),
  strike: sgr('9', '29'),
  inlineCode: () => sgr('36', '39'),
  link: (href) => (isSafeLink(href) ? { open: '\x1b[4m', close: `\x1b[24m (${sanitize(href)})` } : null),
  bareUrl: text,
  richLinkText: true,
  tableWidth: 100,
  heading: () => ({ span: sgr('1;4', '22;24'), strong: true }),
  quote: { open: BAR, close: '', linePrefix: BAR },
  codeBlock: () => codeBlock,
  item,
  prepare: sanitize,
};

const plain: Dialect = {
  text,
  code: text,
  strong: none,
  em: none,
  strike: none,
  inlineCode: () => null,
  link: (href) => (isSafeLink(href) ? { open: '', close: ` (${sanitize(href)})` } : null),
  bareUrl: text,
  richLinkText: false,
  tableWidth: 100,
  heading: () => ({ span: none, strong: true }),
  quote: { open: '> ', close: '', linePrefix: '> ' },
  codeBlock: () => codeBlock,
  item,
  // Controls go before parsing, so one inside a link address cannot unmake the link.
  prepare: sanitize,
};

/** The terminal's dialect (`capabilities.format`): with ANSI styles when `styled`. */
export function terminalDialect(options: { styled: boolean }): Dialect {
  return options.styled ? styled : plain;
}

/** Agent Markdown → terminal texts, with ANSI styles when `styled`. */
export function renderTerminal(markdown: string, options: { styled: boolean }): string[] {
  return renderChunks(markdown, terminalDialect(options), TERMINAL_MAX_MESSAGE);
}

/** `label` and `text`, each further line (blank ones aside) indented under the first: one block per answer. */
export function labelled(label: string, text: string, labelWidth = label.length): string {
  return `${label}${text.replace(/\n(?=[^\n])/g, `\n${' '.repeat(labelWidth)}`)}`;
}
