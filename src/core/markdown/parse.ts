/**
 * Agent Markdown → the block/inline model, through markdown-it: a thin reading of its token stream.
 * Links other than `http`, `https` and `mailto` become their text here, as does a bare address
 * markdown-it found without `http(s)://` or `www.` (`example.py`); an image becomes a link to it
 * with its alt text; a GFM task item (`- [x] done`) becomes an item with a box. Inline styles nested
 * deeper than `MAX_INLINE_DEPTH` keep their markers as text, so no input nests without bound.
 */
import type { Token } from 'markdown-it';
import { isSafeLink, MAX_HREF } from './links.ts';
import { type Align, type Block, type Inline, inlinesVisible, type ListItem, plainInline } from './model.ts';
import { createParser, DEEP_TEXT } from './parser.ts';

/** Inline styles nested deeper than this keep their markers as text. */
export const MAX_INLINE_DEPTH = 20;

const LANG = /^[\w#+.-]{1,32}$/;
const TASK = /^\[([ xX])\](?:[ \t]+|$)/;
const BARE_LINK = /^(?:https?:\/\/|www\.)/i;

const parser = createParser();

/** Parses agent Markdown into blocks. */
export function parseMarkdown(source: string): Block[] {
  const tokens = parser.parse(source, {});
  return readBlocks(tokens, { i: 0 }, null);
}

interface Cursor {
  i: number;
}

function readBlocks(tokens: readonly Token[], at: Cursor, close: string | null): Block[] {
  const blocks: Block[] = [];
  while (at.i < tokens.length) {
    const t = tokens[at.i++] as Token;
    if (t.type === close) return blocks;
    switch (t.type) {
      case 'paragraph_open':
        blocks.push({ type: 'paragraph', children: readInlineBlock(tokens, at) });
        break;
      case 'heading_open':
        blocks.push({
          type: 'heading',
          level: Number(t.tag.slice(1)),
          children: readInlineBlock(tokens, at),
        });
        break;
      case 'blockquote_open':
        blocks.push({ type: 'quote', children: readBlocks(tokens, at, 'blockquote_close') });
        break;
      case 'bullet_list_open':
      case 'ordered_list_open':
        blocks.push(readList(tokens, at, t));
        break;
      case 'fence': {
        const lang = t.info.trim().split(/\s+/)[0] ?? '';
        blocks.push({ type: 'code', lang: LANG.test(lang) ? lang : '', text: codeText(t.content) });
        break;
      }
      case 'code_block':
        blocks.push({ type: 'code', lang: '', text: codeText(t.content) });
        break;
      case 'hr':
        blocks.push({ type: 'rule' });
        break;
      case 'table_open':
        blocks.push(readTable(tokens, at));
        break;
      case DEEP_TEXT:
      case 'html_block':
        blocks.push({ type: 'paragraph', children: textLines(t.content.trim()) });
        break;
      case 'inline':
        blocks.push({ type: 'paragraph', children: readInline(t.children ?? []) });
        break;
    }
  }
  return blocks;
}

/** The inline token after an opening one, and the closing token after it. */
function readInlineBlock(tokens: readonly Token[], at: Cursor): Inline[] {
  const t = tokens[at.i];
  if (t?.type !== 'inline') return [];
  at.i += 2;
  return readInline(t.children ?? []);
}

function readList(tokens: readonly Token[], at: Cursor, open: Token): Block {
  const ordered = open.type === 'ordered_list_open';
  const start = ordered ? Number(open.attrGet('start') ?? 1) : 1;
  const items: ListItem[] = [];
  const close = ordered ? 'ordered_list_close' : 'bullet_list_close';
  while (at.i < tokens.length) {
    const t = tokens[at.i++] as Token;
    if (t.type === close) break;
    if (t.type === 'list_item_open') items.push(task(readBlocks(tokens, at, 'list_item_close')));
  }
  return { type: 'list', ordered, start: Number.isSafeInteger(start) ? start : 1, items };
}

/** A GFM task item: its first paragraph begins with `[ ]` or `[x]`, which becomes its box. */
function task(blocks: Block[]): ListItem {
  const first = blocks[0];
  const head = first?.type === 'paragraph' ? first.children[0] : undefined;
  const m = head?.type === 'text' ? TASK.exec(head.text) : null;
  if (!m || head?.type !== 'text') return { blocks, done: null };
  head.text = head.text.slice(m[0].length);
  return { blocks, done: m[1] !== ' ' };
}

function readTable(tokens: readonly Token[], at: Cursor): Block {
  const align: Align[] = [];
  const rows: Inline[][][] = [];
  while (at.i < tokens.length) {
    const t = tokens[at.i++] as Token;
    if (t.type === 'table_close') break;
    if (t.type === 'tr_open') rows.push([]);
    else if (t.type === 'th_open') {
      const style = t.attrGet('style') ?? '';
      align.push(
        /left/.test(style) ? 'left' : /center/.test(style) ? 'center' : /right/.test(style) ? 'right' : null,
      );
    } else if (t.type === 'inline') rows.at(-1)?.push(readInline(t.children ?? []));
  }
  const [head = [], ...body] = rows;
  return { type: 'table', align, head, rows: body };
}

/** A code block's text: no blank lines around it, no blanks at line ends. */
function codeText(content: string): string {
  const lines = content.split('\n').map((l) => l.trimEnd());
  let from = 0;
  let to = lines.length;
  while (from < to && lines[from] === '') from++;
  while (to > from && lines[to - 1] === '') to--;
  return lines.slice(from, to).join('\n');
}

function textLines(text: string): Inline[] {
  const out: Inline[] = [];
  for (const [n, line] of text.split('\n').entries()) {
    if (n > 0) out.push({ type: 'break' });
    if (line !== '') out.push({ type: 'text', text: line });
  }
  return out;
}

interface Frame {
  children: Inline[];
  /** Markers kept as text (too deep), or null for a real style or link. */
  literal: string | null;
  link?: Token;
}

function readInline(tokens: readonly Token[]): Inline[] {
  const root: Frame = { children: [], literal: null };
  const stack: Frame[] = [root];
  let depth = 0;
  const top = () => stack.at(-1) as Frame;
  const text = (s: string, into = top().children) => {
    if (s === '') return;
    const last = into.at(-1);
    if (last?.type === 'text') last.text += s;
    else into.push({ type: 'text', text: s });
  };
  for (const t of tokens) {
    switch (t.type) {
      case 'text':
      case 'text_special':
      case 'html_inline':
        text(t.content);
        break;
      case 'softbreak':
      case 'hardbreak':
        top().children.push({ type: 'break' });
        break;
      case 'code_inline':
        top().children.push({ type: 'code', text: t.content });
        break;
      case 'image':
        addLink(top().children, t.attrGet('src') ?? '', readInline(t.children ?? []), 'image');
        break;
      case 'strong_open':
      case 'em_open':
      case 's_open':
      case 'link_open': {
        if (depth >= MAX_INLINE_DEPTH) {
          text(t.type === 'link_open' ? '' : t.markup);
          stack.push({ children: top().children, literal: t.type === 'link_open' ? '' : t.markup });
          break;
        }
        depth++;
        stack.push({ children: [], literal: null, ...(t.type === 'link_open' ? { link: t } : {}) });
        break;
      }
      case 'strong_close':
      case 'em_close':
      case 's_close':
      case 'link_close': {
        if (stack.length === 1) break;
        const frame = stack.pop() as Frame;
        if (frame.literal !== null) {
          text(frame.literal);
          break;
        }
        depth--;
        const into = top().children;
        if (frame.link) {
          const link = frame.link;
          addLink(into, link.attrGet('href') ?? '', frame.children, link.markup);
        } else {
          const type = t.type === 'strong_close' ? 'strong' : t.type === 'em_close' ? 'em' : 'strike';
          into.push({ type, children: frame.children });
        }
        break;
      }
    }
  }
  // Unbalanced tokens (never from markdown-it): what is still open is flattened into its parent.
  while (stack.length > 1) {
    const frame = stack.pop() as Frame;
    if (frame.literal === null) top().children.push(...frame.children);
  }
  return root.children;
}

/**
 * A link, image or autolink, if it may be one: `kind` is the token's markup (`autolink`, `linkify`)
 * or `image`. Otherwise its text: an unsafe `<scheme:…>` keeps its brackets, as written.
 */
function addLink(into: Inline[], href: string, children: Inline[], kind: string): void {
  const shown = plainInline(children);
  const bare = kind === 'linkify' && !BARE_LINK.test(shown) && !href.startsWith('mailto:');
  if (!isSafeLink(href) || href.length > MAX_HREF || bare) {
    for (const node of kind === 'autolink'
      ? [{ type: 'text' as const, text: `<${shown}>` }]
      : unlink(children)) {
      const last = into.at(-1);
      if (node.type === 'text' && last?.type === 'text') last.text += node.text;
      else into.push(node);
    }
    return;
  }
  const label = unlink(children);
  const auto = kind === 'autolink' || kind === 'linkify';
  into.push({
    type: 'link',
    href,
    children: inlinesVisible(label) ? label : [{ type: 'text', text: href }],
    ...(auto ? { auto } : {}),
  });
}

/** Link text holds no links: an image inside it is just its text. */
function unlink(nodes: Inline[]): Inline[] {
  return nodes.flatMap((n): Inline[] => {
    if (n.type === 'link') return unlink(n.children);
    if (n.type === 'strong' || n.type === 'em' || n.type === 'strike') {
      return [{ type: n.type, children: unlink(n.children) }];
    }
    return [n];
  });
}
