/**
 * Renders the Markdown model into a platform dialect, as the piece stream `splitMarkup` cuts into
 * messages. A `Dialect` says how each construct is written and escaped; this walker does the rest
 * the same way for every platform: skipped blank blocks, blocks separated by a blank line (items by
 * a line break), nested quotes flattened, a style not repeated inside itself, code not nested in a
 * link, links only to `http`, `https` and `mailto` (any other link is written as its text), and
 * tables as a monospace grid when they fit, else as "header: value" lines, one paragraph per row.
 */
import { isSafeLink } from './links.ts';
import {
  type Block,
  blockVisible,
  type Inline,
  inlinesVisible,
  itemMarker,
  itemVisible,
  plainInline,
  RULE_TEXT,
} from './model.ts';
import { parseMarkdown } from './parse.ts';
import { type Piece, type Span, splitMarkup } from './split-markup.ts';
import { TABLE_WIDTH, tableGrid } from './table.ts';

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
  /** Whether bold, italic and strike end at a line break (Slack); they are closed and reopened around it. */
  stylesPerLine?: boolean;
  /** Widest table written as a monospace grid; default `TABLE_WIDTH`. */
  tableWidth?: number;
  /** A heading's span; `strong` when it already shows bold, so bold inside is not repeated. */
  heading(level: number): { span: Span; strong: boolean };
  quote: Span;
  codeBlock(lang: string): Span;
  /** A list item whose marker is `•`, `3.`, or a task's `☐` / `☑`. */
  item(marker: string): Span;
  /**
   * Applied to the agent's Markdown before it is parsed (the terminal removes control characters
   * there, so one inside a link address cannot unmake the link); default: none.
   */
  prepare?(markdown: string): string;
}

type Style = 'strong' | 'em' | 'strike' | 'link';

/** The model in `dialect`, as pieces for `splitMarkup`; `limit` bounds a table grid's width. */
export function renderMarkup(blocks: readonly Block[], dialect: Dialect, limit = Infinity): Piece[] {
  const out = new PieceSink();
  new Walker(dialect, out, limit).blocks(blocks, '\n\n', false);
  return out.pieces;
}

/**
 * Agent Markdown → messages in `dialect`, each within `limit`. Markdown with nothing visible in it
 * (an empty code block) is shown as its source rather than dropped; blank text gives `[]`.
 */
export function renderChunks(source: string, dialect: Dialect, limit: number): string[] {
  const markdown = dialect.prepare ? dialect.prepare(source) : source;
  const chunks = splitMarkup(renderMarkup(parseMarkdown(markdown), dialect, limit), limit);
  if (chunks.length > 0 || markdown.trim() === '') return chunks;
  const literal: Block = { type: 'paragraph', children: [{ type: 'text', text: markdown.trim() }] };
  return splitMarkup(renderMarkup([literal], dialect, limit), limit);
}

/** Styles split at every line break: `**a\nb**` → `**a**\n**b**`. */
function stylesByLine(nodes: readonly Inline[]): Inline[] {
  const out: Inline[] = [];
  for (const n of nodes) {
    if (n.type !== 'strong' && n.type !== 'em' && n.type !== 'strike') {
      out.push(n);
      continue;
    }
    let line: Inline[] = [];
    for (const child of stylesByLine(n.children)) {
      if (child.type !== 'break') {
        line.push(child);
        continue;
      }
      if (line.length > 0) out.push({ type: n.type, children: line });
      out.push(child);
      line = [];
    }
    if (line.length > 0) out.push({ type: n.type, children: line });
  }
  return out;
}

class Walker {
  readonly #dialect: Dialect;
  readonly #out: PieceSink;
  /** Widest table grid. */
  readonly #tableWidth: number;
  /** Longest message. */
  readonly #limit: number;

  constructor(dialect: Dialect, out: PieceSink, limit: number) {
    this.#dialect = dialect;
    this.#out = out;
    this.#limit = limit;
    this.#tableWidth = Math.min(dialect.tableWidth ?? TABLE_WIDTH, limit - 20);
  }

  /** Whether a span's markup takes at most a third of a message. */
  #fits(span: Span): boolean {
    return (span.reopen ?? span.open).length + span.open.length + span.close.length <= this.#limit / 3;
  }

  blocks(blocks: readonly Block[], separator: string, inQuote: boolean): void {
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
    const d = this.#dialect;
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
        // A language whose markup would fill much of a message is left out.
        out.open(this.#fits(d.codeBlock(block.lang)) ? d.codeBlock(block.lang) : d.codeBlock(''));
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
      case 'table':
        this.#table(block);
        return;
      case 'list': {
        let first = true;
        block.items.forEach((item, n) => {
          if (!itemVisible(item)) return;
          if (!first) out.text('\n');
          first = false;
          out.open(d.item(itemMarker(block, n, item)));
          this.blocks(item.blocks, '\n', inQuote);
          out.close();
        });
        return;
      }
    }
  }

  #table(table: Extract<Block, { type: 'table' }>): void {
    const out = this.#out;
    const d = this.#dialect;
    const rows = [table.head, ...table.rows];
    const cells = rows.map((row) => row.map((cell) => plainInline(cell).replace(/\s+/g, ' ').trim()));
    const grid = tableGrid(cells, table.align, this.#tableWidth);
    if (grid !== null) {
      out.open(d.codeBlock(''));
      d.code(out, grid);
      out.close();
      return;
    }
    // Too wide: each row a paragraph of "header: value" lines; a header alone when there is no body.
    const labelled = table.rows.length > 0;
    let firstRow = true;
    for (const row of labelled ? table.rows : [table.head]) {
      if (!row.some(inlinesVisible)) continue;
      if (!firstRow) out.text('\n\n');
      firstRow = false;
      let firstCell = true;
      row.forEach((cell, c) => {
        if (!inlinesVisible(cell)) return;
        if (!firstCell) out.text('\n');
        firstCell = false;
        const head = labelled ? table.head[c] : undefined;
        if (head && inlinesVisible(head)) {
          out.open(d.strong);
          this.#inlines(head, new Set(['strong']), false);
          out.close();
          d.text(out, ': ', false);
        }
        this.#inlines(cell, new Set(), false);
      });
    }
  }

  /** Writes inline nodes; returns whether the next text begins a line. */
  #inlines(nodes: readonly Inline[], active: ReadonlySet<Style>, lineStart: boolean): boolean {
    const out = this.#out;
    const d = this.#dialect;
    for (const node of d.stylesPerLine ? stylesByLine(nodes) : nodes) {
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
          const url = node.children.length === 1 && only?.type === 'text' ? only.text : '';
          const bare = safe && (url === node.href || (node.auto === true && /^https?:\/\//i.test(url)));
          let span = active.has('link') || bare || !safe ? null : d.link(node.href);
          // A link whose markup would fill much of a message is shown as its text.
          if (span && !this.#fits(span)) span = null;
          if (bare && !active.has('link')) {
            d.bareUrl(out, url);
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
