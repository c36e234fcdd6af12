/**
 * Start-up's first call to a platform (who is the bot?), tried a few times with a growing pause:
 * a refusal of the credentials stops at once with the platform's own message, and a platform still
 * unreachable after the last try stops start-up with one clear `ConfigError`.
 */
import { sleep } from '../../src/core/retry.ts';
import type { Logger } from '../../src/logger.ts';

/** Tries of the first call at start-up before giving up. */
export const INIT_ATTEMPTS = 3;

/** How to make the first call and what to say when it fails. */
export interface ConnectOptions<T> {
  /** One try: what the platform says about the bot. */
  call: () => Promise<T>;
  /** The error to stop with at once when `err` is a refusal no retry can pass (a wrong token); else undefined. */
  refused: (err: unknown) => Error | undefined;
  /** The error to stop with when the last try failed with `err`. */
  unreachable: (err: unknown) => Error;
  /** The adapter's logger. */
  log: Logger;
  /** The log line of a failed try that is tried again (a constant, `telegram getMe failed; retrying`). */
  retrying: string;
}

/** Makes the first call, pausing 1 s, then 2 s, between tries; resolves with its answer. */
export async function connectWithRetry<T>(options: ConnectOptions<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await options.call();
    } catch (err) {
      const refused = options.refused(err);
      if (refused) throw refused;
      if (attempt >= INIT_ATTEMPTS) throw options.unreachable(err);
      options.log.warn({ err, attempt }, options.retrying);
      await sleep(1_000 * attempt);
    }
  }
}
