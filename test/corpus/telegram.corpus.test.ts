/**
 * The Telegram corpus (telegram-payloads.ts) through the normalizer and the router's rules: for each
 * update, what the bridge stores (a question and its text, a notice, a command) or that it ignores it,
 * and which thread's conversation it moves (a group upgraded to a supergroup).
 */
import { describe, expect, it } from 'vitest';
import { normalizeTelegramUpdate, telegramMigration } from '../../adapters/telegram/normalize.ts';
import { Router } from '../../src/core/router.ts';
import type { InboxEntry, ThreadStore } from '../../src/core/thread-store.ts';
import { createLogger } from '../../src/logger.ts';
import { CORPUS_BOT, type Expected, TELEGRAM_CASES } from './telegram-payloads.ts';

const log = createLogger({ level: 'silent', secrets: [] });

/** What the bridge does with one update, in the corpus's terms. */
async function route(
  update: unknown,
  groupMode: 'mention' | 'all',
): Promise<{ outcome: Expected; remembered: string[] }> {
  const stored: InboxEntry[] = [];
  const remembered: string[] = [];
  // The router's rules only: an inbox that keeps what it is given.
  const inbox = {
    accept: async (entry: InboxEntry) => {
      stored.push(entry);
      return { outcome: 'queued' as const };
    },
  } as unknown as ThreadStore;
  const router = new Router({
    inbox,
    enqueueTurn: async () => {},
    hasConversation: async () => false,
    rememberStart: async (_thread, payload) => {
      remembered.push(payload);
    },
    groupMode,
    log,
  });
  const message = normalizeTelegramUpdate(update, CORPUS_BOT);
  if (message === null || (await router.accept(message)) === 'ignored')
    return { outcome: 'ignore', remembered };
  const [entry] = stored;
  if (entry === undefined) throw new Error('accepted but not stored');
  const outcome: Expected =
    entry.kind === 'ask'
      ? { ask: entry.message.text ?? '', thread: entry.message.thread }
      : entry.kind === 'notice'
        ? { notice: entry.notice ?? 'welcome' }
        : { command: entry.command ?? 'help' };
  return { outcome, remembered };
}

describe('Telegram corpus', () => {
  it.each(TELEGRAM_CASES.map((c) => [c.name, c] as const))('%s', async (_name, corpusCase) => {
    const { outcome, remembered } = await route(corpusCase.update, corpusCase.groupMode ?? 'mention');
    const { expect: expected } = corpusCase;
    if (typeof expected === 'object' && 'ask' in expected && expected.thread === undefined) {
      expect(outcome).toMatchObject({ ask: expected.ask });
    } else {
      expect(outcome).toEqual(expected);
    }
    expect(remembered).toEqual(corpusCase.remembers === undefined ? [] : [corpusCase.remembers]);
    const migration = telegramMigration(corpusCase.update);
    expect(migration && { from: migration.from.thread, to: migration.to.thread }).toEqual(
      corpusCase.moves ?? null,
    );
  });

  it('never throws on a damaged update', () => {
    for (const { update } of TELEGRAM_CASES) {
      const inner = Object.values(update).find((v) => typeof v === 'object') as Record<string, unknown>;
      for (const key of Object.keys(inner ?? {})) {
        for (const bad of [null, 42, 'x', [], {}]) {
          const damaged = { ...update, message: { ...inner, [key]: bad } };
          expect(() => normalizeTelegramUpdate(damaged, CORPUS_BOT)).not.toThrow();
          expect(() => telegramMigration(damaged)).not.toThrow();
        }
      }
    }
  });
});
