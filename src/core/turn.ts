/**
 * One turn of a thread: answer its inbox head by head, in order, until it is empty.
 *
 * For each head: ask the agent (`agent-calls.ts`, or take the notice or command), store the rendered
 * answer, then post it chunk by chunk, counting what is posted (`posting.ts`), with a sign of
 * progress meanwhile (`progress.ts`); only then pop the head. A crash anywhere resumes from what the
 * thread's store records (`thread-store.ts`), so the agent is never asked again because
 * posting failed, and at most the chunk being posted at the crash is posted twice. A chat that
 * refused the bot for good gets nothing more, and costs no agent call; a platform that refuses the
 * bridge's credentials gets no agent call until it accepts them again. The runner knows nothing of
 * BullMQ: when it must wait (backoff, an outage, a platform's `retry_after`, shutdown) it returns
 * `{ kind: 'wait' }` and the worker turns that into a delayed job.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.ts';
import { fillNotice, type Notices } from '../notices.ts';
import { AgentCalls, type AgentCallsDeps, type Answer, type OutageGate } from './agent-calls.ts';
import { boundQuestion } from './bounds.ts';
import type { Commands } from './commands.ts';
import type { Adapter, Platform } from './contract.ts';
import { renderFor } from './messages.ts';
import type { Observer } from './observer.ts';
import type { AgentHealth, AgentOutage } from './outage.ts';
import type { Pacer } from './pacer.ts';
import { Poster, type PostOutcome, type SendRetryPolicy } from './posting.ts';
import { showProgress } from './progress.ts';
import type { RefusalState, Refusals } from './refusals.ts';
import { type InboxEntry, parseEntry, type TurnState } from './thread-store.ts';

/** What the queue should do with the turn's job. */
export type TurnOutcome =
  | { kind: 'done' }
  /** This run no longer holds its thread's claim (another job or run took over); it stopped there. */
  | { kind: 'stale' }
  /** Resume the turn after `ms` (backoff, platform rate limit, or 0 to hand it back on shutdown). */
  | { kind: 'wait'; ms: number };

/** Signals from the process running the turn. */
export interface TurnControl {
  /** Aborted when the process is stopping: no new head is started. */
  stopping: AbortSignal;
  /** Aborted when in-flight agent calls must be given up (shutdown grace over). */
  abortCalls: AbortSignal;
}

/** The process's signals plus this run's claim on the thread. */
export interface RunControl extends TurnControl {
  run: string;
  /** Whether this run already told its chat that an answer is late (once per run is enough). */
  late: { told: boolean };
}

export interface TurnRunnerDeps extends Omit<AgentCallsDeps, 'now'> {
  /** Runs the bridge's own commands. */
  commands: Pick<Commands, 'run'>;
  /** Paces sends under each platform's limits. */
  pacer: Pick<Pacer, 'wait'>;
  /** Chats and platforms that refused the bot. */
  refusals: Pick<Refusals, 'read' | 'chatReachable' | 'chatRefused' | 'platformRefused' | 'platformWorks'>;
  /** The agent outage shared by every worker, read before each step. */
  outage: OutageGate & Pick<AgentOutage, 'current'>;
  /** The adapter of each configured platform. */
  adapters: Partial<Record<Platform, Adapter>>;
  /** The texts of the bridge's notices. */
  notices: Notices;
  /** Told of answers, failures, drops and turns in flight. */
  observer: Observer;
  sendRetry: SendRetryPolicy;
  log: Logger;
  /** Source of randomness for backoff jitter. Default `Math.random`. */
  random?: () => number;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

export class TurnRunner {
  readonly #deps: TurnRunnerDeps;
  readonly #agent: AgentCalls;
  readonly #poster: Poster;
  readonly #now: () => number;

  constructor(deps: TurnRunnerDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#agent = new AgentCalls({ ...deps, now: this.#now });
    this.#poster = new Poster({ ...deps, now: this.#now });
  }

  /** Runs the turn of `thread` owned by `jobId` until its inbox is empty or it must wait. */
  async run(thread: string, jobId: string, control: TurnControl): Promise<TurnOutcome> {
    // Each run claims the thread anew; a run whose claim was taken over stops at its next step.
    const run = randomUUID();
    if (!(await this.#deps.inbox.claim(thread, jobId, run))) return { kind: 'stale' };
    this.#deps.observer.inFlight(1);
    try {
      return await this.#drain(thread, jobId, { ...control, run, late: { told: false } });
    } finally {
      this.#deps.observer.inFlight(-1);
    }
  }

  async #drain(thread: string, jobId: string, control: RunControl): Promise<TurnOutcome> {
    const { inbox, log, refusals, outage } = this.#deps;
    const platform = thread.slice(0, thread.indexOf(':')) as Platform;
    for (;;) {
      if (control.stopping.aborted) return { kind: 'wait', ms: 0 };
      // One round trip: the connection pipelines the three reads.
      const [step, refusal, health] = await Promise.all([
        inbox.begin(thread, control.run),
        refusals.read(thread, platform),
        outage.current(),
      ]);
      if (step.kind === 'stale') return step;
      if (step.kind === 'empty') {
        const next = await inbox.advance(thread, jobId, control.run, '');
        if (next.kind === 'stale') return next;
        if (next.left === 0) return { kind: 'done' };
        continue;
      }
      const { raw } = step;
      const entry = joinBurst(parseEntry(raw), step.joined);
      const adapter = entry && this.#deps.adapters[entry.message.platform];
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
        return { kind: 'wait', ms: 60_000 };
      } else {
        const outcome = await this.#answerHead(thread, entry, adapter, step.state, refusal, health, control);
        if (outcome.kind !== 'answered') return outcome;
        posted = outcome.posted;
      }
      const next = await inbox.advance(
        thread,
        jobId,
        control.run,
        raw,
        entry && posted !== undefined ? { entryId: entry.id, count: posted } : undefined,
        1 + (step.joined?.length ?? 0),
      );
      if (next.kind === 'stale') return next;
      if (next.left === 0) return { kind: 'done' };
    }
  }

  async #answerHead(
    thread: string,
    entry: InboxEntry,
    adapter: Adapter,
    state: TurnState,
    refusal: RefusalState,
    health: AgentHealth,
    control: RunControl,
  ): Promise<PostOutcome> {
    const { inbox, log, observer } = this.#deps;
    const question = entry.kind === 'ask' && !state.chunks;
    if (refusal.chatRefusedAt !== null) {
      // A person who writes again in a private chat can be reached again; a group that refused stays
      // refused for a while, and what was queued before the refusal is not answered.
      if (entry.message.chatType === 'group' || entry.acceptedAt <= refusal.chatRefusedAt) {
        if (question) await inbox.bump(thread, 'tries', -1);
        log.info({ thread, id: entry.id }, 'chat refused the bot: queued message dropped unanswered');
        observer.dropped(entry.message.platform, state.chunks ? 'answer' : 'question', 'chat_refused');
        return { kind: 'answered' };
      }
      await this.#deps.refusals.chatReachable(thread);
    }
    if (refusal.platformRefused !== null && question) {
      // Nothing can be posted there now: spend nothing on it until the platform accepts the bot again.
      await inbox.bump(thread, 'tries', -1);
      return { kind: 'wait', ms: this.#deps.sendRetry.maxMs };
    }
    const progress = question ? showProgress(adapter, entry, log) : undefined;
    try {
      let chunks = state.chunks;
      let posted = state.posted;
      if (!chunks) {
        const answer = await this.#answer(thread, entry, adapter, state, health, control);
        if ('kind' in answer) return answer;
        chunks = answer.chunks;
        if (chunks.length === 0) return { kind: 'answered' };
        if (!(await inbox.saveAnswer(thread, control.run, entry.id, chunks))) return { kind: 'stale' };
        posted = 0;
      }
      return await this.#poster.post(thread, entry, adapter, chunks, posted, control);
    } finally {
      progress?.stop();
    }
  }

  async #answer(
    thread: string,
    entry: InboxEntry,
    adapter: Adapter,
    state: TurnState,
    health: AgentHealth,
    control: RunControl,
  ): Promise<Answer> {
    if (entry.kind === 'notice')
      return { chunks: renderFor(adapter, fillNotice(this.#deps.notices, entry.notice ?? 'welcome')) };
    if (entry.kind === 'command') return { chunks: renderFor(adapter, await this.#command(entry)) };
    return this.#agent.ask(thread, entry, adapter, state, health, control);
  }

  #command(entry: InboxEntry): Promise<string> {
    const { platform, user, thread, chatType, command } = entry.message;
    return this.#deps.commands.run({
      name: entry.command ?? 'help',
      platform,
      userId: user.id,
      thread,
      chatType,
      args: command?.args ?? '',
      message: entry.message,
    });
  }
}

/**
 * The head question with the questions of a burst joined to it (`Step.joined`): their texts follow
 * its own, in order, one per line, as one question for one agent call. Unreadable ones are left out.
 */
export function joinBurst(
  entry: InboxEntry | null,
  joined: readonly string[] | undefined,
): InboxEntry | null {
  if (entry?.kind !== 'ask' || !joined || joined.length === 0) return entry;
  const texts = [entry.message.text ?? '', ...joined.map((raw) => parseEntry(raw)?.message.text ?? '')];
  const text = boundQuestion(texts.filter((t) => t.trim() !== '').join('\n'));
  return { ...entry, message: { ...entry.message, text } };
}
