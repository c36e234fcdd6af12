/**
 * Burst coalescing (`COALESCE_WINDOW_MS`) end to end on Telegram and Slack: messages of one person
 * that arrive within the window become one agent call and one answer; commands are never merged;
 * someone else's message is not joined to another's; and a bridge killed during the window loses
 * nothing and answers nothing twice.
 */
import { Redis } from 'ioredis';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fakes/slack.ts';
import { bridgeStarted, eventually, spawnBridge } from '../support/bridge.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture();
const WINDOW = { COALESCE_WINDOW_MS: '800' };
const asked = () => fx.aksita.chats.map((c) => c.message);

describe('burst coalescing on Telegram', () => {
  it('asks the agent once for a burst of one person, with the texts in order, and answers once', async () => {
    await fx.start(WINDOW);
    for (const text of ['hai', 'mau tanya', 'berapa harganya?']) fx.telegram.userMessage({ chatId: 7, text });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(7).length === 1, 10_000, 'the answer');
    expect(asked()).toEqual(['hai\nmau tanya\nberapa harganya?']);
    expect(fx.telegram.sentTo(7)).toEqual(['echo: hai\nmau tanya\nberapa harganya?']);
    // A later message after the answer is a question of its own.
    fx.telegram.userMessage({ chatId: 7, text: 'terima kasih' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(7).length === 2, 10_000, 'the second answer');
    expect(asked()).toEqual(['hai\nmau tanya\nberapa harganya?', 'terima kasih']);
  });

  it('never merges a command, and never joins one person’s message to another’s', async () => {
    await fx.start(WINDOW);
    fx.telegram.userMessage({ chatId: 8, text: 'first' });
    fx.telegram.userMessage({ chatId: 8, text: '/help' });
    fx.telegram.userMessage({ chatId: 8, text: 'after help' });
    const group = { chatId: -900, chatType: 'supergroup' as const };
    fx.telegram.userMessage({ ...group, fromId: 1, text: '/ask from ana' });
    fx.telegram.userMessage({ ...group, fromId: 2, text: '/ask from budi' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(8).length === 3, 10_000, 'three replies');
    await fx.telegram.waitFor(() => fx.telegram.sentTo(-900).length === 2, 10_000, 'two group replies');
    expect(fx.telegram.sentTo(8)[0]).toBe('echo: first');
    expect(fx.telegram.sentTo(8)[1]).toMatch(/^I'm an AI assistant/);
    expect(fx.telegram.sentTo(8)[2]).toBe('echo: after help');
    expect(asked().sort()).toEqual(['after help', 'first', 'from ana', 'from budi']);
  });
});

describe('burst coalescing on Slack', () => {
  let slack: FakeSlack;
  beforeEach(async () => {
    slack = await startFakeSlack();
    fx.adopt(slack, [slack.token, slack.signingSecret, slack.appToken]);
  });

  it('joins a burst of DMs into one question and one answer', async () => {
    const { bridge } = await fx.start({
      ...WINDOW,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: slack.signingSecret,
      SLACK_API_URL: `${slack.url}/api`,
    });
    const events = `http://127.0.0.1:${bridge.port}/slack/events`;
    for (const text of ['hello', 'I have a question', 'what are your hours?'])
      await slack.sendEvent(events, slack.dm({ user: 'U0BURST01', text }));
    await slack.waitFor(() => slack.dmsTo('U0BURST01').length === 1, 10_000, 'the answer');
    expect(asked()).toEqual(['hello\nI have a question\nwhat are your hours?']);
  });
});

describe('a crash during the window', () => {
  it('loses nothing and answers nothing twice when the bridge is killed while a burst waits', async () => {
    const env = fx.env({ COALESCE_WINDOW_MS: '3000' });
    const redis = new Redis(inject('redisUrl'));
    const first = spawnBridge(env);
    try {
      await bridgeStarted(first);
      fx.telegram.userMessage({ chatId: 9, text: 'one' });
      fx.telegram.userMessage({ chatId: 9, text: 'two' });
      // Both stored in the thread's inbox, the turn still waiting out its window: kill it there.
      await eventually(
        async () => (await redis.llen(`${env.REDIS_PREFIX}:inbox:telegram:9`)) === 2,
        10_000,
        'both stored',
      );
      first.child.kill('SIGKILL');
      await first.exited;
      fx.telegram.userMessage({ chatId: 9, text: 'three' });
      const second = spawnBridge(env);
      try {
        await fx.telegram.waitFor(
          () => fx.telegram.sentTo(9).join('\n').split('\n').length >= 3,
          20_000,
          'every message answered',
        );
        // Each text reached the agent exactly once, in order, in one call or in its own.
        expect(asked().join('\n').split('\n')).toEqual(['one', 'two', 'three']);
        expect(fx.telegram.sentTo(9)).toHaveLength(fx.aksita.chats.length);
      } finally {
        second.child.kill('SIGKILL');
        await second.exited;
      }
    } finally {
      if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
      redis.disconnect();
    }
  });
});
