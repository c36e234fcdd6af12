/**
 * Asking the agent one question of a turn, with the bridge's error policy:
 *
 * - **One incident per outage.** A retryable failure (5xx, 429, timeout, unreachable, malformed) opens
 *   or extends the shared `AgentOutage`; while it lasts, questions wait at its gate instead of being
 *   sent, one turn at a time probes (a session, which costs nothing) and makes its own call the trial,
 *   and the first answer ends it. A failure counts against the message's `AKSITA_MAX_ATTEMPTS` only
 *   when it opened the outage (the agent answered others meanwhile: the trouble may be this message).
 *   Waiting chats are told once, admins at the start and the end, once it has lasted a short while.
 * - **At most 1 + `AKSITA_TIMEOUT_RESENDS` calls for a question that times out**: a timed-out call may
 *   have been answered and billed, and the API has no idempotency key.
 * - **Rate limits are rate limits**: `Retry-After` is waited out, and counted as `rate_limited`.
 * - **Billed is recorded**: a reply that carried credits is recorded even when it cannot be used, and
 *   is never asked again.
 * - **Late questions** follow `STALE_POLICY` once older than `STALE_AFTER_SECONDS`.
 */
import type { Logger } from '../logger.ts';
import { fillNotice, type NoticeKey, type Notices, whenText } from '../notices.ts';
import type { AdminNotifier } from './admin-notifier.ts';
import { type AgentPolicy, afterRetryableFailure, finalFailure } from './agent-policy.ts';
import { boundAnswer, MAX_ANSWER_MESSAGES } from './bounds.ts';
import type { Adapter } from './contract.ts';
import type { Conversations } from './conversations.ts';
import { AgentError } from './errors.ts';
import type { Incidents } from './incidents.ts';
import { renderFor } from './messages.ts';
import type { Observer } from './observer.ts';
import type { AgentHealth, AgentOutage, OutageState } from './outage.ts';
import { duration } from './reports.ts';
import type { Spending } from './spending.ts';
import type { InboxEntry, ThreadStore, TurnState } from './thread-store.ts';
import type { RunControl, TurnOutcome } from './turn.ts';

/** What a question's call needs of the shared outage (`AgentOutage`). */
export type OutageGate = Pick<
  AgentOutage,
  'gate' | 'fail' | 'release' | 'close' | 'announce' | 'waiting' | 'tell'
>;

/** The rendered answer to post, or what the turn must do instead. */
export type Answer = { chunks: string[] } | Extract<TurnOutcome, { kind: 'wait' | 'stale' }>;

export interface AgentCallsDeps {
  /** The thread's durable state (attempts, timeouts, since when calls fail). */
  inbox: ThreadStore;
  /** Asks the agent in the thread's conversation, and probes it. */
  conversations: Pick<Conversations, 'ask' | 'probe'>;
  /** The agent outage shared by every worker. */
  outage: OutageGate;
  /** The texts of the bridge's notices. */
  notices: Notices;
  /** Tells admins that an outage started and ended. */
  notifier: Pick<AdminNotifier, 'notify'>;
  /** Raises an incident for a refusal (an admin alert once per incident). */
  incidents: Pick<Incidents, 'raise'>;
  /** Budgets and the credits each reply used. */
  spending: Pick<Spending, 'budgetResetsAt' | 'record'>;
  /** Told of answers, failures and drops (metrics, stats). */
  observer: Observer;
  /** Language of the notices (for the budget notice's time). */
  language: 'en' | 'id';
  policy: AgentPolicy;
  /** Wakes the turns of `threads`, waiting for an outage that just ended. */
  wake: (threads: string[]) => Promise<void>;
  log: Logger;
  /** Source of randomness for backoff jitter. Default `Math.random`. */
  random?: () => number;
  now?: () => number;
}

export class AgentCalls {
  readonly #deps: AgentCallsDeps;
  readonly #now: () => number;

  constructor(deps: AgentCallsDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /**
   * Answers question `entry`; `state.tries` attempts came before this one (which `begin` counted),
   * `health` is what was known of the agent's failures when the step began.
   */
  async ask(
    thread: string,
    entry: InboxEntry,
    adapter: Adapter,
    state: TurnState,
    health: AgentHealth,
    control: RunControl,
  ): Promise<Answer> {
    const { inbox, log, policy } = this.#deps;
    const notice = (key: NoticeKey, params?: Record<string, string>): Answer => ({
      chunks: renderFor(adapter, fillNotice(this.#deps.notices, key, params)),
    });
    const { platform } = entry.message;
    if (state.tries >= policy.maxAttempts) {
      log.error({ thread, tries: state.tries }, 'message abandoned after repeated interrupted attempts');
      return notice('unavailable');
    }
    const now = this.#now();
    const late = policy.staleAfterMs > 0 && now - askedAt(entry, now) > policy.staleAfterMs;
    if (late && policy.stalePolicy === 'drop') {
      await inbox.bump(thread, 'tries', -1);
      log.warn(
        { thread, askedAt: askedAt(entry, now) },
        'question too old: dropped without asking the agent',
      );
      this.#deps.observer.dropped(platform, 'question', 'stale');
      if (control.late.told) return { chunks: [] };
      control.late.told = true;
      return notice('staleDropped');
    }
    const resetsAt = await this.#deps.spending.budgetResetsAt(entry.message);
    if (resetsAt !== null) return notice('overBudget', { time: whenText(this.#deps.language, resetsAt) });

    let trial: OutageState | undefined;
    if (health.outageId !== null) {
      const gate = await this.#deps.outage.gate(now, 2 * policy.timeoutMs + 1_000);
      if (gate.kind === 'wait') return this.#waitForAgent(thread, entry, adapter, gate.outage, gate.until);
      if (gate.kind === 'probe') {
        const probed = await this.#probe(thread, entry, adapter, gate.outage, control);
        if (probed) return probed;
        trial = gate.outage;
      }
    }

    const started = this.#now();
    try {
      const reply = await this.#deps.conversations.ask(
        entry.message,
        entry.message.text ?? '',
        control.abortCalls,
      );
      const ms = this.#now() - started;
      this.#deps.observer.answered(platform, ms, reply.credits, reply.remainingCredits);
      await this.#record(thread, entry, reply);
      if (health.failing || trial) await this.#agentBack();
      const parts = reply.response.filter((part) => part.trim() !== '');
      log.info(
        { thread, ms, parts: parts.length, credits: reply.credits, remaining: reply.remainingCredits },
        'agent answered',
      );
      if (parts.length === 0) return notice('emptyReply');
      const chunks = this.#render(thread, parts, adapter);
      if (!late || policy.stalePolicy !== 'apologize' || control.late.told) return { chunks };
      control.late.told = true;
      return { chunks: [...renderFor(adapter, this.#deps.notices.lateAnswer), ...chunks] };
    } catch (err) {
      if (control.abortCalls.aborted) {
        // Stopping: the next turn, here or in another process, may try at once.
        if (trial) await this.#deps.outage.release(trial.id, this.#now());
        await inbox.bump(thread, 'tries', -1);
        return { kind: 'wait', ms: 0 };
      }
      if (!(err instanceof AgentError)) throw err;
      return this.#failed(thread, entry, adapter, state, err, {
        failing: health.failing || trial !== undefined,
        trial: trial !== undefined,
        notice,
      });
    }
  }

  /** Probes the agent before a trial call; undefined when it answers, else the wait. */
  async #probe(
    thread: string,
    entry: InboxEntry,
    adapter: Adapter,
    outage: OutageState,
    control: RunControl,
  ): Promise<Answer | undefined> {
    try {
      await this.#deps.conversations.probe(entry.message, control.abortCalls);
      return undefined;
    } catch (err) {
      if (control.abortCalls.aborted || !(err instanceof AgentError)) {
        // Give the probe slot back: the next turn, here or in another process, may probe at once.
        await this.#deps.outage.release(outage.id, this.#now());
        await this.#deps.inbox.bump(thread, 'tries', -1);
        if (control.abortCalls.aborted) return { kind: 'wait', ms: 0 };
        throw err;
      }
      // The agent answered, if only with a refusal: the trial call will say what to do.
      if (err.kind !== 'retryable') return undefined;
      // A failed probe is a failed agent call too (a session: never billed).
      this.#deps.observer.agentFailed(err.code, entry.message.platform, false);
      const now = this.#now();
      const failure = await this.#deps.outage.fail(err.code, {
        now,
        probe: true,
        ...(err.details.retryAfterMs !== undefined && { minDelayMs: err.details.retryAfterMs }),
      });
      this.#deps.log.warn(
        { thread, code: err.code, status: err.status, outageForMs: now - outage.since },
        'agent probe failed',
      );
      await this.#deps.inbox.bump(thread, 'tries', -1);
      if (failure.kind === 'none') return { kind: 'wait', ms: this.#deps.policy.baseMs };
      return this.#outageWait(thread, entry, adapter, failure.outage, failure.next);
    }
  }

  /** What a failed call means for the message and the outage. */
  async #failed(
    thread: string,
    entry: InboxEntry,
    adapter: Adapter,
    state: TurnState,
    err: AgentError,
    call: { failing: boolean; trial: boolean; notice: (key: NoticeKey) => Answer },
  ): Promise<Answer> {
    const { failing: wasFailing, trial, notice } = call;
    const { inbox, log, observer, policy } = this.#deps;
    const { platform } = entry.message;
    observer.agentFailed(err.code, platform, err.details.mayBeBilled === true);
    const billed = err.details.billed;
    if (billed) {
      observer.billed(platform, billed.credits, billed.remainingCredits);
      await this.#record(thread, entry, {
        credits: billed.credits,
        remainingCredits: billed.remainingCredits,
      });
    }
    const final = finalFailure(err);
    if (final) {
      // The agent answered: it is not down, whatever this message's fate.
      if (wasFailing) await this.#agentBack();
      if (final.kind === 'billed') {
        log.error(
          { thread, code: err.code, reason: err.reason, credits: billed?.credits },
          'agent reply billed but unusable: not asked again',
        );
        return notice(final.notice);
      }
      log.warn(
        { thread, code: err.code, status: err.status, reason: err.reason },
        'agent refused the message',
      );
      const incident = await this.#deps.incidents.raise(err.code, {
        ...(err.status && { status: err.status }),
        reason: err.reason,
      });
      // "The team has been notified" only when an admin was sent the alert.
      return notice(
        final.notice === 'serviceDown' && !incident.alerted ? 'serviceDownNoAlert' : final.notice,
      );
    }
    const now = this.#now();
    const [failure, timeouts, failing] = await Promise.all([
      this.#deps.outage.fail(err.code, {
        now,
        probe: trial,
        // A rate limit holds for every chat at once: it is an outage by itself.
        opens: err.code === 'rate_limited',
        ...(err.details.retryAfterMs !== undefined && { minDelayMs: err.details.retryAfterMs }),
      }),
      err.details.mayBeBilled ? inbox.bump(thread, 'timeouts') : Promise.resolve(state.timeouts),
      inbox.failed(thread, 'call', now),
    ]);
    // Only a failure of this message alone counts against it: not one in an outage (the agent fails
    // for everyone), nor the one that showed it is an outage.
    const own = failure.kind === 'none';
    if (!own) await inbox.bump(thread, 'tries', -1);
    if (failure.kind === 'opened')
      log.warn({ code: err.code, status: err.status, reason: err.reason }, 'agent outage started');
    const attempts = own ? state.tries + 1 : state.tries;
    const failingForMs = now - failing.since;
    const plan = afterRetryableFailure(
      { err, outage: failure, attempts, timeouts, failingForMs, trial, now },
      policy,
      this.#deps.random,
    );
    const detail = { thread, code: err.code, status: err.status, reason: err.reason, attempts, timeouts };
    switch (plan.kind) {
      case 'give-up':
        if (plan.why === 'timed-out-again')
          log.error(
            detail,
            'agent call timed out again: giving up on message (it may have been answered upstream)',
          );
        else log.error({ ...detail, failingForMs }, 'agent call failed, giving up on message');
        return notice(plan.notice);
      case 'retry':
        log.warn({ ...detail, retryInMs: plan.ms }, 'agent call failed, will retry');
        return { kind: 'wait', ms: plan.ms };
      case 'wait-for-outage':
        log.warn({ ...detail, retryInMs: plan.until - now }, 'agent call failed, will retry');
        return this.#outageWait(thread, entry, adapter, plan.outage, plan.until);
    }
  }

  /** Waits at the outage's gate. */
  async #waitForAgent(
    thread: string,
    entry: InboxEntry,
    adapter: Adapter,
    outage: OutageState,
    until: number,
  ): Promise<Answer> {
    const { inbox, outage: outages, policy } = this.#deps;
    const now = this.#now();
    await Promise.all([inbox.bump(thread, 'tries', -1), outages.waiting(thread)]);
    // While another turn probes, `until` is the longest the probe may take: look again sooner, as
    // often as the probes back off at most.
    return this.#outageWait(thread, entry, adapter, outage, Math.min(until, now + policy.maxMs));
  }

  /**
   * Waits for the agent until `wakeAt` (epoch ms); once the outage has lasted a while, tells the
   * chat (once per outage) and the admins (once), and until then wakes to do so in time.
   */
  async #outageWait(
    thread: string,
    entry: InboxEntry,
    adapter: Adapter,
    outage: OutageState,
    wakeAt: number,
  ): Promise<Answer> {
    const { log, outage: outages, policy } = this.#deps;
    const now = this.#now();
    const tellAt = outage.since + policy.outageNoticeAfterMs;
    const wait = (at: number): Answer => ({
      kind: 'wait',
      ms: Math.max(0, at - now) + 5,
    });
    if (now < tellAt) return wait(Math.min(wakeAt, tellAt));
    if (await outages.announce(outage.id)) {
      const since = new Date(outage.since).toISOString().slice(11, 16);
      log.error({ code: outage.code, since: outage.since }, 'agent outage: questions kept until it answers');
      await this.#deps.notifier.notify(
        'agent-outage',
        `The Aksita agent has been failing since ${since} UTC (${outage.code}). Questions are kept and will be answered in order once it answers again.`,
      );
    }
    if (await outages.tell(outage.id, thread)) {
      for (const chunk of renderFor(adapter, this.#deps.notices.agentDown)) {
        await adapter
          .send(entry.message.address, chunk)
          .catch((err: unknown) => log.warn({ err, thread }, 'outage notice not posted'));
      }
    }
    return wait(wakeAt);
  }

  /** The agent answered: ends the failure streak, and the outage if one was open (waking its turns, telling admins). */
  async #agentBack(): Promise<void> {
    const closed = await this.#deps.outage.close();
    if (!closed) return;
    const lasted = duration(Math.round((this.#now() - closed.since) / 1000));
    this.#deps.log.info({ lasted, waiting: closed.waiting.length }, 'agent outage over');
    if (closed.waiting.length > 0) await this.#deps.wake(closed.waiting);
    if (closed.announced) {
      await this.#deps.notifier.notify(
        'agent-back',
        `The Aksita agent answers again after ${lasted}; the questions of ${closed.waiting.length} waiting chat(s) are being answered in order.`,
      );
    }
  }

  async #record(
    thread: string,
    entry: InboxEntry,
    reply: { credits: number; remainingCredits: number; agent?: string },
  ): Promise<void> {
    await this.#deps.spending
      .record(entry.message, reply)
      .catch((err: unknown) => this.#deps.log.warn({ err, thread }, 'credits not recorded'));
  }

  /** Renders the answer's parts, cut to the bounds with a note when the agent said too much. */
  #render(thread: string, parts: string[], adapter: Adapter): string[] {
    const bounded = boundAnswer(parts);
    let chunks = bounded.parts.flatMap((part) => renderFor(adapter, part));
    let truncated = bounded.truncated;
    if (chunks.length > MAX_ANSWER_MESSAGES) {
      chunks = chunks.slice(0, MAX_ANSWER_MESSAGES);
      truncated = true;
    }
    if (!truncated) return chunks;
    this.#deps.log.warn({ thread, parts: parts.length }, 'answer too long: cut short');
    return [...chunks, ...renderFor(adapter, this.#deps.notices.answerCut)];
  }
}

/** Platforms keep undelivered messages about a day (Telegram: 24 hours); an older `sentAt` is not believed. */
const PLAUSIBLE_DELIVERY_MS = 86_400_000;

/**
 * When the question was asked: the platform's time (a message delivered late, after the bridge was
 * down, was still asked long ago), unless that is implausible (in the future, or older than any
 * platform keeps a message); then when the bridge stored it.
 */
function askedAt(entry: InboxEntry, now: number): number {
  const sent = entry.message.sentAt;
  const plausible = Number.isFinite(sent) && sent <= now && entry.acceptedAt - sent <= PLAUSIBLE_DELIVERY_MS;
  return plausible ? sent : entry.acceptedAt;
}
