/**
 * One turn of a thread: answer its inbox head by head, in order, until it is empty.
 *
 * For each head: ask the agent (or take the notice), store the rendered answer, then post it chunk
 * by chunk, counting what is posted; only then pop the head. A crash anywhere resumes from what
 * Redis records, so the agent is never asked again because posting failed, and at most the chunk
 * being posted at the crash is posted twice. The runner knows nothing of BullMQ: when it must wait
 * (backoff, a platform's `retry_after`, shutdown) it returns `{ kind: 'wait' }` and the worker
 * turns that into a delayed job.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.ts';
import { fillNotice, type NoticeKey, type Notices, whenText } from '../notices.ts';
import type { Inbox, InboxEntry, TurnState } from '../queue/inbox.ts';
import { backoffDelay } from './backoff.ts';
import { boundAnswer, MAX_ANSWER_MESSAGES } from './bounds.ts';
import type { Commands } from './commands.ts';
import type { Adapter, Platform } from './contract.ts';
import type { Conversations } from './conversations.ts';
import { AgentError, type AgentErrorCode, PlatformError } from './errors.ts';
import type { Incidents } from './incidents.ts';
import type { Observer } from './observer.ts';
import type { Pacer } from './pacer.ts';
import type { Spending } from './spending.ts';

/** What the queue should do with the turn's job. */
export type TurnOutcome =
  | { kind: 'done' }
  /** This run no longer holds its thread's claim (another job or run took over); it stopped there. */
  | { kind: 'stale' }
  /** Resume the turn after `ms` (backoff, platform rate limit, or 0 to hand it back on shutdown). */
  | { kind: 'wait'; ms: number; reason: string };

/** Signals from the process running the turn. */
export interface TurnControl {
  /** Aborted when the process is stopping: no new head is started. */
  stopping: AbortSignal;
  /** Aborted when in-flight agent calls must be given up (shutdown grace over). */
  abortCalls: AbortSignal;
}

export interface RetryPolicy {
  /** Agent attempts per message before the user gets the "unavailable" notice. */
  maxAttempts: number;
  /** First backoff delay, ms. */
  baseMs: number;
  /** Longest backoff delay, ms. */
  maxMs: number;
}

/** Failed sends of one message (5xx, network) before its remaining chunks are given up. */
const MAX_POST_TRIES = 10;

const FINAL_NOTICES: Partial<Record<AgentErrorCode, NoticeKey>> = {
  'bad-request': 'badRequest',
  unauthorized: 'serviceDown',
  forbidden: 'serviceDown',
  'payment-required': 'outOfCredits',
};

export interface TurnRunnerDeps {
  inbox: Inbox;
  conversations: Conversations;
  adapters: Partial<Record<Platform, Adapter>>;
  notices: Notices;
  incidents: Incidents;
  spending: Spending;
  commands: Commands;
  observer: Observer;
  pacer: Pacer;
  /** Language of the notices (for the budget notice's time). */
  language: 'en' | 'id';
  retry: RetryPolicy;
  log: Logger;
  /** Source of randomness for backoff jitter. Default `Math.random`. */
  random?: () => number;
}

type Answer = { chunks: string[] } | Extract<TurnOutcome, { kind: 'wait' | 'stale' }>;

/**
 * How a head ended: a turn outcome (stop here), or done with it, `posted` chunks of it posted that
 * are not recorded yet (the last chunk's record goes with the pop).
 */
type HeadOutcome = TurnOutcome | { kind: 'answered'; posted?: number };

/** The process's signals plus this run's claim on the thread. */
interface RunControl extends TurnControl {
  run: string;
}

export class TurnRunner {
  readonly #d: TurnRunnerDeps;

  constructor(deps: TurnRunnerDeps) {
    this.#d = deps;
  }

  /** Runs the turn of `thread` owned by `jobId` until its inbox is empty or it must wait. */
  async run(thread: string, jobId: string, control: TurnControl): Promise<TurnOutcome> {
    // Each run claims the thread anew; a run whose claim was taken over stops at its next step.
    const run = randomUUID();
    if (!(await this.#d.inbox.claim(thread, jobId, run))) return { kind: 'stale' };
    this.#d.observer.inFlight(1);
    try {
      return await this.#drain(thread, jobId, { ...control, run });
    } finally {
      this.#d.observer.inFlight(-1);
    }
  }

  async #drain(thread: string, jobId: string, control: RunControl): Promise<TurnOutcome> {
    const { inbox, log } = this.#d;
    for (;;) {
      if (control.stopping.aborted) return { kind: 'wait', ms: 0, reason: 'shutdown' };
      const step = await inbox.begin(thread, control.run);
      if (step.kind === 'stale') return step;
      if (step.kind === 'empty') {
        const left = await inbox.advance(thread, jobId, control.run, '');
        if (left === -1) return { kind: 'stale' };
        if (left === 0) return { kind: 'done' };
        continue;
      }
      const { raw } = step;
      const entry = parseEntry(raw);
      const adapter = entry && this.#d.adapters[entry.message.platform];
      let posted: number | undefined;
      if (!entry) {
        log.error({ thread }, 'unreadable inbox entry dropped');
      } else if (!adapter) {
        log.error(
          { thread, platform: entry.message.platform },
          'platform not configured: message kept for later',
        );
        // Not an attempt: give back the one `begin` counted.
        if (entry.kind === 'ask' && !step.state.chunks) await inbox.bump(thread, 'tries', -1);
        return { kind: 'wait', ms: 60_000, reason: 'platform-missing' };
      } else {
        const outcome = await this.#answerHead(thread, entry, adapter, step.state, control);
        if (outcome.kind !== 'answered') return outcome;
        posted = outcome.posted;
      }
      const left = await inbox.advance(
        thread,
        jobId,
        control.run,
        raw,
        entry && posted !== undefined ? { entryId: entry.id, count: posted } : undefined,
      );
      if (left === -1) return { kind: 'stale' };
      if (left === 0) return { kind: 'done' };
    }
  }

  async #answerHead(
    thread: string,
    entry: InboxEntry,
    adapter: Adapter,
    state: TurnState,
    control: RunControl,
  ): Promise<HeadOutcome> {
    const progress = entry.kind === 'ask' ? showProgress(adapter, entry, this.#d.log) : undefined;
    try {
      let chunks = state.chunks;
      let posted = state.posted;
      if (!chunks) {
        const answer = await this.#answer(thread, entry, adapter, state.tries, control);
        if ('kind' in answer) return answer;
        chunks = answer.chunks;
        if (!(await this.#d.inbox.saveAnswer(thread, control.run, entry.id, chunks)))
          return { kind: 'stale' };
        posted = 0;
      }
      return await this.#post(thread, entry, adapter, chunks, posted, control);
    } finally {
      progress?.stop();
    }
  }

  async #answer(
    thread: string,
    entry: InboxEntry,
    adapter: Adapter,
    previousTries: number,
    control: RunControl,
  ): Promise<Answer> {
    const { inbox, log, retry, notices } = this.#d;
    const notice = (key: NoticeKey, params?: Record<string, string>): Answer => ({
      chunks: adapter.render(fillNotice(notices, key, params)),
    });
    if (entry.kind === 'notice') return notice(entry.notice ?? 'welcome');
    if (entry.kind === 'command') return { chunks: adapter.render(await this.#command(entry)) };
    if (previousTries >= retry.maxAttempts) {
      log.error({ thread, tries: previousTries }, 'message abandoned after repeated interrupted attempts');
      return notice('unavailable');
    }
    const resetsAt = await this.#d.spending.budgetResetsAt(entry.message);
    if (resetsAt !== null) return notice('overBudget', { time: whenText(this.#d.language, resetsAt) });
    // `begin` checked the claim and counted this attempt.
    const tries = previousTries + 1;
    const started = Date.now();
    try {
      const reply = await this.#d.conversations.ask(
        entry.message,
        entry.message.text ?? '',
        control.abortCalls,
      );
      const ms = Date.now() - started;
      this.#d.observer.answered(entry.message.platform, ms, reply.credits, reply.remainingCredits);
      await this.#d.spending
        .record(entry.message, reply)
        .catch((err: unknown) => log.warn({ err, thread }, 'credits not recorded'));
      const parts = reply.response.filter((part) => part.trim() !== '');
      log.info(
        {
          thread,
          ms,
          parts: parts.length,
          credits: reply.credits,
          remaining: reply.remainingCredits,
        },
        'agent answered',
      );
      if (parts.length === 0) return notice('emptyReply');
      return { chunks: this.#render(thread, parts, adapter) };
    } catch (err) {
      if (control.abortCalls.aborted) {
        await inbox.bump(thread, 'tries', -1);
        return { kind: 'wait', ms: 0, reason: 'shutdown' };
      }
      if (!(err instanceof AgentError)) throw err;
      this.#d.observer.agentFailed(err.code);
      if (err.kind === 'final') {
        log.warn(
          { thread, code: err.code, status: err.status, reason: err.reason },
          'agent refused the message',
        );
        await this.#d.incidents.raise(err.code, {
          ...(err.status && { status: err.status }),
          reason: err.reason,
        });
        return notice(FINAL_NOTICES[err.code] ?? 'unavailable');
      }
      if (tries < retry.maxAttempts) {
        const ms = backoffDelay(tries, retry.baseMs, retry.maxMs, this.#d.random);
        log.warn(
          { thread, code: err.code, status: err.status, attempt: tries, retryInMs: ms },
          'agent call failed, will retry',
        );
        return { kind: 'wait', ms, reason: err.code };
      }
      log.error(
        { thread, code: err.code, status: err.status, attempts: tries },
        'agent call failed, giving up on message',
      );
      return notice('unavailable');
    }
  }

  /** Renders the answer's parts, cut to the bounds with a note when the agent said too much. */
  #render(thread: string, parts: string[], adapter: Adapter): string[] {
    const bounded = boundAnswer(parts);
    let chunks = bounded.parts.flatMap((part) => adapter.render(part));
    let truncated = bounded.truncated;
    if (chunks.length > MAX_ANSWER_MESSAGES) {
      chunks = chunks.slice(0, MAX_ANSWER_MESSAGES);
      truncated = true;
    }
    if (!truncated) return chunks;
    this.#d.log.warn({ thread, parts: parts.length }, 'answer too long: cut short');
    return [...chunks, ...adapter.render(this.#d.notices.answerCut)];
  }

  #command(entry: InboxEntry): Promise<string> {
    const { platform, user, thread, chatType } = entry.message;
    return this.#d.commands.run({
      name: entry.command ?? 'help',
      platform,
      userId: user.id,
      thread,
      chatType,
    });
  }

  async #post(
    thread: string,
    entry: InboxEntry,
    adapter: Adapter,
    chunks: string[],
    from: number,
    control: RunControl,
  ): Promise<HeadOutcome> {
    const { inbox, log, retry, pacer } = this.#d;
    const { address, chatType, messageId, platform } = entry.message;
    const { pacing } = adapter.capabilities;
    const skipped: HeadOutcome = { kind: 'answered' };
    // The claim was checked by the step that got here (`begin`, `saveAnswer`, `markPosted`); it is
    // checked again only when time passed since.
    let checked = true;
    for (let i = from; i < chunks.length; i++) {
      if (pacing) {
        // Wait for this message's slot under the platform's limits, before its ownership check.
        if (await pacer.wait(platform, pacing, address, chatType, control.abortCalls)) checked = false;
        if (control.abortCalls.aborted) return { kind: 'wait', ms: 0, reason: 'shutdown' };
      }
      if (!checked && !(await inbox.isCurrent(thread, control.run))) return { kind: 'stale' };
      try {
        await adapter.send(
          address,
          chunks[i] as string,
          i === 0 && chatType === 'group' ? { replyTo: messageId } : {},
        );
      } catch (err) {
        if (!(err instanceof PlatformError)) throw err;
        const { retryAfterMs, permanent } = err.options;
        if (retryAfterMs !== undefined)
          return { kind: 'wait', ms: retryAfterMs, reason: 'platform-rate-limit' };
        if (permanent) {
          log.warn({ thread, chunk: i, err }, 'platform refused the reply; message skipped');
          return skipped;
        }
        const n = await inbox.bump(thread, 'postTries');
        if (n < MAX_POST_TRIES) {
          const ms = backoffDelay(n, retry.baseMs, retry.maxMs, this.#d.random);
          log.warn({ thread, chunk: i, attempt: n, retryInMs: ms, err }, 'reply post failed, will retry');
          return { kind: 'wait', ms, reason: 'platform-error' };
        }
        log.error({ thread, chunk: i, err }, 'reply could not be posted; message skipped');
        return skipped;
      }
      this.#d.observer.posted(platform, 1);
      // The last chunk is recorded by the pop that follows.
      if (i === chunks.length - 1) return { kind: 'answered', posted: i + 1 };
      checked = await inbox.markPosted(thread, control.run, entry.id, i + 1);
      if (!checked) return { kind: 'stale' };
    }
    return { kind: 'answered' };
  }
}

function parseEntry(raw: string): InboxEntry | null {
  try {
    const entry = JSON.parse(raw) as InboxEntry;
    return entry && typeof entry.id === 'string' && entry.message?.address ? entry : null;
  } catch {
    return null;
  }
}

/**
 * An answer that comes within this time goes out without a progress sign first: no typing indicator
 * flashing for an instant, and two platform calls fewer per message.
 */
export const PROGRESS_DELAY_MS = 400;

/**
 * Shows that the agent is working, once it has taken `PROGRESS_DELAY_MS`: the typing indicator,
 * renewed until `stop` (where the platform has one), and the platform's mark on the user's message
 * (cleared on `stop`).
 */
function showProgress(adapter: Adapter, entry: InboxEntry, log: Logger): { stop(): void } {
  const { address, messageId } = entry.message;
  const quietly = (what: string) => (err: unknown) => log.debug({ err }, what);
  let shown = false;
  let renew: NodeJS.Timeout | undefined;
  const start = setTimeout(() => {
    shown = true;
    adapter.setWorking(address, messageId, true).catch(quietly('working mark failed'));
    if (!adapter.capabilities.typing) return;
    const show = () => {
      adapter.typing(address).catch(quietly('typing indicator failed'));
    };
    show();
    renew = setInterval(show, adapter.capabilities.typingRenewMs);
  }, PROGRESS_DELAY_MS);
  return {
    stop: () => {
      clearTimeout(start);
      clearInterval(renew);
      if (shown) adapter.setWorking(address, messageId, false).catch(quietly('working mark failed'));
    },
  };
}
