/**
 * Posting an answer, chunk by chunk, counting what is posted. The answer was paid for, so it is kept
 * until it is posted: a platform's rate limit is waited out; temporary failures (5xx, timeouts,
 * connection errors, and a refused bot token, which an operator can fix) are retried with a capped
 * backoff of their own (`SEND_RETRY_*`) for hours, while other chats go on; a chunk refused for its
 * length is cut smaller and tried again. Only a permanent refusal drops the rest of the answer: the
 * chat refused the bot for good (then it is remembered, so what is still queued for it costs no agent
 * call) or the platform refused this message. Every failure and every drop is counted.
 */
import type { Logger } from '../logger.ts';
import { backoffDelay } from './backoff.ts';
import type { Adapter } from './contract.ts';
import { PlatformError } from './errors.ts';
import type { Observer } from './observer.ts';
import type { Pacer } from './pacer.ts';
import type { Refusals } from './refusals.ts';
import { splitText } from './split.ts';
import type { InboxEntry, ThreadStore } from './thread-store.ts';
import type { RunControl, TurnOutcome } from './turn.ts';

/** Retrying sends of an answer already paid for. */
export interface SendRetryPolicy {
  /** First backoff delay, ms. */
  baseMs: number;
  /** Longest backoff delay, ms. */
  maxMs: number;
  /** How long sends may keep failing before the answer is given up, ms. */
  forMs: number;
}

/** A chunk shorter than this that is still refused for its length is not cut any further. */
const MIN_CUT = 100;

/**
 * How posting a head ended: a turn outcome (stop here), or done with it, `posted` chunks of it posted
 * that are not recorded yet (the last chunk's record goes with the pop).
 */
export type PostOutcome = TurnOutcome | { kind: 'answered'; posted?: number };

export interface PosterDeps {
  /** The thread's durable state (the answer, chunks posted, since when sends fail). */
  inbox: ThreadStore;
  /** Paces sends under each platform's limits. */
  pacer: Pick<Pacer, 'wait'>;
  /** Chats and platforms that refused the bot. */
  refusals: Pick<Refusals, 'chatRefused' | 'platformRefused' | 'platformWorks'>;
  /** Told of sends, failures and drops. */
  observer: Observer;
  sendRetry: SendRetryPolicy;
  log: Logger;
  random?: () => number;
  now?: () => number;
}

export class Poster {
  readonly #deps: PosterDeps;
  readonly #now: () => number;

  constructor(deps: PosterDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** Posts `chunks` of `entry`'s answer from chunk `from` on. */
  async post(
    thread: string,
    entry: InboxEntry,
    adapter: Adapter,
    answer: string[],
    from: number,
    control: RunControl,
  ): Promise<PostOutcome> {
    const { inbox, pacer, observer, refusals } = this.#deps;
    const { address, chatType, messageId, platform } = entry.message;
    const { pacing } = adapter.capabilities;
    let chunks = answer;
    // The claim was checked by the step that got here (`begin`, `saveAnswer`, `markPosted`); it is
    // checked again only when time passed since.
    let checked = true;
    for (let i = from; i < chunks.length; i++) {
      if (pacing) {
        // Wait for this message's slot under the platform's limits, before its ownership check.
        if (await pacer.wait(platform, pacing, address, chatType, control.abortCalls)) checked = false;
        if (control.abortCalls.aborted) return { kind: 'wait', ms: 0 };
      }
      if (!checked && !(await inbox.isCurrent(thread, control.run))) return { kind: 'stale' };
      try {
        await adapter.send(
          address,
          chunks[i] as string,
          i === 0 && (chatType === 'group' || adapter.capabilities.quoteDirect) ? { replyTo: messageId } : {},
        );
      } catch (err) {
        if (!(err instanceof PlatformError)) throw err;
        observer.sendFailed(platform, err.kind);
        if (err.kind === 'too_long') {
          const cut = cutSmaller(chunks[i] as string);
          if (cut) {
            chunks = [...chunks.slice(0, i), ...cut, ...chunks.slice(i + 1)];
            if (!(await inbox.resaveAnswer(thread, control.run, entry.id, chunks))) return { kind: 'stale' };
            this.#deps.log.warn(
              { thread, chunk: i, parts: cut.length },
              'platform refused the length: cut smaller',
            );
            i--;
            continue;
          }
        }
        return this.#failed(thread, entry, i, err);
      }
      observer.posted(platform, 1);
      if (i === 0) await refusals.platformWorks(platform);
      // The last chunk is recorded by the pop that follows.
      if (i === chunks.length - 1) return { kind: 'answered', posted: i + 1 };
      checked = await inbox.markPosted(thread, control.run, entry.id, i + 1);
      if (!checked) return { kind: 'stale' };
    }
    return { kind: 'answered' };
  }

  /** What a failed send of chunk `i` means for the answer. */
  async #failed(thread: string, entry: InboxEntry, i: number, err: PlatformError): Promise<PostOutcome> {
    const { inbox, log, observer, refusals, sendRetry } = this.#deps;
    const { platform } = entry.message;
    const skipped: PostOutcome = { kind: 'answered' };
    switch (err.kind) {
      case 'rate_limited':
        return { kind: 'wait', ms: err.options.retryAfterMs ?? 1_000 };
      case 'chat_refused':
        await refusals.chatRefused(thread, this.#now());
        log.warn(
          { thread, chunk: i, err },
          'chat refused the bot: answer dropped, and what is queued for it',
        );
        observer.dropped(platform, 'answer', 'chat_refused');
        return skipped;
      case 'rejected':
      case 'too_long':
        log.warn({ thread, chunk: i, err }, 'platform refused the reply; message skipped');
        observer.dropped(platform, 'answer', err.kind);
        return skipped;
      case 'unauthorized':
        await refusals.platformRefused(platform, err.message);
        break;
      case 'transient':
        break;
    }
    const now = this.#now();
    const { since, tries } = await inbox.failed(thread, 'post', now);
    if (now - since >= sendRetry.forMs) {
      log.error(
        { thread, chunk: i, err, failingForMs: now - since },
        'reply could not be posted for too long; answer dropped',
      );
      observer.dropped(platform, 'answer', 'send_gave_up');
      return skipped;
    }
    const ms = Math.min(
      backoffDelay(tries, sendRetry.baseMs, sendRetry.maxMs, this.#deps.random),
      sendRetry.forMs - (now - since),
    );
    log.warn({ thread, chunk: i, attempt: tries, retryInMs: ms, err }, 'reply post failed, will retry');
    return { kind: 'wait', ms };
  }
}

/** `text` cut in about two smaller messages, or null when it is too short to cut. */
function cutSmaller(text: string): string[] | null {
  if (text.length < MIN_CUT) return null;
  const parts = splitText(text, Math.ceil(text.length / 2) + 1);
  return parts.length > 1 ? parts : null;
}
