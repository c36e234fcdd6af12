/**
 * Waiting and retrying for adapters: an abortable sleep, and the rule every receiver follows to keep
 * "nothing accepted is lost": hand a message in again and again, with a capped backoff, until it is
 * stored or the adapter stops.
 */

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Calls `store` until it resolves (true), waiting 400 ms, 800 ms, … up to 10 s between tries and
 * reporting each failure to `onError`. Once `signal` aborts, at most one more try is made; false
 * when the message was not stored before the stop.
 */
export async function retryUntilStored(
  store: () => Promise<void>,
  signal: AbortSignal,
  onError: (err: unknown, attempt: number) => void,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await store();
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      onError(err, attempt);
      await sleep(Math.min(10_000, 200 * 2 ** Math.min(attempt, 6)), signal);
    }
  }
}
