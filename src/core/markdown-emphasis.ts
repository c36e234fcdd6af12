/**
 * Emphasis for the inline parser: CommonMark's "process emphasis" over the delimiter runs (`*`,
 * `_`, `~~`) with its "openers bottom" (linear), then the tree built with an explicit stack, emphasis
 * nested deeper than `MAX_INLINE_DEPTH` kept as its markers in text.
 */
import type { Inline } from './markdown.ts';

/** Emphasis nested deeper than this keeps its markers as text. */
export const MAX_INLINE_DEPTH = 20;

/** A delimiter run: `**`, `_`, `~~`. */
export interface Delim {
  ch: string;
  /** Characters not yet matched. */
  len: number;
  origLen: number;
  canOpen: boolean;
  canClose: boolean;
  /** Sizes matched as an opener, innermost first. */
  opens: number[];
  /** Sizes matched as a closer, innermost first. */
  closes: number[];
}

/** What the inline scanner produced: text, a finished node, or a delimiter run. */
export type Tok =
  | { kind: 'text'; text: string; bracket?: true }
  | { kind: 'node'; node: Inline }
  | { kind: 'delim'; d: Delim };

/** CommonMark's "process emphasis", over all delimiters in `toks`. */
function matchEmphasis(toks: Tok[]): void {
  const ds: Delim[] = [];
  for (const t of toks) if (t.kind === 'delim') ds.push(t.d);
  const prev = ds.map((_, k) => k - 1);
  const next = ds.map((_, k) => k + 1);
  const remove = (k: number) => {
    const p = prev[k] as number;
    const n = next[k] as number;
    if (p >= 0) next[p] = n;
    if (n < ds.length) prev[n] = p;
  };
  const bottoms = new Map<string, number>();
  let cur = 0;
  while (cur < ds.length) {
    const closer = ds[cur] as Delim;
    if (!closer.canClose) {
      cur = next[cur] as number;
      continue;
    }
    const key = `${closer.ch}${closer.canOpen ? 1 : 0}${closer.origLen % 3}`;
    const bottom = bottoms.get(key) ?? -1;
    let o = prev[cur] as number;
    for (; o > bottom; o = prev[o] as number) {
      const opener = ds[o] as Delim;
      if (opener.ch !== closer.ch || !opener.canOpen || opener.len === 0) continue;
      const both = opener.canClose || closer.canOpen;
      const sum = opener.origLen + closer.origLen;
      if (both && sum % 3 === 0 && (opener.origLen % 3 !== 0 || closer.origLen % 3 !== 0)) continue;
      break;
    }
    if (o > bottom) {
      const opener = ds[o] as Delim;
      const use = closer.ch === '~' || (opener.len >= 2 && closer.len >= 2) ? 2 : 1;
      opener.len -= use;
      closer.len -= use;
      opener.opens.push(use);
      closer.closes.push(use);
      next[o] = cur; // everything between is text now
      prev[cur] = o;
      if (opener.len === 0) remove(o);
      if (closer.len === 0) {
        remove(cur);
        cur = next[cur] as number;
      }
    } else {
      bottoms.set(key, prev[cur] as number);
      if (!closer.canOpen) remove(cur);
      cur = next[cur] as number;
    }
  }
}

interface Frame {
  children: Inline[];
  /** Opening markers kept as text (nesting too deep), or '' for a real node. */
  literal: string;
}

/** Matches emphasis and builds the tree, with an explicit stack. */
export function build(toks: Tok[]): Inline[] {
  matchEmphasis(toks);
  const root: Frame = { children: [], literal: '' };
  const stack: Frame[] = [root];
  let depth = 0;
  const top = () => stack.at(-1) as Frame;
  const text = (s: string) => {
    if (s === '') return;
    const kids = top().children;
    const last = kids.at(-1);
    if (last?.type === 'text') last.text += s;
    else kids.push({ type: 'text', text: s });
  };
  for (const t of toks) {
    if (t.kind === 'text') text(t.text);
    else if (t.kind === 'node') {
      if (t.node.type === 'text') text(t.node.text);
      else top().children.push(t.node);
    } else {
      const { d } = t;
      for (let k = 0; k < d.closes.length && stack.length > 1; k++) {
        const frame = stack.pop() as Frame;
        if (frame.literal) text(frame.literal);
        else depth--;
      }
      text(d.ch.repeat(d.len));
      for (let k = d.opens.length - 1; k >= 0; k--) {
        const use = d.opens[k] as number;
        const marker = d.ch.repeat(use);
        if (depth >= MAX_INLINE_DEPTH) {
          text(marker);
          // Shares the parent's children: what is inside goes on as if unformatted.
          stack.push({ children: top().children, literal: marker });
          continue;
        }
        const type = d.ch === '~' ? 'strike' : use === 2 ? 'strong' : 'em';
        const node: Inline = { type, children: [] };
        top().children.push(node);
        stack.push({ children: node.children, literal: '' });
        depth++;
      }
    }
  }
  return root.children;
}
