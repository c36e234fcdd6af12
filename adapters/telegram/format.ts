import { splitText } from '../../src/core/split.ts';

/** Longest text `sendMessage` accepts, in UTF-16 code units. */
export const TELEGRAM_MAX_MESSAGE = 4096;

/** Turns one agent response into Telegram message texts, each within `TELEGRAM_MAX_MESSAGE`. */
export function renderTelegram(markdown: string): string[] {
  // Plain text for now; Markdown → Telegram HTML comes in a later issue.
  return splitText(markdown, TELEGRAM_MAX_MESSAGE);
}
