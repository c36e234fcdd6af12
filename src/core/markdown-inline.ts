/**
 * Inline Markdown: code spans, links (`[text](url)`, `<url>`, bare `https://…`), backslash escapes,
 * and emphasis (`*`, `_`, `~~`) matched with CommonMark's delimiter-run rules, so `snake_case` and
 * a lone `*` stay text. Linear in the input: code-span closers are looked up by run length, the
 * emphasis search keeps CommonMark's "openers bottom", and nesting is capped (deeper markers are text).
 */

import type { Inline } from './markdown.ts';
import { build, type Delim, type Tok } from './markdown-emphasis.ts';

/** Longest link destination read as a link. */
export const MAX_HREF = 1000;

const PUNCT = /[\p{P}\p{S}]/u;
const SPACE = /\s/u;
const ESCAPABLE = /[!-/:-@[-`{-~]/;
const PLAIN_RUN = /[^\\`*_~[\]<h\n]+/y;
const AUTOLINK = /<((?:https?:\/\/|mailto:)[^\s<>]*)>/iy;
const BARE_URL = /https?:\/\/[^\s<>`\\[\]]+/y;
const SAFE_LINK = /^(?:https?:\/\/|mailto:)/i;

/**
 * Whether a reply may link to `href`: `http`, `https` and `mailto` only, on every platform. Anything
 * else (`tg://user?id=…` pings a user, `tg://join?…` lures into a group, `javascript:`, relative
 * paths) is shown as its text.
 */
export function isSafeLink(href: string): boolean {
  return SAFE_LINK.test(href);
}

/** Parses one paragraph's (or heading's) text; `\n` become line breaks. */
export function parseInline(src: string): Inline[] {
  return new InlineParser(src).parse();
}

class InlineParser {
  readonly #src: string;
  #toks: Tok[] = [];
  /** Indices in `#toks` of `[` not yet closed; cleared once a link forms (no links in links). */
  #brackets: number[] = [];
  /** Backtick runs by length: start positions, and a cursor past the ones already behind. */
  #runs = new Map<number, { at: number[]; next: number }>();
  /** Characters link destinations may still scan: keeps `[](` × 100,000 linear. */
  #linkBudget: number;

  constructor(src: string) {
    this.#src = src;
    this.#linkBudget = 4 * src.length + 10_000;
    for (const m of src.matchAll(/`+/g)) {
      const entry = this.#runs.get(m[0].length) ?? { at: [], next: 0 };
      entry.at.push(m.index);
      this.#runs.set(m[0].length, entry);
    }
  }

  parse(): Inline[] {
    const src = this.#src;
    let i = 0;
    while (i < src.length) {
      const c = src[i] as string;
      if (c === '\\') i = this.#escape(i);
      else if (c === '`') i = this.#codeSpan(i);
      else if (c === '*' || c === '_' || c === '~') i = this.#delim(i, c);
      else if (c === '[') {
        this.#brackets.push(this.#toks.length);
        this.#toks.push({ kind: 'text', text: '[', bracket: true });
        i++;
      } else if (c === ']') i = this.#closeBracket(i);
      else if (c === '<') i = this.#autolink(i);
      else if (c === 'h') i = this.#bareUrl(i);
      else if (c === '\n') {
        const last = this.#toks.at(-1);
        if (last?.kind === 'text') last.text = last.text.trimEnd();
        this.#node({ type: 'break' });
        i++;
      } else {
        PLAIN_RUN.lastIndex = i;
        const run = PLAIN_RUN.exec(src)?.[0] ?? c;
        this.#text(run);
        i += run.length;
      }
    }
    return build(this.#toks);
  }

  #text(text: string): void {
    const last = this.#toks.at(-1);
    if (last?.kind === 'text' && !last.bracket) {
      last.text += text;
    } else {
      this.#toks.push({ kind: 'text', text });
    }
  }

  #node(node: Inline): void {
    this.#toks.push({ kind: 'node', node });
  }

  #escape(i: number): number {
    const next = this.#src[i + 1];
    if (next === '\n') {
      this.#node({ type: 'break' });
      return i + 2;
    }
    if (next !== undefined && ESCAPABLE.test(next)) {
      this.#text(next);
      return i + 2;
    }
    this.#text('\\');
    return i + 1;
  }

  #codeSpan(i: number): number {
    const src = this.#src;
    let k = i;
    while (src[k] === '`') k++;
    const len = k - i;
    const runs = this.#runs.get(len);
    if (runs) {
      while (runs.next < runs.at.length && (runs.at[runs.next] as number) < k) runs.next++;
      const close = runs.at[runs.next];
      if (close !== undefined) {
        let text = src.slice(k, close).replaceAll('\n', ' ');
        if (text.length > 2 && text.startsWith(' ') && text.endsWith(' ') && text.trim() !== '') {
          text = text.slice(1, -1);
        }
        this.#node({ type: 'code', text });
        return close + len;
      }
    }
    this.#text(src.slice(i, k));
    return k;
  }

  #delim(i: number, ch: string): number {
    const src = this.#src;
    let k = i;
    while (src[k] === ch) k++;
    const len = k - i;
    if (ch === '~' && len !== 2) {
      this.#text(src.slice(i, k));
      return k;
    }
    const before = src[i - 1] ?? '\n';
    const after = src[k] ?? '\n';
    const spaceBefore = SPACE.test(before);
    const spaceAfter = SPACE.test(after);
    const punctBefore = PUNCT.test(before);
    const punctAfter = PUNCT.test(after);
    const left = !spaceAfter && (!punctAfter || spaceBefore || punctBefore);
    const right = !spaceBefore && (!punctBefore || spaceAfter || punctAfter);
    const underscore = ch === '_';
    const d: Delim = {
      ch,
      len,
      origLen: len,
      canOpen: underscore ? left && (!right || punctBefore) : left,
      canClose: underscore ? right && (!left || punctAfter) : right,
      opens: [],
      closes: [],
    };
    this.#toks.push({ kind: 'delim', d });
    return k;
  }

  /** `](dest)` after an open `[` makes a link of everything since; else the `]` is text. */
  #closeBracket(i: number): number {
    const opener = this.#brackets.pop();
    const dest = opener === undefined || this.#linkBudget < 0 ? null : destination(this.#src, i + 1);
    if (dest) this.#linkBudget -= dest.scanned;
    if (opener === undefined || dest === null || dest.end < 0) {
      this.#text(']');
      return i + 1;
    }
    const inner = this.#toks.splice(opener);
    inner.shift();
    this.#brackets.length = 0;
    let children = unlink(build(inner));
    if (!inlinesVisible(children)) children = [{ type: 'text', text: dest.href }];
    if (isSafeLink(dest.href)) {
      this.#node({ type: 'link', href: dest.href, children });
    } else {
      for (const child of children) this.#node(child);
    }
    return dest.end;
  }

  #autolink(i: number): number {
    AUTOLINK.lastIndex = i;
    const m = AUTOLINK.exec(this.#src);
    if (!m || (m[1] as string).length > MAX_HREF) {
      this.#text('<');
      return i + 1;
    }
    const href = m[1] as string;
    this.#node({ type: 'link', href, children: [{ type: 'text', text: href }] });
    return i + m[0].length;
  }

  #bareUrl(i: number): number {
    const before = this.#src[i - 1];
    BARE_URL.lastIndex = i;
    const m = before !== undefined && /[\p{L}\p{N}_]/u.test(before) ? null : BARE_URL.exec(this.#src);
    if (!m) {
      this.#text('h');
      return i + 1;
    }
    // No brackets: `[https://a](https://b)` is a link, not one long URL.
    let url = (m[0] as string).replace(/[?!.,:;*_~'"]+$/, '');
    // A closing parenthesis belongs to the URL only when it balances one inside it.
    while (url.endsWith(')') && count(url, '(') < count(url, ')')) url = url.slice(0, -1);
    if (url.length > MAX_HREF || /^https?:\/\/$/i.test(url)) {
      this.#text(url);
      return i + url.length;
    }
    this.#node({ type: 'link', href: url, children: [{ type: 'text', text: url }] });
    return i + url.length;
  }
}

/** Whether an inline sequence shows any non-blank character. */
export function inlinesVisible(nodes: Inline[]): boolean {
  return nodes.some((n) =>
    n.type === 'text' || n.type === 'code'
      ? n.text.trim() !== ''
      : n.type === 'break'
        ? false
        : inlinesVisible(n.children),
  );
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}

/**
 * `(url)` or `(<url> "title")` at `at`: the URL and the index after `)` (-1: no destination there),
 * and how many characters were looked at.
 */
function destination(src: string, at: number): { href: string; end: number; scanned: number } | null {
  if (src[at] !== '(') return null;
  const fail = (i: number) => ({ href: '', end: -1, scanned: i - at });
  let i = at + 1;
  while (src[i] === ' ') i++;
  let href = '';
  if (src[i] === '<') {
    const window = src.slice(i, i + MAX_HREF + 2).indexOf('>');
    if (window < 0) return fail(i + MAX_HREF);
    const close = i + window;
    href = src.slice(i + 1, close);
    if (/[\n<]/.test(href)) return fail(close);
    i = close + 1;
  } else {
    let depth = 0;
    const start = i;
    for (; i < src.length && i - start <= MAX_HREF; i++) {
      const c = src[i] as string;
      if (c === '\\' && ESCAPABLE.test(src[i + 1] ?? '')) i++;
      else if (c === '(') depth++;
      else if (c === ')' && depth-- === 0) break;
      else if (SPACE.test(c)) break;
    }
    if (i - start > MAX_HREF) return fail(i);
    href = src.slice(start, i).replace(/\\([!-/:-@[-`{-~])/g, '$1');
  }
  while (src[i] === ' ') i++;
  const title = /^(?:"[^"\n]*"|'[^'\n]*')/.exec(src.slice(i, i + MAX_HREF));
  if (title) i += title[0].length;
  while (src[i] === ' ') i++;
  return src[i] === ')' && href !== '' ? { href, end: i + 1, scanned: i - at } : fail(i);
}

/** Link text holds no links: an autolink or bare URL inside it is just its text. */
function unlink(nodes: Inline[]): Inline[] {
  return nodes.flatMap((n): Inline[] => {
    if (n.type === 'link') return unlink(n.children);
    if (n.type === 'strong' || n.type === 'em' || n.type === 'strike') {
      return [{ type: n.type, children: unlink(n.children) }];
    }
    return [n];
  });
}
