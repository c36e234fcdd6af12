/**
 * The zod value parsers every part of the configuration uses (the core's variables in
 * `config-schema.ts`, each platform's in `adapters/<platform>/platform.ts`): booleans, bounded whole
 * numbers, URLs, id lists and optional secrets, each with the message start-up shows when a value is
 * wrong.
 */
import { z } from 'zod';

/** `true`/`false` (also 1/0, yes/no); unset is `fallback`. */
export const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1' || v === 'yes'));

/** A whole number from `min` to `max`; unset or blank is `fallback`. */
export const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

/**
 * An http(s) URL, without a trailing slash; `example` is what the message shows for this variable.
 */
export const url = (fallback: string | undefined, example: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const value = v?.trim() || fallback;
      if (value === undefined) return undefined;
      const parsed = URL.canParse(value) ? new URL(value) : undefined;
      if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') {
        ctx.addIssue({ code: 'custom', message: `must be a URL such as ${example}` });
        return z.NEVER;
      }
      return parsed.toString().replace(/\/$/, '');
    });

/** A comma-separated list of numeric ids (Discord snowflakes). */
export const idList = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const ids = (v ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean);
      if (ids.some((id) => !/^\d+$/.test(id))) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a comma-separated list of numeric ids (${name}=123,456)`,
        });
        return z.NEVER;
      }
      return ids;
    });

/** A trimmed value, or `undefined` when unset or blank. */
export const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

/** `a`, `a or b`, `a, b or c`: a list in a message. */
export function either(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
