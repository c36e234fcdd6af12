/**
 * The router on the in-memory thread store: what is stored for answering and in what form, what is
 * ignored, a redelivered message dropped, one turn enqueued per thread, and a full inbox refused.
 */
import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../../src/core/contract.ts';
import { MemoryThreadStore } from '../../src/core/memory-thread-store.ts';
import { Router } from '../../src/core/router.ts';
import type { InboxEntry } from '../../src/core/thread-store.ts';
import { captureLog, countingObserver } from '../support/turn-harness.ts';

function setup(
  options: { groupMode?: 'mention' | 'all'; conversations?: string[]; maxPending?: number } = {},
) {
  const store = new MemoryThreadStore({ dedupeTtlSeconds: 60, maxPending: options.maxPending ?? 500 });
  const enqueued: Array<[string, string]> = [];
  const starts: Array<[string, string]> = [];
  const logs = captureLog();
  const observer = countingObserver();
  const router = new Router({
    inbox: store,
    enqueueTurn: async (thread, jobId) => {
      enqueued.push([thread, jobId]);
    },
    hasConversation: async (thread) => options.conversations?.includes(thread) ?? false,
    rememberStart: async (thread, payload) => {
      starts.push([thread, payload]);
    },
    observer,
    groupMode: options.groupMode ?? 'mention',
    log: logs.log,
    now: () => 42,
  });
  /** The entries stored for `thread`, in order (read through a run of its turn). */
  const stored = async (thread: string): Promise<InboxEntry[]> => {
    const entries: InboxEntry[] = [];
    const job = await store.jobOf(thread);
    if (job === null) return entries;
    await store.claim(thread, job, 'reader');
    for (;;) {
      const step = await store.begin(thread, 'reader');
      if (step.kind !== 'head') return entries;
      entries.push(JSON.parse(step.raw) as InboxEntry);
      await store.advance(thread, job, 'reader', step.raw);
    }
  };
  return { store, router, enqueued, starts, logs, observer, stored };
}

let n = 0;
function message(overrides: Partial<IncomingMessage> = {}): IncomingMessage {
  n++;
  return {
    id: `telegram:1:${n}`,
    platform: 'telegram',
    thread: 'telegram:1',
    address: { channel: '1' },
    messageId: String(n),
    chatType: 'direct',
    addressed: true,
    text: 'hello',
    user: { id: '1', displayName: 'Ana' },
    sentAt: 0,
    ...overrides,
  };
}

describe('Router', () => {
  it('stores questions in order and enqueues one turn per thread', async () => {
    const { router, enqueued, stored, observer } = setup();
    expect(await router.accept(message({ text: 'first' }))).toBe('queued');
    expect(await router.accept(message({ text: 'second' }))).toBe('queued');
    expect(await router.accept(message({ thread: 'telegram:2', address: { channel: '2' } }))).toBe('queued');
    expect(enqueued.map(([thread]) => thread)).toEqual(['telegram:1', 'telegram:2']);
    const entries = await stored('telegram:1');
    expect(entries.map((e) => [e.kind, e.message.text, e.acceptedAt])).toEqual([
      ['ask', 'first', 42],
      ['ask', 'second', 42],
    ]);
    expect(observer.counts.get('received:telegram')).toBe(3);
  });

  it('drops a redelivered message, saying so in the log', async () => {
    const { router, enqueued, logs } = setup();
    const m = message();
    expect(await router.accept(m)).toBe('queued');
    expect(await router.accept(m)).toBe('duplicate');
    expect(enqueued).toHaveLength(1);
    expect(logs.find('redelivered message dropped')).toEqual([
      expect.objectContaining({ thread: 'telegram:1', id: m.id }),
    ]);
  });

  it('refuses a message when the thread inbox is full', async () => {
    const { router, logs } = setup({ maxPending: 1 });
    expect(await router.accept(message())).toBe('queued');
    expect(await router.accept(message())).toBe('full');
    expect(logs.find('thread inbox full: message dropped')).toHaveLength(1);
  });

  it('ignores group messages not addressed to the bot, unless the thread already has a conversation', async () => {
    const group = {
      chatType: 'group' as const,
      addressed: false,
      thread: 'telegram:-5',
      address: { channel: '-5' },
    };
    const { router } = setup({ conversations: ['telegram:-5'] });
    expect(await router.accept(message(group))).toBe('ignored');
    expect(await router.accept(message({ ...group, followUp: true }))).toBe('queued');
    const all = setup({ groupMode: 'all' });
    expect(await all.router.accept(message(group))).toBe('queued');
  });

  it('turns bridge commands, /start and text-less messages into entries that never reach the agent', async () => {
    const { router, stored, starts } = setup();
    await router.accept(message({ text: '', command: { name: 'credits', args: '' } }));
    await router.accept(message({ text: 'ref-42', command: { name: 'start', args: 'ref-42' } }));
    await router.accept(message({ text: null }));
    await router.accept(
      message({ text: 'the war of 1812', command: { name: 'summarize', args: 'the war of 1812' } }),
    );
    await router.accept(message({ text: 'what is new', command: { name: 'ask', args: 'what is new' } }));
    const entries = await stored('telegram:1');
    expect(entries.map((e) => [e.kind, e.command ?? e.notice ?? e.message.text])).toEqual([
      ['command', 'credits'],
      ['notice', 'welcome'],
      ['notice', 'textOnly'],
      ['ask', '/summarize the war of 1812'],
      ['ask', 'what is new'],
    ]);
    expect(starts).toEqual([['telegram:1', 'ref-42']]);
  });

  it('answers an anonymous admin command with a notice instead of running it', async () => {
    const { router, stored } = setup();
    const anonymous = {
      chatType: 'group' as const,
      user: { id: '1', displayName: 'Group', anonymous: true },
      text: '',
      command: { name: 'reset', args: '' },
    };
    expect(await router.accept(message(anonymous))).toBe('queued');
    expect((await stored('telegram:1')).map((e) => e.notice)).toEqual(['anonymousAdmin']);
  });
});
