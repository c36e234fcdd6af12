/** Strength of a cut point: the splitter takes the last cut of the strongest kind within the limit. */
const SPACE = 1;
const LINE = 2;
const PARAGRAPH = 3;

let graphemes: Intl.Segmenter | undefined;

/** The whitespace of `String.prototype.trim`: ASCII blanks, NBSP and the Unicode spaces and separators. */
export function isSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * Where to end the chunk that starts at `start` (a non-space) when the text goes past `hi`, the
 * furthest allowed end: at the start of the last whitespace run within reach that holds a blank line,
 * else a line break, else any whitespace; failing all, a hard cut at a grapheme boundary.
 */
function findCut(text: string, start: number, hi: number): number {
  let bestCut = -1;
  let bestKind = 0;
  let i = hi;
  while (i > start) {
    if (!isSpace(text.charCodeAt(i))) {
      i--;
      continue;
    }
    // A maximal whitespace run [runStart, runEnd); only the run at `hi` can reach past `hi`.
    let runEnd = i + 1;
    if (i === hi) while (runEnd < text.length && isSpace(text.charCodeAt(runEnd))) runEnd++;
    let runStart = i;
    while (isSpace(text.charCodeAt(runStart - 1))) runStart--;
    let newlines = 0;
    for (let j = runStart; j < runEnd && newlines < 2; j++) if (text.charCodeAt(j) === 0x0a) newlines++;
    const kind = newlines >= 2 ? PARAGRAPH : newlines === 1 ? LINE : SPACE;
    if (kind > bestKind) {
      bestKind = kind;
      bestCut = runStart;
      if (kind === PARAGRAPH) break;
    }
    i = runStart - 1;
  }
  return bestKind > 0 ? bestCut : hardCut(text, start, hi);
}

/**
 * Where the grapheme cluster holding `text[hi]` starts, looking back no further than `start` (which
 * must be a cluster boundary): `start` itself when the cluster began there or earlier.
 */
export function clusterStart(text: string, start: number, hi: number): number {
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  // Segment only this window: `start` follows whitespace or an earlier cut, so it is a boundary.
  const cluster = graphemes.segment(text.slice(start, hi + 2)).containing(hi - start);
  return cluster === undefined ? hi : start + cluster.index;
}

/** A cut inside a word: before the grapheme cluster that straddles `hi`, or at least not inside a surrogate pair. */
function hardCut(text: string, start: number, hi: number): number {
  const cluster = clusterStart(text, start, hi);
  if (cluster > start) return cluster;
  // One cluster longer than the whole chunk (e.g. a stack of combining marks): keep surrogate pairs whole.
  const high = text.charCodeAt(hi - 1);
  const low = text.charCodeAt(hi);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff ? hi - 1 : hi;
}

/**
 * Splits a reply into chunks of at most `limit` UTF-16 code units. Each chunk is as full as possible
 * while ending, by preference, at a paragraph break (blank line), else a line break, else a space;
 * a word longer than `limit` is cut between grapheme clusters (never inside a surrogate pair).
 * Whitespace at a cut point (and around the whole text, once it must be split) is dropped; nothing else
 * is lost, repeated or reordered. A text that fits is returned unchanged as one chunk; a blank text
 * gives `[]`. Runs in time linear in the text's length.
 *
 * @throws RangeError when `limit` is not an integer of at least 2 (a surrogate pair must fit).
 */
export function splitText(text: string, limit: number): string[] {
  if (!Number.isInteger(limit) || limit < 2)
    throw new RangeError(`split limit must be an integer >= 2, got ${limit}`);
  if (text.trim() === '') return [];
  if (text.length <= limit) return [text];

  let end = text.length;
  while (isSpace(text.charCodeAt(end - 1))) end--;
  const chunks: string[] = [];
  let start = 0;
  while (true) {
    while (isSpace(text.charCodeAt(start))) start++;
    if (end - start <= limit) {
      chunks.push(text.slice(start, end));
      return chunks;
    }
    const cut = findCut(text, start, start + limit);
    chunks.push(text.slice(start, cut));
    start = cut;
  }
}
