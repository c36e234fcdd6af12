/**
 * Telegram updates as the Bot API documents them (core.telegram.org/bots/api#update), one per kind of
 * message the bridge meets, each with what the bridge must do with it. `issue` names the case of
 * issue 14 an entry reproduces (it failed before that case was fixed).
 * The updates are in `telegram-corpus-chats.ts` (private chats, basic groups) and
 * `telegram-corpus-supergroups.ts` (supergroups, forums, channels), the bot, users, chats and update
 * builders they use in `telegram-corpus-world.ts`.
 */
import type { CommandName } from '../../src/core/commands.ts';
import type { NoticeKey } from '../../src/notices.ts';
import { TELEGRAM_CHAT_CASES } from './telegram-corpus-chats.ts';
import { TELEGRAM_SUPERGROUP_CASES } from './telegram-corpus-supergroups.ts';

export { CORPUS_BOT } from './telegram-corpus-world.ts';

/** What the bridge must do with an update. */
export type Expected =
  /** Ask the agent exactly this question, in this thread. */
  | { ask: string; thread?: string }
  /** Post this notice, without calling the agent. */
  | { notice: NoticeKey }
  /** Run this bridge command. */
  | { command: CommandName }
  /** Nothing at all. */
  | 'ignore';

export interface TelegramCase {
  name: string;
  update: Record<string, unknown>;
  expect: Expected;
  /** Default `mention`. */
  groupMode?: 'mention' | 'all';
  /** The `/start` payload kept as context for the chat's next question. */
  remembers?: string;
  /** The thread whose conversation moves to another (a group upgraded to a supergroup). */
  moves?: { from: string; to: string };
  /** The numbered case of issue 14 it reproduces. */
  issue?: number;
}

export const TELEGRAM_CASES: TelegramCase[] = [...TELEGRAM_CHAT_CASES, ...TELEGRAM_SUPERGROUP_CASES];
