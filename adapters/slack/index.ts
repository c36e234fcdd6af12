/** The Slack adapter. (Being written: this skeleton only fixes the factory's signature.) */
import type { Adapter } from '../../src/core/contract.ts';
import type { Logger } from '../../src/logger.ts';

export interface SlackAdapterOptions {
  /** Bot token (`xoxb-`). */
  botToken: string;
  /** Signing secret (HTTP mode). */
  signingSecret?: string;
  /** App-level token (`xapp-`): Socket Mode. */
  appToken?: string;
  /** Web API base URL with trailing slash. */
  apiUrl: string;
  /** Reaction shown while the agent works; null: none. */
  workingReaction: string | null;
  /** Logger. */
  log: Logger;
}

export function createSlackAdapter(_options: SlackAdapterOptions): Adapter {
  throw new Error('the Slack adapter is not written yet');
}
