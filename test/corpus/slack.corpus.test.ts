/**
 * The Slack corpus (`slack-payloads.ts`) through the normalizer and the router's rules
 * (`GROUP_MODE=mention`): every payload gets what a person in Slack expects.
 */
import { describe, expect, it } from 'vitest';
import { normalizeSlackEvent } from '../../adapters/slack/normalize.ts';
import { Router } from '../../src/core/router.ts';
import type { InboxEntry, ThreadStore } from '../../src/core/thread-store.ts';
import { createLogger } from '../../src/logger.ts';
import { CORPUS_BOT, type SlackCorpusCase, type SlackExpectation, slackCorpus } from './slack-payloads.ts';

const log = createLogger({ level: 'silent', secrets: [] });

/** What the router stores for `c` (null: ignored), with an inbox that only records. */
async function route(c: SlackCorpusCase): Promise<InboxEntry | null> {
  const message = normalizeSlackEvent(c.body, CORPUS_BOT, c.names);
  if (!message) return null;
  let stored: InboxEntry | null = null;
  const inbox = {
    accept: async (entry: InboxEntry) => {
      stored = entry;
      return { outcome: 'queued' as const };
    },
  } as unknown as ThreadStore;
  const router = new Router({
    inbox,
    enqueueTurn: async () => {},
    hasConversation: async () => c.inConversation === true,
    groupMode: 'mention',
    log,
  });
  await router.accept(message);
  return stored;
}

/** The outcome in the corpus's terms. */
function outcome(entry: InboxEntry | null): SlackExpectation | { other: string } {
  if (!entry) return { ignore: true };
  if (entry.kind === 'ask') return { answer: entry.message.text ?? '', thread: entry.message.thread };
  if (entry.kind === 'notice' && entry.notice === 'textOnly') return { notice: 'textOnly' };
  return { other: `${entry.kind}:${entry.notice ?? entry.command ?? ''}` };
}

describe('the Slack corpus', () => {
  it.each(slackCorpus.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const got = outcome(await route(c));
    const want = c.expect;
    if ('answer' in want && want.thread === undefined && 'answer' in got) {
      expect(got.answer).toBe(want.answer);
    } else {
      expect(got).toEqual(want);
    }
  });

  it('covers every kind of payload the issue lists', () => {
    const names = slackCorpus.map((c) => c.name).join('\n');
    for (const kind of [
      'DM:',
      'me_message',
      'markup:',
      'twin',
      'thread:',
      'thread_broadcast',
      'file_share',
      'bot:',
      'message_changed',
      'message_deleted',
      'grid:',
      'connect:',
    ])
      expect(names).toContain(kind);
  });
});
