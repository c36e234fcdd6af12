/**
 * The conversation controls a message passes before it is stored for the agent (issue 18), the same
 * on every platform:
 * - **human takeover**: a chat paused by `/pause` (or, with `HANDOFF_ON_HUMAN_REPLY`, by a listed
 *   person's reply) sends nothing to the agent until it ends; commands still work;
 * - **access**: `BLOCKED_USERS` never reach the agent; with `ALLOWED_USERS` or `ALLOWED_CHATS` set,
 *   anyone else is told once that the bot is private (or ignored, `ACCESS_NOTICE=off`). Admins are
 *   always allowed;
 * - **flood protection**: past `USER_RATE_LIMIT` messages a minute, one notice, then nothing.
 */
import type { NoticeKey } from '../../notices.ts';
import type { IncomingMessage } from '../contract.ts';
import type { FloodGuard } from './flood.ts';
import { listsChat, listsPerson, type Person, type PersonEntry, teamOf } from './lists.ts';
import type { Pauses } from './pauses.ts';

/** The controls' settings, from the environment. */
export interface ControlsConfig {
  /** `ALLOWED_USERS`: empty with no `allowedChats`: everyone is allowed. */
  allowedUsers: PersonEntry[];
  /** `ALLOWED_CHATS`: thread-key prefixes whose every member is allowed. */
  allowedChats: string[];
  /** `BLOCKED_USERS`: never reach the agent (unless admins). */
  blockedUsers: PersonEntry[];
  /** `HANDOFF_USERS`: may `/pause` and `/resume` besides admins. */
  handoffUsers: PersonEntry[];
  /** `HANDOFF_ON_HUMAN_REPLY`: a handoff user's unaddressed message in a shared chat pauses it. */
  handoffOnHumanReply: boolean;
  /** `HANDOFF_PAUSE`: how long a pause lasts when no duration is given, ms. Default 4 hours. */
  pauseMs: number;
  /** `USER_RATE_LIMIT`: messages per minute per person; 0 = no limit. */
  userRateLimit: number;
  /** `ACCESS_NOTICE`: `once` tells someone not allowed once that the bot is private; `off` says nothing. */
  accessNotice: 'once' | 'off';
  /**
   * `COALESCE_WINDOW_MS`: how long a thread's turn waits after its first message, so that a burst of
   * questions from one person becomes one agent call (up to {@link COALESCE_MAX_MESSAGES}); 0 = off.
   */
  coalesceWindowMs: number;
}

/** The most messages one coalesced question joins. */
export const COALESCE_MAX_MESSAGES = 10;

/** Controls that are all off: everyone allowed, nothing paused automatically, no rate limit. */
export const CONTROLS_OFF: ControlsConfig = {
  allowedUsers: [],
  allowedChats: [],
  blockedUsers: [],
  handoffUsers: [],
  handoffOnHumanReply: false,
  pauseMs: 4 * 3_600_000,
  userRateLimit: 0,
  accessNotice: 'once',
  coalesceWindowMs: 0,
};

/** What becomes of a message at the gate. */
/** Why a control kept a message from the agent. */
export type HoldReason = 'blocked' | 'private' | 'paused' | 'handoff' | 'flood';

/** Every {@link HoldReason}, for metrics that start at 0. */
export const HOLD_REASONS: readonly HoldReason[] = ['blocked', 'private', 'paused', 'handoff', 'flood'];

export type GateVerdict =
  | { pass: true }
  /** Not for the agent: dropped (`notice` absent) or answered with a notice instead. */
  | { pass: false; reason: HoldReason; notice?: NoticeKey };

export interface GateDeps {
  config: ControlsConfig;
  pauses: Pauses;
  flood: FloodGuard;
  /** Whether the person is in `ADMIN_USERS`. */
  isAdmin: (person: Person) => boolean;
  /** Marks `key` as told; false when it was told already (Redis `SET NX` with a lifetime). */
  tellOnce: (key: string) => Promise<boolean>;
  /** Clock, epoch ms. */
  now: () => number;
}

const PASS: GateVerdict = { pass: true };

export class ControlGate {
  readonly #deps: GateDeps;

  constructor(deps: GateDeps) {
    this.#deps = deps;
  }

  /** Who wrote `message`, as the lists name people. */
  personOf(message: IncomingMessage): Person {
    const team = teamOf(message.thread);
    return { platform: message.platform, id: message.user.id, ...(team !== undefined && { team }) };
  }

  /** Whether the writer of `message` may `/pause` and `/resume`. */
  mayHandOff(person: Person): boolean {
    return this.#deps.isAdmin(person) || listsPerson(this.#deps.config.handoffUsers, person);
  }

  /**
   * Looks at every message of a shared chat, addressed or not: a handoff user's reply there pauses
   * the chat when `HANDOFF_ON_HUMAN_REPLY` is on. True when this message paused it.
   */
  async humanReply(message: IncomingMessage): Promise<boolean> {
    const { config, pauses, now } = this.#deps;
    if (!config.handoffOnHumanReply || message.chatType !== 'group' || message.addressed) return false;
    if (message.command || message.user.anonymous) return false;
    const person = this.personOf(message);
    if (!listsPerson(config.handoffUsers, person)) return false;
    await pauses.pause({
      thread: message.thread,
      until: now() + config.pauseMs,
      by: `${person.platform}:${person.id}`,
      message,
    });
    return true;
  }

  /** The verdict on a message the bridge would otherwise store; `isCommand`: a bridge command. */
  async check(message: IncomingMessage, isCommand: boolean): Promise<GateVerdict> {
    const { config, pauses, flood, now } = this.#deps;
    const person = this.personOf(message);
    const admin = !message.user.anonymous && this.#deps.isAdmin(person);
    if (!admin) {
      if (listsPerson(config.blockedUsers, person)) return { pass: false, reason: 'blocked' };
      if (!this.#allowed(person, message.thread)) {
        const first =
          config.accessNotice === 'once' &&
          (await this.#deps.tellOnce(`private:${person.platform}:${person.id}:${message.thread}`));
        return { pass: false, reason: 'private', ...(first && { notice: 'privateBot' as const }) };
      }
    }
    if (isCommand) return PASS;
    const at = now();
    const pause = await pauses.get(message.thread, at);
    if (pause !== null) {
      // Paused from elsewhere (an admin naming this chat): its end is announced where people wrote.
      if (!pause.message) await pauses.noteWhere(pause, message, at);
      return { pass: false, reason: 'paused' };
    }
    if (admin) return PASS;
    const verdict = await flood.count(`${person.platform}:${person.id}`, now());
    if (verdict === 'ok') return PASS;
    return {
      pass: false,
      reason: 'flood',
      ...(verdict === 'notice' && { notice: 'tooManyMessages' as const }),
    };
  }

  #allowed(person: Person, thread: string): boolean {
    const { allowedUsers, allowedChats } = this.#deps.config;
    if (allowedUsers.length === 0 && allowedChats.length === 0) return true;
    return listsPerson(allowedUsers, person) || listsChat(allowedChats, thread);
  }
}
