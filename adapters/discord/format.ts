import { splitText } from '../../src/core/split.ts';

/** Discord's limit for one message's content. */
export const DISCORD_MAX_MESSAGE = 2000;

/** Agent Markdown → Discord message texts within the limit. */
export function renderDiscord(markdown: string): string[] {
  return splitText(markdown, DISCORD_MAX_MESSAGE);
}
