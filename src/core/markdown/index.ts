/**
 * Agent Markdown for chat platforms: parsed by markdown-it (`parser.ts`, `parse.ts`) into a small
 * block/inline model (`model.ts`), rendered into a platform's dialect (`render.ts`, `table.ts`) and
 * split to its length limit without breaking the markup (`split-markup.ts`). Each adapter's
 * `format.ts` is one `Dialect`.
 */
export { fenceMarkers, ZWSP } from './fence.ts';
export { isSafeLink } from './links.ts';
export type { Block, Inline } from './model.ts';
export { plainInline, toPlainText } from './model.ts';
export { parseMarkdown } from './parse.ts';
export { type Dialect, PieceSink, renderChunks, renderMarkup } from './render.ts';
export type { Piece, Span } from './split-markup.ts';
