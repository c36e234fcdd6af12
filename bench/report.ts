/** The rows of the printed table, number formatting, percentiles and the scale knobs. */

/** One line of the table: a figure, the target it is held against, and whether it met it. */
export interface Row {
  scenario: string;
  figure: string;
  target?: string;
  /** Absent for figures that have no target of their own. */
  met?: boolean;
}

/** What a scenario hands back: its figures for results.json and its lines of the table. */
export interface Outcome<T> {
  result: T;
  rows: Row[];
}

/** A number with thousands separators and `digits` decimals. */
export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The `p`-th percentile (0–100) of ascending `sorted` values, by nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** A positive number from the environment variable `name`, else `fallback`. */
export function knob(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, not "${raw}"`);
  return value;
}

/** The table, one row per line, columns padded. */
export function formatTable(rows: readonly Row[]): string {
  const lines = [
    ['scenario', 'figure', 'target', ''],
    ...rows.map((r) => [
      r.scenario,
      r.figure,
      r.target ?? '',
      r.met === undefined ? '' : r.met ? 'met' : 'MISSED',
    ]),
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...lines.map((l) => (l[c] ?? '').length)));
  return lines
    .map((l) =>
      l
        .map((cell, c) => (c < 3 ? cell.padEnd(widths[c] ?? 0) : cell))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
