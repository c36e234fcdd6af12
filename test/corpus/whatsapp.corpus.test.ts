/**
 * The WhatsApp corpus (`whatsapp-payloads.ts`) through the normalizer, as the adapter calls it for
 * its own business number, and the router's rules: every body gets what a person in WhatsApp expects.
 */
import { describe, expect, it } from 'vitest';
import { normalizeWhatsAppWebhook } from '../../adapters/whatsapp/normalize.ts';
import { Router } from '../../src/core/router.ts';
import type { InboxEntry, ThreadStore } from '../../src/core/thread-store.ts';
import { createLogger } from '../../src/logger.ts';
import {
  CORPUS_NUMBER,
  CORPUS_THREAD,
  type WhatsAppCorpusCase,
  type WhatsAppExpectation,
  whatsappCorpus,
} from './whatsapp-payloads.ts';

const log = createLogger({ level: 'silent', secrets: [] });

/** What the router stores for `c` (empty: ignored), with an inbox that only records. */
async function route(c: WhatsAppCorpusCase): Promise<InboxEntry[]> {
  const stored: InboxEntry[] = [];
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
    groupMode: 'mention',
    log,
  });
  for (const message of normalizeWhatsAppWebhook(c.body, { phoneNumberId: CORPUS_NUMBER })) {
    await router.accept(message);
  }
  return stored;
}

/** The outcome in the corpus's terms. */
function outcome(entries: InboxEntry[]): WhatsAppExpectation | { other: string } {
  const [entry, ...more] = entries;
  if (!entry) return { ignore: true };
  if (more.length > 0) return { other: `${entries.length} entries` };
  if (entry.kind === 'ask') return { answer: entry.message.text ?? '', thread: entry.message.thread };
  if (entry.kind === 'command') return { command: entry.command ?? '' };
  if (entry.kind === 'notice' && entry.notice === 'textOnly') return { notice: 'textOnly' };
  return { other: `${entry.kind}:${entry.notice ?? ''}` };
}

describe('the WhatsApp corpus', () => {
  it.each(whatsappCorpus.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const want = c.expect;
    expect(outcome(await route(c))).toEqual('answer' in want ? { thread: CORPUS_THREAD, ...want } : want);
  });

  it('covers every kind of payload the issue lists', () => {
    const names = whatsappCorpus.map((c) => c.name).join('\n');
    for (const kind of [
      'text:',
      'button_reply',
      'list_reply',
      'button:',
      'image:',
      'video:',
      'document:',
      'audio:',
      'sticker',
      'location',
      'contacts',
      'reaction:',
      'unsupported:',
      'system:',
      'statuses: sent',
      'statuses: delivered',
      'statuses: read',
      'statuses: failed',
      'command:',
    ])
      expect(names).toContain(kind);
  });
});
