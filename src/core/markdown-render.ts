/**
 * Renders the Markdown AST into a platform dialect, as the piece stream `splitMarkup` cuts into
 * messages. A `Dialect` says how each construct is written and escaped; this walker does the rest
 * the same way for every platform: skipped blank blocks, blocks separated by a blank line (items by
 * a line break), nested quotes flattened, a style not repeated inside itself, code not nested in a
 * link, and links only to `http`, `https` and `mailto` (any other link is written as its text).
 */
import {
  type Block,
  blockVisible,
  type Inline,
  inlinesVisible,
  parseMarkdown,
  plainInline,
  RULE_TEXT,
} from './markdown.ts';
import { isSafeLink } from './markdown-inline.ts';
import { type Piece, type Span, splitMarkup } from './split-markup.ts';

/** Collects pieces, merging adjacent text. */
export class PieceSink {
  readonly pieces: Piece[] = [];

  /** Text that may be cut at whitespace or between grapheme clusters. */
  text(text: string): void {
    if (text === '') return;
    const last = this.pieces.at(-1);
    if (last?.kind === 'text') last.text += text;
    else this.pieces.push({ kind: 'text', text });
  }

  /** A unit never cut (an entity, an escape); never whitespace. */
  atom(text: string): void {
    if (text !== '') this.pieces.push({ kind: 'atom', text });
  }

  open(span: Span): void {
    this.pieces.push({ kind: 'open', span });
  }

  close(): void {
    this.pieces.push({ kind: 'close' });
  }
}

/** How one platform writes Markdown's constructs. */
export interface Dialect {
  /** Writes visible text, escaped; `lineStart` when it begins a line (where Markdown syntax would start). */
  text(out: PieceSink, text: string, lineStart: boolean): void;
  /** Writes the text of inline code or a code block. */
  code(out: PieceSink, text: string): void;
  strong: Span;
  em: Span;
  strike: Span;
  /** Inline code holding `text`, or null to show it as plain text. */
  inlineCode(text: string): Span | null;
  /** A link to `href`, or null to show only its text (a scheme or length the platform refuses). */
  link(href: string): Span | null;
  /** Writes a bare URL (a link whose text is its address). */
  bareUrl(out: PieceSink, url: string): void;
  /** Whether link text keeps its formatting; else it is written as plain text. */
  richLinkText: boolean;
  /** A heading's span; `strong` when it already shows bold, so bold inside is not repeated. */
  heading(level: number): { span: Span; strong: boolean };
  quote: Span;
  codeBlock(lang: string): Span;
  /** A list item whose marker is `•` or `3.`. */
  item(marker: string): Span;
}

type Style = 'strong' | 'em' | 'strike' | 'link';

/** The AST in `dialect`, as pieces for `splitMarkup`. */
export function renderMarkup(blocks: Block[], dialect: Dialect): Piece[] {
  const out = new PieceSink();
  new Walker(dialect, out).blocks(blocks, '\n\n', false);
  return out.pieces;
}

/**
 * Agent Markdown → messages in `dialect`, each within `limit`. Markdown with nothing visible in it
 * (an empty code block) is shown as its source rather than dropped; blank text gives `[]`.
 */
export function renderChunks(markdown: string, dialect: Dialect, limit: number): string[] {
  const chunks = splitMarkup(renderMarkup(parseMarkdown(markdown), dialect), limit);
  if (chunks.length > 0 || markdown.trim() === '') return chunks;
  const literal: Block = { type: 'paragraph', children: [{ type: 'text', text: markdown.trim() }] };
  return splitMarkup(renderMarkup([literal], dialect), limit);
}

class Walker {
  readonly #d: Dialect;
  readonly #out: PieceSink;

  constructor(dialect: Dialect, out: PieceSink) {
    this.#d = dialect;
    this.#out = out;
  }

  blocks(blocks: Block[], separator: string, inQuote: boolean): void {
    let first = true;
    for (const block of blocks) {
      if (!blockVisible(block)) continue;
      if (!first) this.#out.text(separator);
      first = false;
      this.#block(block, inQuote);
    }
  }

  #block(block: Block, inQuote: boolean): void {
    const out = this.#out;
    const d = this.#d;
    switch (block.type) {
      case 'paragraph':
        this.#inlines(block.children, new Set(), true);
        return;
      case 'heading': {
        const { span, strong } = d.heading(block.level);
        out.open(span);
        this.#inlines(block.children, new Set(strong ? ['strong'] : []), false);
        out.close();
        return;
      }
      case 'code':
        out.open(d.codeBlock(block.lang));
        d.code(out, block.text);
        out.close();
        return;
      case 'rule':
        out.text(RULE_TEXT);
        return;
      case 'quote':
        // No platform nests quotes: an inner quote is just more of the outer one.
        if (!inQuote) out.open(d.quote);
        this.blocks(block.children, '\n\n', true);
        if (!inQuote) out.close();
        return;
      case 'list': {
        let first = true;
        block.items.forEach((item, n) => {
          if (!item.some(blockVisible)) return;
          if (!first) out.text('\n');
          first = false;
          out.open(d.item(block.ordered ? `${block.start + n}.` : '•'));
          this.blocks(item, '\n', inQuote);
          out.close();
        });
        return;
      }
    }
  }

  /** Writes inline nodes; returns whether the next text begins a line. */
  #inlines(nodes: Inline[], active: ReadonlySet<Style>, lineStart: boolean): boolean {
    const out = this.#out;
    const d = this.#d;
    for (const node of nodes) {
      switch (node.type) {
        case 'text':
          if (node.text === '') break;
          d.text(out, node.text, lineStart);
          lineStart = false;
          break;
        case 'break':
          out.text('\n');
          lineStart = true;
          break;
        case 'code': {
          const span = node.text.trim() !== '' && !active.has('link') ? d.inlineCode(node.text) : null;
          if (span) {
            out.open(span);
            d.code(out, node.text);
            out.close();
          } else {
            d.text(out, node.text, lineStart);
          }
          lineStart = false;
          break;
        }
        case 'link': {
          const only = node.children[0];
          const safe = isSafeLink(node.href);
          const bare = safe && node.children.length === 1 && only?.type === 'text' && only.text === node.href;
          const span = active.has('link') || bare || !safe ? null : d.link(node.href);
          if (bare && !active.has('link')) {
            d.bareUrl(out, node.href);
            lineStart = false;
          } else if (!span) {
            lineStart = this.#inlines(node.children, active, lineStart);
          } else {
            out.open(span);
            if (d.richLinkText) this.#inlines(node.children, new Set([...active, 'link']), false);
            else d.text(out, plainInline(node.children).replaceAll('\n', ' '), false);
            out.close();
            lineStart = false;
          }
          break;
        }
        default: {
          if (active.has(node.type) || !inlinesVisible(node.children)) {
            lineStart = this.#inlines(node.children, active, lineStart);
            break;
          }
          out.open(d[node.type]);
          lineStart = this.#inlines(node.children, new Set([...active, node.type]), lineStart);
          out.close();
        }
      }
    }
    return lineStart;
  }
}
