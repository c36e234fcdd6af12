/**
 * The router: the one door into the bridge. It applies the group rules, turns messages without text
 * into notices, drops redeliveries, and stores what remains in its thread's inbox; when that starts a
 * new turn, it enqueues the turn's job. It resolves only once the message is stored, so an adapter
 * may confirm the message to its platform as soon as `accept` resolves.
 *
 * Commands, the same on every platform: the bridge's own (`COMMANDS`) run as bridge commands; `/start`
 * is the welcome, and its argument (a Telegram deep-link payload) is kept as context for the chat's
 * next question; `/ask <question>` asks the agent the question; any other command reaches the agent
 * whole (`/summarize the war of 1812`), since the agent may know it.
 */
import type { Logger } from '../logger.ts';
import type { NoticeKey } from '../notices.ts';
import { boundQuestion } from './bounds.ts';
import { isCommandName, needsAdmin } from './commands.ts';
import type { IncomingMessage } from './contract.ts';
import type { ControlGate } from './controls/gate.ts';
import type { Observer } from './observer.ts';
import type { InboxEntry, ThreadStore } from './thread-store.ts';

/** What became of an incoming message. */
export type RouteResult = 'queued' | 'duplicate' | 'ignored' | 'full';

export interface RouterDeps {
  inbox: ThreadStore;
  /** Enqueues the job that runs a thread's turn. Must be idempotent for the same job id. */
  enqueueTurn: (thread: string, jobId: string) => Promise<void>;
  /** True when `thread` already has an agent conversation (for follow-ups in threads). */
  hasConversation: (thread: string) => Promise<boolean>;
  /** Told of every stored message. */
  observer?: Observer;
  /** Keeps a `/start` argument (deep-link payload) as context for the thread's next question. */
  rememberStart?: (thread: string, payload: string) => Promise<void>;
  /** `mention`: in groups, only messages addressed to the bot; `all`: everything. */
  groupMode: 'mention' | 'all';
  /** The conversation controls (takeover, access, flood); absent: every message passes. */
  gate?: ControlGate;
  log: Logger;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

export class Router {
  readonly #d: RouterDeps;
  readonly #now: () => number;

  constructor(deps: RouterDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** Stores `message` for answering (or decides to ignore it). Resolves once it is durable. */
  readonly accept = async (message: IncomingMessage): Promise<RouteResult> => {
    const log = this.#d.log;
    const { gate } = this.#d;
    // A person of the team writing in a thread without addressing the bot (a follow-up counts as
    // addressed only for the agent) takes it over.
    if (gate && (await gate.humanReply(message))) {
      log.info({ thread: message.thread, id: message.id }, 'chat paused: a person of the team replied');
      this.#d.observer?.heldBack?.(message.platform, 'handoff');
      return 'ignored';
    }
    const addressed = await this.#withFollowUp(message);
    let entry = this.#entryFor(addressed);
    if (!entry) {
      log.debug({ thread: message.thread, id: message.id }, 'message ignored');
      return 'ignored';
    }
    const verdict = gate ? await gate.check(addressed, entry.kind === 'command') : undefined;
    if (verdict && !verdict.pass) {
      log.info(
        { thread: message.thread, id: message.id, reason: verdict.reason },
        'message held back by a control',
      );
      this.#d.observer?.heldBack?.(message.platform, verdict.reason);
      if (!verdict.notice) return 'ignored';
      entry = {
        id: entry.id,
        message: entry.message,
        acceptedAt: entry.acceptedAt,
        kind: 'notice',
        notice: verdict.notice,
      };
    }
    return this.#store(message, entry);
  };

  /**
   * Posts notice `notice` in the chat of `message`, in order with its other answers (the end of a
   * pause). `id` makes it happen once however often it is asked for.
   */
  readonly announce = async (message: IncomingMessage, notice: NoticeKey, id: string): Promise<void> => {
    await this.#store(message, { id, message, acceptedAt: this.#now(), kind: 'notice', notice });
  };

  async #store(message: IncomingMessage, entry: InboxEntry): Promise<RouteResult> {
    const log = this.#d.log;
    const payload = entry.kind === 'notice' && message.command?.name === 'start' ? message.command.args : '';
    if (payload !== '') await this.#d.rememberStart?.(message.thread, payload);
    const result = await this.#d.inbox.accept(entry);
    if (result.outcome === 'duplicate') {
      log.info({ thread: message.thread, id: message.id }, 'redelivered message dropped');
      return 'duplicate';
    }
    if (result.outcome === 'full') {
      log.warn({ thread: message.thread, id: message.id }, 'thread inbox full: message dropped');
      return 'full';
    }
    if (result.startTurn) await this.#d.enqueueTurn(message.thread, result.startTurn);
    this.#d.observer?.received(message.platform);
    log.debug(
      { thread: message.thread, id: message.id, kind: entry.kind, text: message.text },
      'message queued',
    );
    return 'queued';
  }

  /** A follow-up in a thread that already has a conversation counts as addressed. */
  async #withFollowUp(message: IncomingMessage): Promise<IncomingMessage> {
    if (message.addressed || !message.followUp || this.#d.groupMode === 'all') return message;
    return (await this.#d.hasConversation(message.thread)) ? { ...message, addressed: true } : message;
  }

  #entryFor(received: IncomingMessage): InboxEntry | null {
    // A question longer than any chat allows is cut before it is stored.
    const message = received.text === null ? received : { ...received, text: boundQuestion(received.text) };
    const base = { id: message.id, message, acceptedAt: this.#now() };
    const direct = message.chatType === 'direct';
    const command = message.command;
    if (!direct && this.#d.groupMode === 'mention' && !message.addressed) return null;
    if (command?.name === 'start') return { ...base, kind: 'notice', notice: 'welcome' };
    if (command && isCommandName(command.name)) {
      if (message.user.anonymous && needsAdmin(command.name, message.chatType)) {
        return { ...base, kind: 'notice', notice: 'anonymousAdmin' };
      }
      return { ...base, kind: 'command', command: command.name };
    }
    if (message.text === null) return direct ? { ...base, kind: 'notice', notice: 'textOnly' } : null;
    let text = message.text.trim();
    if (command && command.name !== 'ask')
      text = text === '' ? `/${command.name}` : `/${command.name} ${text}`;
    if (text === '') return { ...base, kind: 'notice', notice: 'welcome' };
    return { ...base, kind: 'ask', message: { ...message, text: boundQuestion(text) } };
  }
}
