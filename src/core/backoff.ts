/**
 * Exponential backoff with jitter, bounded: attempt 1 waits about `baseMs`, attempt 2 about twice
 * that, and so on (1 s, 2 s, 4 s, 8 s … for the default base), never more than `maxMs`. The jitter
 * (±25 %) keeps many threads that failed together from retrying in lockstep.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const delay = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.round(Math.min(maxMs, delay * (0.75 + random() * 0.5)));
}
