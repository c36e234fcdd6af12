/**
 * Limits that keep one message from costing unbounded memory, Redis space or chat spam. A longer
 * question is cut before it is stored; a longer answer is cut before it is rendered and posted, and
 * the user is told it was cut.
 */

/** Longest question stored and sent to the agent, in characters (platforms cap far lower, except Slack). */
export const MAX_QUESTION_CHARS = 16_000;
/** Most characters of one answer, over all its parts, that are posted. */
export const MAX_ANSWER_CHARS = 40_000;
/** Most messages one answer may post (parts after splitting). */
export const MAX_ANSWER_MESSAGES = 20;

/** The question cut to `MAX_QUESTION_CHARS`, never inside a surrogate pair, with a marker when cut. */
export function boundQuestion(text: string): string {
  if (text.length <= MAX_QUESTION_CHARS) return text;
  let end = MAX_QUESTION_CHARS;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)} […]`;
}

/** The answer's parts cut to `MAX_ANSWER_CHARS` in all; `truncated` says whether anything was cut. */
export function boundAnswer(parts: readonly string[]): { parts: string[]; truncated: boolean } {
  const kept: string[] = [];
  let budget = MAX_ANSWER_CHARS;
  for (const part of parts) {
    if (budget <= 0) return { parts: kept, truncated: true };
    if (part.length > budget) {
      kept.push(part.slice(0, budget));
      return { parts: kept, truncated: true };
    }
    kept.push(part);
    budget -= part.length;
  }
  return { parts: kept, truncated: false };
}
