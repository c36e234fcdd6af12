/**
 * The Discord corpus (`discord.payloads.ts`) through the normalizer and the router's rules: each
 * payload gets exactly the answer, notice, command or silence it states.
 */
import { describe, expect, it } from 'vitest';
import {
  type DiscordBotContext,
  inspectDiscordMessage,
  normalizeDiscordCommand,
} from '../../adapters/discord/normalize.ts';
import { Router } from '../../src/core/router.ts';
import type { InboxEntry, ThreadStore } from '../../src/core/thread-store.ts';
import { createLogger } from '../../src/logger.ts';
import {
  BOT_ID,
  DISCORD_CORPUS,
  type DiscordCase,
  type DiscordExpectation,
  HELPERS_ROLE,
  RESPOND_CHANNEL,
} from './discord.payloads.ts';

/** The message the adapter hands in for a payload, or `null` (the adapter calls `inspectDiscordMessage`). */
const normalizeDiscordMessage = (...args: Parameters<typeof inspectDiscordMessage>) =>
  inspectDiscordMessage(...args)?.message ?? null;

const bot: DiscordBotContext = {
  id: BOT_ID,
  mentionRoles: [HELPERS_ROLE],
  respondChannels: [RESPOND_CHANNEL],
};
const log = createLogger({ level: 'silent', secrets: [] });

/** What the router makes of a message, with an inbox that only records what it is given. */
async function route(c: DiscordCase): Promise<DiscordExpectation> {
  if (c.kind === 'interaction') {
    const call = normalizeDiscordCommand(c.payload);
    return call ? { command: call.request.name, chatType: call.request.chatType } : { ignore: true };
  }
  const message = normalizeDiscordMessage(c.payload, bot, c.channel, c.guild);
  if (!message) return { ignore: true };
  expect(JSON.parse(JSON.stringify(message))).toEqual(message);
  let stored: InboxEntry | undefined;
  const inbox = {
    accept: async (entry: InboxEntry) => {
      stored = entry;
      return { outcome: 'queued' as const };
    },
  } as unknown as ThreadStore;
  const router = new Router({
    inbox,
    enqueueTurn: async () => {},
    hasConversation: async () => c.conversation === true,
    groupMode: 'mention',
    log,
  });
  await router.accept(message);
  if (!stored) return { ignore: true };
  if (stored.kind === 'notice') return { notice: stored.notice as 'textOnly' | 'welcome' };
  if (stored.kind === 'command') return { command: stored.command as string };
  return { answer: stored.message.text ?? '' };
}

describe('Discord corpus', () => {
  it('covers every kind of payload the issue names', () => {
    expect(DISCORD_CORPUS.length).toBeGreaterThanOrEqual(50);
    expect(new Set(DISCORD_CORPUS.map((c) => c.name)).size).toBe(DISCORD_CORPUS.length);
  });

  it.each(DISCORD_CORPUS.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    expect(await route(c)).toEqual(c.expect);
  });
});
