/**
 * The payload guards of every normalizer: a platform's JSON is read field by field through these,
 * so a missing or mistyped field is `undefined` (or empty), never a thrown error or a wrong type.
 */

/** A JSON object read loosely: any field may be anything. */
export type Loose = Record<string, unknown>;

/** `value` when it is a plain object (not null, not an array). */
export function record(value: unknown): Loose | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Loose) : undefined;
}

/** `value` when it is a string (empty included). */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `value` when it is a string with something in it. */
export function filled(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `value` when it is a safe integer. */
export function int(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

/** `value` when it is an array; otherwise empty. */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
