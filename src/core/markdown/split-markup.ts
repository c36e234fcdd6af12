/**
 * Splits rendered markup (HTML, mrkdwn, Markdown) to a length limit without breaking it. The
 * renderer hands over a flat stream of pieces: text, atoms (an entity, an escape: never cut), and
 * the opening and closing of spans (bold, a link, a code block, a quote). A chunk ends, by
 * preference, at a blank line, else a line break, else a space, else between grapheme clusters, as
 * `splitText` does; every span open at a cut is closed at the end of the chunk and reopened at the
 * start of the next, so each chunk is valid on its own. Line-prefix spans (Markdown `> ` quotes,
 * list indentation) put their prefix after every line break inside them and at a resumed chunk's start.
 */
import { clusterStart, isSpace } from '../split.ts';

/** A formatting span, as markup. */
export interface Span {
  /** Markup that starts the span, e.g. `<b>`, "```js\n", `> `. */
  open: string;
  /** Markup that ends it, here and at every cut inside it, e.g. `</b>`, "\n```", ``. */
  close: string;
  /** Markup that resumes it at the start of the next chunk; default `open`. */
  reopen?: string;
  /** Markup at the start of every line inside (`> ` for a quote, spaces for list indentation). */
  linePrefix?: string;
  /** The line prefix is only indentation (a list item's), which `flush` spans inside drop. */
  indent?: boolean;
  /** Lines inside start at the margin: no indentation of enclosing list items, quote markers kept (a code block). */
  flush?: boolean;
  /** Code: indentation after a line break is content, so a cut keeps it. */
  code?: boolean;
  /** No line prefixes of the enclosing spans inside (Telegram `<pre>`). */
  ownLines?: boolean;
}

export type Piece =
  /** Text that may be cut at whitespace or between grapheme clusters. */
  | { kind: 'text'; text: string }
  /** A unit not cut (an entity like `&amp;`, an escape like `\*`, a URL) unless longer than a message. Never whitespace. */
  | { kind: 'atom'; text: string }
  | { kind: 'open'; span: Span }
  | { kind: 'close' };

/** A span in effect, with its markup resolved against the spans around it. */
interface Frame {
  parent: Frame | null;
  /** What follows every line break inside. */
  prefix: string;
  /** The part of `prefix` that is not list indentation. */
  quoted: string;
  open: string;
  reopen: string;
  close: string;
  /** Length of the markup that resumes this span and all around it. */
  reopenLen: number;
  /** Length of the markup that closes this span and all around it. */
  closeLen: number;
  code: boolean;
}

/** A position: before `pieces[i]`, or `off` code units into a text piece; with the span in effect there. */
interface Pos {
  i: number;
  off: number;
  frame: Frame | null;
}

/** Where a chunk ran out of room: at `off` in `pieces[i]`, with `room` left for that piece. */
interface Stop {
  i: number;
  off: number;
  /** The last content before this piece. */
  pieceStart: Pos;
  /** Whether the chunk showed anything before this piece. */
  seenBefore: boolean;
  room: number;
}

/** Strength of a cut, as in `splitText`. */
const SPACE = 1;
const LINE = 2;
const PARAGRAPH = 3;

function makeFrame(span: Span, parent: Frame | null): Frame {
  const outer = parent?.prefix ?? '';
  const own = span.linePrefix ?? '';
  const quoted = (parent?.quoted ?? '') + (span.indent ? '' : own);
  const prefix = span.ownLines ? '' : span.flush ? quoted : outer + own;
  const open = lines(span.open, prefix);
  const reopen = lines(span.reopen ?? span.open, prefix);
  const close = lines(span.close, span.flush ? prefix : outer);
  return {
    parent,
    prefix,
    quoted: span.ownLines ? '' : quoted,
    open,
    reopen,
    close,
    reopenLen: (parent?.reopenLen ?? 0) + reopen.length,
    closeLen: (parent?.closeLen ?? 0) + close.length,
    code: span.code === true,
  };
}

function lines(text: string, prefix: string): string {
  return prefix === '' ? text : text.replaceAll('\n', `\n${prefix}`);
}

/**
 * Splits `pieces` into chunks of at most `limit` UTF-16 code units, each with its spans balanced and
 * at least one visible character. Whitespace at a cut is dropped, except the indentation of a code
 * line. Linear in the size of the rendered text.
 *
 * @throws RangeError when `limit` is not an integer of at least 2.
 */
export function splitMarkup(pieces: readonly Piece[], limit: number): string[] {
  if (!Number.isInteger(limit) || limit < 2)
    throw new RangeError(`split limit must be an integer >= 2, got ${limit}`);
  const opened: Array<Frame | undefined> = [];
  let frame: Frame | null = null;
  pieces.forEach((p, i) => {
    if (p.kind === 'open') frame = opened[i] = makeFrame(p.span, frame);
    else if (p.kind === 'close') frame = frame?.parent ?? null;
  });
  const chunks: string[] = [];
  let at: Pos = { i: 0, off: 0, frame: null };
  for (;;) {
    at = skipStart(pieces, at);
    const end = at.i < pieces.length ? scanChunk(pieces, opened, at, limit) : null;
    if (!end) return chunks;
    chunks.push(emit(pieces, opened, at, end));
    at = end;
  }
}

/** Moves past whitespace (keeping a code line's indentation) and past the ends of resumed spans. */
function skipStart(pieces: readonly Piece[], start: Pos): Pos {
  let { i, off, frame } = start;
  for (; i < pieces.length; i++, off = 0) {
    const p = pieces[i] as Piece;
    if (p.kind === 'close') {
      frame = frame?.parent ?? null;
      continue;
    }
    if (p.kind !== 'text') return { i, off, frame };
    let k = off;
    while (k < p.text.length && isSpace(p.text.charCodeAt(k))) k++;
    if (frame?.code && k > off) {
      const nl = p.text.lastIndexOf('\n', k - 1);
      if (nl >= off) k = nl + 1;
    }
    if (k < p.text.length) return { i, off: k, frame };
  }
  return { i, off: 0, frame };
}

/** Where the chunk starting at `start` ends; null when nothing visible is left. */
function scanChunk(
  pieces: readonly Piece[],
  opened: ReadonlyArray<Frame | undefined>,
  start: Pos,
  limit: number,
): Pos | null {
  const budget = limit - (start.frame?.reopenLen ?? 0);
  let f = start.frame;
  let used = 0;
  let seen = false;
  let contentEnd: Pos = start;
  const best: Array<Pos | null> = [null, null, null, null];
  let run = -1; // line breaks in the whitespace run being read; -1 outside a run
  let runAt: Pos = start;
  const endRun = () => {
    if (run >= 0 && seen) best[run >= 2 ? PARAGRAPH : run === 1 ? LINE : SPACE] = runAt;
    run = -1;
  };
  let stop: Stop | null = null;
  scan: for (let j = start.i; j < pieces.length; j++) {
    const p = pieces[j] as Piece;
    if (p.kind === 'text') {
      const text = p.text;
      const from = j === start.i ? start.off : 0;
      const pieceStart = contentEnd;
      const seenBefore = seen;
      const newline = 1 + (f?.prefix.length ?? 0);
      const close = f?.closeLen ?? 0;
      for (let k = from; k < text.length; k++) {
        const c = text.charCodeAt(k);
        const cost = c === 10 ? newline : 1;
        if (used + cost + close > budget) {
          for (let m = k; run >= 0 && m < text.length && isSpace(text.charCodeAt(m)); m++) {
            if (text.charCodeAt(m) === 10) run++;
          }
          stop = { i: j, off: k, pieceStart, seenBefore, room: 0 };
          break scan;
        }
        used += cost;
        if (isSpace(c)) {
          if (run < 0) {
            run = 0;
            runAt = contentEnd;
          }
          if (c === 10) run++;
        } else {
          endRun();
          seen = true;
          if (c < 0xd800 || c > 0xdbff) contentEnd = { i: j, off: k + 1, frame: f };
        }
      }
      continue;
    }
    endRun();
    if (p.kind === 'close') {
      if (!f) continue;
      used += f.close.length;
      f = f.parent;
      contentEnd = { i: j + 1, off: 0, frame: f };
      continue;
    }
    const next = p.kind === 'open' ? (opened[j] as Frame) : f;
    const from = j === start.i ? start.off : 0;
    const cost = p.kind === 'open' ? (next?.open.length ?? 0) : p.text.length - from;
    const room = budget - used - (next?.closeLen ?? 0);
    if (cost > room) {
      stop = { i: j, off: from, pieceStart: contentEnd, seenBefore: seen, room };
      break;
    }
    used += cost;
    f = next;
    if (p.kind === 'atom') {
      seen = true;
      contentEnd = { i: j + 1, off: 0, frame: f };
    }
  }
  endRun();
  if (!stop) return seen ? contentEnd : null;
  for (const kind of [PARAGRAPH, LINE, SPACE]) {
    const cut = best[kind];
    if (cut) return cut;
  }
  return hardEnd(pieces, opened, start, stop, f, seen ? contentEnd : null);
}

/** No whitespace to cut at: between grapheme clusters of the text at the limit, or before the piece that did not fit. */
function hardEnd(
  pieces: readonly Piece[],
  opened: ReadonlyArray<Frame | undefined>,
  start: Pos,
  stop: Stop,
  frame: Frame | null,
  contentEnd: Pos | null,
): Pos {
  const p = pieces[stop.i] as Piece;
  if (p.kind === 'text') {
    const from = stop.i === start.i ? start.off : 0;
    const text = p.text;
    const visibleBefore = (k: number) => stop.seenBefore || text.slice(from, k).trim() !== '';
    if (stop.off > from) {
      const cluster = clusterStart(text, from, stop.off);
      if (cluster > from && visibleBefore(cluster)) return { i: stop.i, off: cluster, frame };
    }
    if (stop.seenBefore) return stop.pieceStart;
    // One cluster longer than the whole budget: cut it, keeping surrogate pairs whole.
    const high = text.charCodeAt(stop.off - 1);
    const off = high >= 0xd800 && high <= 0xdbff ? stop.off - 1 : stop.off;
    if (off > from && visibleBefore(off)) return { i: stop.i, off, frame };
  } else if (contentEnd) {
    return contentEnd;
  } else if (p.kind === 'atom' && stop.room > 0) {
    // An atom longer than a whole message (a very long URL): better cut than over the limit.
    const high = p.text.charCodeAt(stop.off + stop.room - 1);
    const off = stop.off + stop.room - (high >= 0xd800 && high <= 0xdbff && stop.room > 1 ? 1 : 0);
    return { i: stop.i, off, frame };
  }
  // Not even one character fits beside the markup of the spans around it: unreachable with the
  // platforms' limits (nesting is capped); take one unit anyway rather than loop forever.
  return forceOne(pieces, opened, stop, frame);
}

function forceOne(
  pieces: readonly Piece[],
  opened: ReadonlyArray<Frame | undefined>,
  from: { i: number; off: number },
  frame: Frame | null,
): Pos {
  let f = frame;
  for (let i = from.i, off = from.off; i < pieces.length; i++, off = 0) {
    const p = pieces[i] as Piece;
    if (p.kind === 'atom') return { i: i + 1, off: 0, frame: f };
    if (p.kind === 'open') f = opened[i] as Frame;
    if (p.kind === 'close') f = f?.parent ?? null;
    if (p.kind === 'text') {
      for (let k = off; k < p.text.length; k++) {
        if (isSpace(p.text.charCodeAt(k))) continue;
        const high = p.text.charCodeAt(k);
        return { i, off: k + (high >= 0xd800 && high <= 0xdbff ? 2 : 1), frame: f };
      }
    }
  }
  return { i: pieces.length, off: 0, frame: f };
}

/** The chunk from `start` to `end`: resumed spans, the pieces, then the spans open at `end` closed. */
function emit(
  pieces: readonly Piece[],
  opened: ReadonlyArray<Frame | undefined>,
  start: Pos,
  end: Pos,
): string {
  const resumed: string[] = [];
  for (let f = start.frame; f; f = f.parent) resumed.push(f.reopen);
  let out = resumed.reverse().join('');
  let f = start.frame;
  for (let j = start.i; j < pieces.length && j <= end.i; j++) {
    const p = pieces[j] as Piece;
    if (p.kind === 'text' || p.kind === 'atom') {
      const text = p.text.slice(j === start.i ? start.off : 0, j === end.i ? end.off : p.text.length);
      out += p.kind === 'text' ? lines(text, f?.prefix ?? '') : text;
    } else if (j === end.i) {
      break;
    } else if (p.kind === 'open') {
      f = opened[j] as Frame;
      out += f.open;
    } else if (f) {
      out += f.close;
      f = f.parent;
    }
  }
  for (; f; f = f.parent) out += f.close;
  return out;
}
