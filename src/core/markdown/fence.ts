/**
 * For dialects whose style markers are single characters read around word boundaries (Slack's
 * mrkdwn, WhatsApp's): a run of literal markers that the platform could read as opening or closing a
 * style is fenced off with zero-width spaces, so `Use \*asterisks\*` shows its asterisks and
 * `snake_case_name` stays as written.
 */

/** A zero-width space: invisible, and not a word boundary for the platforms that need fencing. */
export const ZWSP = '\u200b';

const BOUNDARY = /[\s\p{P}\p{S}]/u;
const SPACE = /\s/u;

/**
 * `text` with each run of the characters of `markers` (a global regex of them, e.g. `/[*_~]+/g`)
 * fenced by a zero-width space on each side where it could open or close a style.
 */
export function fenceMarkers(text: string, markers: RegExp): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(markers)) {
    const before = text[m.index - 1];
    const end = m.index + m[0].length;
    const after = text[end];
    const opens =
      (before === undefined || BOUNDARY.test(before)) && after !== undefined && !SPACE.test(after);
    const closes =
      before !== undefined && !SPACE.test(before) && (after === undefined || BOUNDARY.test(after));
    out += text.slice(last, m.index) + (opens ? ZWSP : '') + m[0] + (closes ? ZWSP : '');
    last = end;
  }
  return out + text.slice(last);
}
