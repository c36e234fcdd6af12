/**
 * The Markdown parser: markdown-it, configured for chat answers. CommonMark plus GFM tables,
 * strikethrough and links (`https://…`, `www.…`, e-mail addresses); raw HTML is text. Two rules of
 * our own: a single `*` between two letters or digits is multiplication (`2*3*4` stays literal), and
 * blocks nested deeper than `MAX_BLOCK_LEVEL` are read as plain text, because markdown-it drops
 * whatever lies past its `maxNesting`.
 */
import MarkdownIt, { type StateBlock, type StateInline } from 'markdown-it';

/**
 * Block level (each quote, list and list item counts one) from which lines are read as plain text:
 * about twenty nested quotes, or ten nested lists.
 */
export const MAX_BLOCK_LEVEL = 20;

/** The token a too-deep block becomes: `content` holds its lines, unparsed. */
export const DEEP_TEXT = 'deep_text';

const WORD = /[\p{L}\p{N}]/u;
/** An address markdown-it's normalization leaves as it is: ASCII, nothing to percent-encode. */
const PLAIN_URL = /^(?:[\w\-.~:/?#@!$&'()*+,;=]|%[0-9a-fA-F]{2})*$/;

/** `*` with a letter or digit on both sides and no other `*` next to it is a literal asterisk. */
function literalStar(state: StateInline, silent: boolean): boolean {
  const { src, pos } = state;
  if (src.charCodeAt(pos) !== 0x2a || pos === 0) return false;
  const after = src[pos + 1];
  if (after === undefined || !WORD.test(after) || !WORD.test(src[pos - 1] as string)) return false;
  if (!silent) state.pending += '*';
  state.pos++;
  return true;
}

/** Past `MAX_BLOCK_LEVEL`, the lines of the block being read become one unparsed text token. */
function deepBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.level < MAX_BLOCK_LEVEL || silent) return false;
  let line = startLine;
  while (line < endLine && (state.isEmpty(line) || (state.sCount[line] as number) >= state.blkIndent)) line++;
  const token = state.push(DEEP_TEXT, '', 0);
  token.content = state.getLines(startLine, line, state.blkIndent, false);
  token.map = [startLine, line];
  state.line = line;
  return true;
}

/** markdown-it as the bridge uses it. `reference` leaves out the bridge's own rules. */
export function createParser(options: { reference?: boolean } = {}): MarkdownIt {
  const md = new MarkdownIt('default', {
    html: false,
    linkify: true,
    typographer: false,
  });
  // Above MAX_BLOCK_LEVEL, so `deepBlock` takes over before markdown-it would drop text (the
  // option exists, but is missing from @types/markdown-it).
  Object.assign(md.options, { maxNesting: MAX_BLOCK_LEVEL + 20 });
  // Only http, https and e-mail addresses are found in bare text; `example.py` is not a link.
  md.linkify.set({ fuzzyIP: false });
  if (options.reference) return md;
  // Every link is parsed; which ones stay links is decided by `isSafeLink`, so an unsafe one still
  // reads as its text rather than as raw `[x](…)` syntax.
  md.validateLink = () => true;
  // Most addresses need no normalization: skip parsing them (a third of the time of an answer).
  const { normalizeLink, normalizeLinkText } = md;
  md.normalizeLink = (url) => (PLAIN_URL.test(url) ? url : normalizeLink.call(md, url));
  md.normalizeLinkText = (url) =>
    PLAIN_URL.test(url) && !url.includes('%') ? url : normalizeLinkText.call(md, url);
  md.inline.ruler.before('emphasis', 'literal_star', literalStar);
  md.block.ruler.before('table', DEEP_TEXT, deepBlock);
  return md;
}
