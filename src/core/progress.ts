/**
 * Showing a chat that the agent is working on its question: the typing indicator (renewed while the
 * agent works, where the platform has one) and the platform's mark on the user's message, both only
 * once the answer has taken `PROGRESS_DELAY_MS`, so that a quick answer goes out without a sign
 * flashing for an instant, and with two platform calls fewer. Failures to show it are logged at
 * debug and otherwise ignored: progress is a courtesy.
 */
import type { Logger } from '../logger.ts';
import type { Adapter } from './contract.ts';
import type { InboxEntry } from './thread-store.ts';

/**
 * An answer that comes within this time goes out without a progress sign first: no typing indicator
 * flashing for an instant, and two platform calls fewer per message.
 */
export const PROGRESS_DELAY_MS = 400;

/** A progress sign being shown (or about to be). */
export interface Progress {
  /** Stops renewing the typing indicator and clears the working mark, if it was shown. */
  stop(): void;
}

/**
 * Shows that the agent is working, once it has taken `PROGRESS_DELAY_MS`: the typing indicator,
 * renewed until `stop` (where the platform has one), and the platform's mark on the user's message
 * (cleared on `stop`).
 */
export function showProgress(adapter: Adapter, entry: InboxEntry, log: Logger): Progress {
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
