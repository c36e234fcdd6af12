/**
 * Spending rules around each agent call: optional daily budgets per user and per chat (checked before
 * the call, so an exhausted budget costs nothing), and after it the credit ledger and the low-balance
 * alerts to admins.
 */
import type { AgentReply } from '../aksita/client.ts';
import type { Logger } from '../logger.ts';
import type { AdminNotifier } from './admin-notifier.ts';
import type { IncomingMessage } from './contract.ts';
import type { CreditLedger } from './credits.ts';

export interface BudgetLimits {
  /** Credits one user may spend per UTC day; 0 = unlimited. */
  userDaily: number;
  /** Credits one chat may spend per UTC day; 0 = unlimited. */
  chatDaily: number;
}

/** Epoch ms of the next UTC midnight after `now`. */
export function nextUtcMidnight(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

export class Spending {
  readonly #ledger: CreditLedger;
  readonly #limits: BudgetLimits;
  readonly #notifier: AdminNotifier;
  readonly #log: Logger;

  constructor(options: { ledger: CreditLedger; limits: BudgetLimits; notifier: AdminNotifier; log: Logger }) {
    this.#ledger = options.ledger;
    this.#limits = options.limits;
    this.#notifier = options.notifier;
    this.#log = options.log;
  }

  /** When the message's user or chat has used up today's budget: the time it resets (epoch ms); else null. */
  async budgetResetsAt(message: IncomingMessage, now = Date.now()): Promise<number | null> {
    const { userDaily, chatDaily } = this.#limits;
    if (userDaily === 0 && chatDaily === 0) return null;
    const spent = await this.#ledger.spentToday(
      `${message.platform}:${message.user.id}`,
      message.thread,
      now,
    );
    const over = (userDaily > 0 && spent.user >= userDaily) || (chatDaily > 0 && spent.chat >= chatDaily);
    if (!over) return null;
    this.#log.info({ thread: message.thread, spent }, 'daily credit budget reached');
    return nextUtcMidnight(now);
  }

  /** Records the reply's credits and alerts admins of each low-balance threshold it crossed. */
  async record(
    message: IncomingMessage,
    reply: Pick<AgentReply, 'credits' | 'remainingCredits'> & { agent?: string },
  ): Promise<void> {
    const agent = reply.agent ?? '';
    const crossed = await this.#ledger.record({
      platform: message.platform,
      thread: message.thread,
      user: `${message.platform}:${message.user.id}`,
      credits: reply.credits,
      remaining: reply.remainingCredits,
      ...(agent !== '' && { agent }),
    });
    // A routed agent's key is named by its variable, so the admin knows which one to top up.
    const whose = agent === '' ? 'Aksita credits' : `Aksita credits of ${agent}`;
    for (const threshold of crossed) {
      await this.#notifier.notify(
        agent === '' ? 'low-balance' : `low-balance:${agent}`,
        threshold === 0
          ? `${whose} are used up (${reply.remainingCredits} left). Users are being told to try later: top up credits in the Aksita dashboard.`
          : `${whose} are running low: ${reply.remainingCredits} left (below ${threshold}). Top up in the Aksita dashboard.`,
      );
    }
  }
}
