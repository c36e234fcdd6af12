/**
 * The block/inline model the renderer walks: what the parser's tokens become (`parse.ts`), small
 * enough that every dialect writes each construct the same way. Helpers give a model's visible text.
 */

/** Inline content. `text` never holds a line break (that is a `break`). */
export type Inline =
  | { type: 'text'; text: string }
  | { type: 'strong' | 'em' | 'strike'; children: Inline[] }
  | { type: 'code'; text: string }
  /** `auto`: found in the text (`<https://…>`, a bare address), so its text is the address as written. */
  | { type: 'link'; href: string; children: Inline[]; auto?: boolean }
  | { type: 'break' };

/** A list item: its blocks and, for a GFM task item (`- [ ]`, `- [x]`), whether it is done. */
export interface ListItem {
  blocks: Block[];
  /** `null`: not a task. */
  done: boolean | null;
}

/** How a table column is aligned. */
export type Align = 'left' | 'center' | 'right' | null;

export type Block =
  | { type: 'paragraph'; children: Inline[] }
  | { type: 'heading'; level: number; children: Inline[] }
  | { type: 'code'; lang: string; text: string }
  | { type: 'list'; ordered: boolean; start: number; items: ListItem[] }
  | { type: 'quote'; children: Block[] }
  | { type: 'table'; align: Align[]; head: Inline[][]; rows: Inline[][][] }
  | { type: 'rule' };

/** What a thematic break looks like in every rendering. */
export const RULE_TEXT = '———';
/** A task item's box, open and done. */
export const TASK_TODO = '☐';
export const TASK_DONE = '☑';

/** Whether an inline sequence shows any non-blank character. */
export function inlinesVisible(nodes: readonly Inline[]): boolean {
  return nodes.some((n) =>
    n.type === 'text' || n.type === 'code'
      ? n.text.trim() !== ''
      : n.type === 'break'
        ? false
        : inlinesVisible(n.children),
  );
}

/** Whether a block shows anything (blank paragraphs, empty code blocks and items are skipped). */
export function blockVisible(block: Block): boolean {
  switch (block.type) {
    case 'paragraph':
    case 'heading':
      return inlinesVisible(block.children);
    case 'code':
      return block.text.trim() !== '';
    case 'rule':
      return true;
    case 'quote':
      return block.children.some(blockVisible);
    case 'list':
      return block.items.some(itemVisible);
    case 'table':
      return [block.head, ...block.rows].some((row) => row.some(inlinesVisible));
  }
}

/** Whether a list item shows anything: a task item always shows its box. */
export function itemVisible(item: ListItem): boolean {
  return item.done !== null || item.blocks.some(blockVisible);
}

/** A list item's marker: `•`, `3.`, or a task's box. */
export function itemMarker(list: { ordered: boolean; start: number }, n: number, item: ListItem): string {
  const box = item.done === null ? '' : item.done ? TASK_DONE : TASK_TODO;
  if (list.ordered) return box === '' ? `${list.start + n}.` : `${list.start + n}. ${box}`;
  return box === '' ? '•' : box;
}

/**
 * The text a reader sees, without markup: paragraphs separated by blank lines, headings as their
 * text, list items as `• item` / `1. item` (nested ones indented), code as is, links as their text,
 * table cells row by row.
 */
export function toPlainText(blocks: readonly Block[]): string {
  return plainBlocks(blocks, '\n\n');
}

function plainBlocks(blocks: readonly Block[], separator: string): string {
  return blocks.filter(blockVisible).map(plainBlock).join(separator);
}

function plainBlock(block: Block): string {
  switch (block.type) {
    case 'paragraph':
    case 'heading':
      return plainInline(block.children);
    case 'code':
      return block.text;
    case 'rule':
      return RULE_TEXT;
    case 'quote':
      return plainBlocks(block.children, '\n\n');
    case 'table':
      return [block.head, ...block.rows].map((row) => row.map(plainInline).join(' ')).join('\n');
    case 'list':
      return block.items
        .map((item, n) => {
          if (!itemVisible(item)) return '';
          const marker = `${itemMarker(block, n, item)} `;
          const pad = ' '.repeat(marker.length);
          return marker + plainBlocks(item.blocks, '\n').replaceAll('\n', `\n${pad}`);
        })
        .filter((line) => line !== '')
        .join('\n');
  }
}

/** The visible text of inline content. */
export function plainInline(nodes: readonly Inline[]): string {
  let out = '';
  for (const n of nodes) {
    if (n.type === 'text' || n.type === 'code') out += n.text;
    else if (n.type === 'break') out += '\n';
    else out += plainInline(n.children);
  }
  return out;
}
