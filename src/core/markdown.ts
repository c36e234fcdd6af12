/**
 * A small, forgiving Markdown parser for agent replies: CommonMark's common subset (paragraphs,
 * ATX and setext headings, fenced code, block quotes, bullet and ordered lists, thematic breaks) plus
 * GFM strikethrough and bare URLs, into a tiny AST. Chat-style: every line break inside a paragraph
 * is kept. It never throws, runs in time about linear in the input, and bounds nesting (deeper
 * quotes and lists are read as text), so no input can blow the stack.
 */
import { inlinesVisible, parseInline } from './markdown-inline.ts';

export { inlinesVisible };

/** Inline content. `text` never holds a line break (that is a `break`). */
export type Inline =
  | { type: 'text'; text: string }
  | { type: 'strong' | 'em' | 'strike'; children: Inline[] }
  | { type: 'code'; text: string }
  | { type: 'link'; href: string; children: Inline[] }
  | { type: 'break' };

export type Block =
  | { type: 'paragraph'; children: Inline[] }
  | { type: 'heading'; level: number; children: Inline[] }
  | { type: 'code'; lang: string; text: string }
  | { type: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { type: 'quote'; children: Block[] }
  | { type: 'rule' };

/** Quotes and lists nested deeper than this are read as plain text. */
export const MAX_BLOCK_DEPTH = 20;
/** What a thematic break looks like in every rendering. */
export const RULE_TEXT = '———';

const FENCE = /^( *)(`{3,}|~{3,})(.*)$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?/;
const ITEM = /^( *)([-*+]|(\d{1,9})[.)])( +|$)/;
const LANG = /^[\w#+.-]{1,32}$/;

/** Parses Markdown into blocks. */
export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('\t') || line.startsWith(' \t')) {
      lines[i] = line.replace(/^[ \t]+/, (ws) => ws.replace(/\t/g, '    '));
    }
  }
  return parseBlocks(lines, 0);
}

const isBlank = (line: string) => line.trim() === '';
const indentOf = (line: string) => line.length - line.trimStart().length;

function isFence(line: string): RegExpExecArray | null {
  const m = FENCE.exec(line);
  if (!m || (m[1] as string).length > 3) return null;
  return (m[2] as string)[0] === '`' && (m[3] as string).includes('`') ? null : m;
}

/** A line that ends a paragraph without a blank line before it. */
function interrupts(line: string, depth: number): boolean {
  if (isFence(line) || HEADING.test(line) || RULE.test(line)) return true;
  if (depth >= MAX_BLOCK_DEPTH) return false;
  if (QUOTE.test(line)) return true;
  const item = ITEM.exec(line);
  return item !== null && line.slice(item[0].length).trim() !== '' && (!item[3] || item[3] === '1');
}

function parseBlocks(lines: string[], depth: number): Block[] {
  const blocks: Block[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length > 0) blocks.push({ type: 'paragraph', children: parseInline(para.join('\n')) });
    para = [];
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (isBlank(line)) {
      flush();
      i++;
      continue;
    }
    const setext = para.length > 0 ? SETEXT.exec(line) : null;
    if (setext) {
      const children = parseInline(para.join('\n'));
      para = [];
      blocks.push({ type: 'heading', level: (setext[1] as string)[0] === '=' ? 1 : 2, children });
      i++;
      continue;
    }
    if (para.length > 0 && !interrupts(line, depth)) {
      para.push(line.trimEnd());
      i++;
      continue;
    }
    flush();
    const fence = isFence(line);
    const heading = fence ? null : HEADING.exec(line);
    if (fence) {
      i = parseFence(lines, i, fence, blocks);
    } else if (heading) {
      const level = (heading[1] as string).length;
      blocks.push({ type: 'heading', level, children: parseInline((heading[2] ?? '').trim()) });
      i++;
    } else if (RULE.test(line)) {
      blocks.push({ type: 'rule' });
      i++;
    } else if (depth < MAX_BLOCK_DEPTH && QUOTE.test(line)) {
      i = parseQuote(lines, i, depth, blocks);
    } else if (depth < MAX_BLOCK_DEPTH && ITEM.test(line)) {
      i = parseList(lines, i, depth, blocks);
    } else {
      para.push(line.trim());
      i++;
    }
  }
  flush();
  return blocks;
}

/** A fenced code block from line `i`; an unclosed fence runs to the end. Returns the next line. */
function parseFence(lines: string[], i: number, fence: RegExpExecArray, blocks: Block[]): number {
  const indent = (fence[1] as string).length;
  const marker = fence[2] as string;
  const info = (fence[3] as string).trim().split(/\s+/)[0] ?? '';
  const body: string[] = [];
  let j = i + 1;
  for (; j < lines.length; j++) {
    const line = lines[j] as string;
    const close = isFence(line);
    if (close && (close[2] as string)[0] === marker[0] && (close[2] as string).length >= marker.length) {
      if ((close[3] as string).trim() === '') break;
    }
    body.push(line.slice(Math.min(indent, indentOf(line))));
  }
  // Leading and trailing blank lines carry nothing; indentation of the first line is kept.
  let from = 0;
  let to = body.length;
  while (from < to && isBlank(body[from] as string)) from++;
  while (to > from && isBlank(body[to - 1] as string)) to--;
  const text = body
    .slice(from, to)
    .map((l) => l.trimEnd())
    .join('\n');
  blocks.push({ type: 'code', lang: LANG.test(info) ? info : '', text });
  return j + 1;
}

function parseQuote(lines: string[], i: number, depth: number, blocks: Block[]): number {
  const inner: string[] = [];
  let j = i;
  for (; j < lines.length; j++) {
    const line = lines[j] as string;
    const marker = QUOTE.exec(line);
    if (marker) {
      inner.push(line.slice(marker[0].length));
      continue;
    }
    // Lazy continuation: a paragraph line inside the quote may drop its `>`.
    const previous = inner.at(-1) ?? '';
    if (isBlank(line) || isBlank(previous) || interrupts(line, depth)) break;
    inner.push(line);
  }
  blocks.push({ type: 'quote', children: parseBlocks(inner, depth + 1) });
  return j;
}

function parseList(lines: string[], i: number, depth: number, blocks: Block[]): number {
  const first = ITEM.exec(lines[i] as string) as RegExpExecArray;
  const ordered = first[3] !== undefined;
  const kind = ordered ? (first[2] as string).slice(-1) : first[2];
  const list: Block = { type: 'list', ordered, start: ordered ? Number(first[3]) : 1, items: [] };
  let j = i;
  while (j < lines.length) {
    const item = ITEM.exec(lines[j] as string);
    if (!item || (ordered ? (item[2] as string).slice(-1) : item[2]) !== kind) break;
    const markerIndent = (item[1] as string).length;
    const spaces = (item[4] as string).length;
    const contentIndent =
      markerIndent + (item[2] as string).length + (spaces > 4 || spaces === 0 ? 1 : spaces);
    const body = [(lines[j] as string).slice(item[0].length)];
    j++;
    while (j < lines.length) {
      const line = lines[j] as string;
      if (isBlank(line)) {
        let k = j + 1;
        while (k < lines.length && isBlank(lines[k] as string)) k++;
        if (k >= lines.length || indentOf(lines[k] as string) <= markerIndent) break;
        for (; j < k; j++) body.push('');
        continue;
      }
      const indent = indentOf(line);
      if (indent > markerIndent) {
        body.push(line.slice(Math.min(indent, contentIndent)));
      } else if (!isBlank(body.at(-1) as string) && !interrupts(line, depth) && !ITEM.test(line)) {
        body.push(line); // lazy continuation of the item's paragraph
      } else {
        break;
      }
      j++;
    }
    list.items.push(parseBlocks(body, depth + 1));
    let k = j;
    while (k < lines.length && isBlank(lines[k] as string)) k++;
    if (k < lines.length && ITEM.test(lines[k] as string)) j = k;
    else break;
  }
  blocks.push(list);
  return j;
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
      return block.items.some((item) => item.some(blockVisible));
  }
}

/**
 * The text a reader sees, without markup: paragraphs separated by blank lines, headings as their
 * text, list items as `• item` / `1. item` (nested ones indented), code as is, links as their text.
 */
export function toPlainText(blocks: Block[]): string {
  return plainBlocks(blocks, '\n\n');
}

function plainBlocks(blocks: Block[], separator: string): string {
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
    case 'list':
      return block.items
        .map((item, n) => {
          if (!item.some(blockVisible)) return '';
          const marker = block.ordered ? `${block.start + n}. ` : '• ';
          const pad = ' '.repeat(marker.length);
          return marker + plainBlocks(item, '\n').replaceAll('\n', `\n${pad}`);
        })
        .filter((line) => line !== '')
        .join('\n');
  }
}

/** The visible text of inline content. */
export function plainInline(nodes: Inline[]): string {
  let out = '';
  for (const n of nodes) {
    if (n.type === 'text' || n.type === 'code') out += n.text;
    else if (n.type === 'break') out += '\n';
    else out += plainInline(n.children);
  }
  return out;
}
