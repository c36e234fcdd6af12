/**
 * A table as a monospace grid, when it is narrow enough to read on a phone: columns padded to the
 * widest cell (emoji and East Asian wide characters count two), aligned as the table says, separated
 * by `│`, the header underlined with `─┼─`. Wider tables are written row by row as "header: value"
 * lines by the renderer instead.
 */
import type { Align } from './model.ts';

/** Widest grid, in columns, written as a monospace block: about what a phone shows unwrapped. */
export const TABLE_WIDTH = 48;

const ASCII = /^[\x20-\x7e]*$/;
const WIDE =
  /\p{Extended_Pictographic}|\p{Regional_Indicator}|[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;
const MARK = /^\p{M}+$/u;

let graphemes: Intl.Segmenter | undefined;

/** How many monospace columns `text` takes. */
export function displayWidth(text: string): number {
  if (ASCII.test(text)) return text.length;
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let width = 0;
  for (const { segment } of graphemes.segment(text)) {
    if (WIDE.test(segment)) width += 2;
    else if (!MARK.test(segment)) width += 1;
  }
  return width;
}

function pad(text: string, width: number, align: Align): string {
  const room = width - displayWidth(text);
  if (room <= 0) return text;
  if (align === 'right') return ' '.repeat(room) + text;
  if (align === 'center') {
    const left = Math.floor(room / 2);
    return ' '.repeat(left) + text + ' '.repeat(room - left);
  }
  return text + ' '.repeat(room);
}

/**
 * `rows` (the header first, then the body, each cell one line of plain text) as a grid at most
 * `maxWidth` columns wide, or null when it would be wider.
 */
export function tableGrid(
  rows: readonly (readonly string[])[],
  align: readonly Align[],
  maxWidth: number,
): string | null {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = new Array<number>(columns).fill(0);
  for (const row of rows) {
    row.forEach((cell, c) => {
      widths[c] = Math.max(widths[c] as number, displayWidth(cell));
    });
  }
  const total = widths.reduce((a, b) => a + b, 0) + 3 * (columns - 1);
  if (columns === 0 || total > maxWidth) return null;
  const line = (row: readonly string[]) =>
    widths
      .map((w, c) => pad(row[c] ?? '', w, align[c] ?? null))
      .join(' │ ')
      .trimEnd();
  const [head = [], ...body] = rows;
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─');
  return [line(head), rule, ...body.map(line)].join('\n');
}
