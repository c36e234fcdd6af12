/**
 * Ends pauses on time: every few seconds, claims the pauses that have run out (`Pauses.claimEnded`,
 * so one process alone takes each) and has the router post "I'm back" in each such chat, once, in
 * order with its other answers. Runs in the processes that receive (they hold the router).
 */
import type { Logger } from '../../logger.ts';
import type { NoticeKey } from '../../notices.ts';
import type { IncomingMessage } from '../contract.ts';
import type { Pauses } from './pauses.ts';

/** How often ended pauses are looked for, ms. */
export const PAUSE_SWEEP_MS = 2_000;

export interface PauseEndsDeps {
  pauses: Pauses;
  /** Posts a notice in the chat of `message`, once per `id` (Router.announce). */
  announce: (message: IncomingMessage, notice: NoticeKey, id: string) => Promise<void>;
  log: Logger;
  now?: () => number;
  /** Default {@link PAUSE_SWEEP_MS}. */
  everyMs?: number;
}

export class PauseEnds {
  readonly #deps: PauseEndsDeps;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(deps: PauseEndsDeps) {
    this.#deps = deps;
  }

  start(): void {
    const every = this.#deps.everyMs ?? PAUSE_SWEEP_MS;
    this.#timer = setInterval(() => {
      this.#running ??= this.sweep().finally(() => {
        this.#running = undefined;
      });
    }, every);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** Announces every pause that has ended by now. */
  async sweep(): Promise<void> {
    const { pauses, announce, log } = this.#deps;
    const now = (this.#deps.now ?? Date.now)();
    try {
      for (const pause of await pauses.claimEnded(now)) {
        log.info({ thread: pause.thread, by: pause.by }, 'pause ended: the agent answers again');
        if (pause.message) await announce(pause.message, 'resumed', `resumed:${pause.thread}:${pause.until}`);
      }
    } catch (err) {
      log.warn({ err }, 'ended pauses not announced');
    }
  }
}
