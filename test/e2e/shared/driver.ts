/**
 * What the shared end-to-end cases (`cases.ts`) need of a platform: a small driver per platform that
 * starts its fake, sends as a user, reads what the user sees and makes the platform refuse sends. A
 * new platform passes the shared suite with one driver file in `drivers/` and one line in
 * `test/e2e/platforms.test.ts`.
 */

import type { TestBridge } from '../../support/bridge.ts';
import type { BridgeFixture } from '../../support/fixture.ts';

/**
 * How the platform answers one send: as usual, a server error, a connection dropped without an answer,
 * or a rate limit asking to wait this long.
 */
export type SendFault = 'pass' | 'server-error' | 'connection-reset' | { rateLimitedSeconds: number };

/** One send the platform's fake saw: accepted or not, and when. */
export interface SendAttempt {
  ok: boolean;
  at: number;
}

/** A message a user sent, which the platform can deliver again. */
export interface Said {
  /** Delivers the same message again, as the platform does after a lost confirmation. */
  redeliver(): Promise<void>;
}

/** One platform in one test: its fake started and adopted by the fixture. */
export interface PlatformSession {
  /** Starts a bridge with this platform on; `env` adds or overrides variables. */
  start(env?: Record<string, string>): Promise<TestBridge>;
  /**
   * User `chat` (1, 2, …) writes `text` in their direct chat with the bot; resolves once the
   * platform delivered it (a webhook: answered), so that messages said one after another arrive in
   * that order.
   */
  say(chat: number, text: string): Promise<Said>;
  /** User `chat` sends a message without text (a sticker, a file); `caption`: the words with it. */
  sayWithoutText(chat: number, caption?: string): Promise<void>;
  /** The texts user `chat` sees from the bot, in order. */
  seen(chat: number): string[];
  /** Every message send the platform saw, in order. */
  sendAttempts(): SendAttempt[];
  /** The platform answers the next message sends with these, in order (then as usual). */
  failSends(...faults: SendFault[]): void;
}

/** A platform as the shared suite drives it. */
export interface PlatformDriver {
  /** The platform's name, for the describe block. */
  readonly name: string;
  /** Longest message the platform takes: every chunk the bridge posts must fit. */
  readonly maxMessageLength: number;
  /** Starts the platform's fake for one test and hands it to `fx` to close and to keep out of the logs. */
  open(fx: BridgeFixture): Promise<PlatformSession>;
}
