/** The Discord adapter. (Being written: this skeleton only fixes the factory's signature.) */
import type { Adapter } from '../../src/core/contract.ts';
import type { Logger } from '../../src/logger.ts';

export interface DiscordAdapterOptions {
  /** Bot token. */
  token: string;
  /** REST base URL, e.g. `https://discord.com/api`. */
  apiUrl: string;
  /** Role ids whose mention addresses the bot. */
  mentionRoles: string[];
  /** Channel ids where every message is answered. */
  respondChannels: string[];
  /** Start a thread on a mentioning message. */
  autoThread: boolean;
  /** Logger. */
  log: Logger;
}

export function createDiscordAdapter(_options: DiscordAdapterOptions): Adapter {
  throw new Error('the Discord adapter is not written yet');
}
