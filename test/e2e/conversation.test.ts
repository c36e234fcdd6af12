/**
 * What a Telegram user sees, end to end: real grammY against the fake Bot API, the real BullMQ worker
 * against a real Redis, the real Aksita client against the fake agent. What users of every platform
 * see alike (order, the text-only notice, splitting) is tested once for all in `platforms.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { PROGRESS_DELAY_MS } from '../../src/core/progress.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture();

describe('a private chat', () => {
  it('shows typing while the agent thinks, then posts each response element as its own message, in order', async () => {
    fx.aksita.reply = (message) => [`Hello! You said: ${message}`, 'What else can I do for you?'];
    fx.aksita.latencyMs = 1_000;
    await fx.start();
    fx.telegram.userMessage({ chatId: 42, text: 'hi there' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(42).length === 2, 10_000, 'two replies');
    expect(fx.telegram.sentTo(42)).toEqual(['Hello! You said: hi there', 'What else can I do for you?']);
    const typing = fx.telegram.actions.filter((a) => a.chatId === '42' && a.action === 'typing');
    expect(typing.length).toBeGreaterThan(0);
    expect(typing[0]?.at).toBeLessThanOrEqual(fx.telegram.sent[0]?.at ?? 0);
  });

  it('answers a quick question at once, without a typing indicator flashing first', async () => {
    await fx.start();
    fx.telegram.userMessage({ chatId: 44, text: 'quick one' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(44).length === 1, 10_000, 'the reply');
    await new Promise((r) => setTimeout(r, PROGRESS_DELAY_MS + 200));
    expect(fx.telegram.actions.filter((a) => a.chatId === '44')).toEqual([]);
  });

  it('keeps showing typing while the agent takes its time', async () => {
    fx.aksita.latencyMs = 4_500;
    await fx.start();
    fx.telegram.userMessage({ chatId: 43, text: 'a slow question' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(43).length === 1, 15_000, 'the reply');
    // Telegram shows "typing…" for 5 s: it must have been renewed during the 4.5 s call.
    const typing = fx.telegram.actions.filter((a) => a.chatId === '43');
    expect(typing.length).toBeGreaterThanOrEqual(2);
  });

  it('creates one Aksita session per chat and reuses it, also after a restart', async () => {
    const first = await fx.start();
    fx.telegram.userMessage({ chatId: 7, text: 'one' });
    fx.telegram.userMessage({ chatId: 7, text: 'two' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(7).length === 2, 10_000, 'two replies');
    await first.bridge.stop();

    await fx.start({ REDIS_PREFIX: first.config.redisPrefix });
    fx.telegram.userMessage({ chatId: 7, text: 'three' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(7).length === 3, 10_000, 'third reply');
    expect(fx.aksita.sessions).toHaveLength(1);
    expect(new Set(fx.aksita.chats.map((c) => c.conversationId))).toEqual(new Set(fx.aksita.sessions));
    expect(fx.telegram.sentTo(7)).toEqual(['echo: one', 'echo: two', 'echo: three']);
  });

  it('keeps many chats in flight at once while each stays serial', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    fx.aksita.reply = async (message) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 1_000));
      inFlight--;
      return [`re: ${message}`];
    };
    await fx.start();
    for (let chat = 1; chat <= 150; chat++)
      fx.telegram.userMessage({ chatId: 10_000 + chat, text: `q${chat}` });
    await fx.telegram.waitFor(() => fx.telegram.sent.length === 150, 25_000, '150 replies');
    expect(maxInFlight).toBeGreaterThanOrEqual(100);
  });

  it('greets /start without spending an agent call', async () => {
    await fx.start();
    fx.telegram.userMessage({ chatId: 11, text: '/start' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(11).length === 1, 10_000, 'greeting');
    expect(fx.telegram.sentTo(11)[0]).toMatch(/^Hi!/);
    expect(fx.aksita.chats).toHaveLength(0);
  });

  it('speaks Indonesian when BRIDGE_LANGUAGE=id', async () => {
    await fx.start({ BRIDGE_LANGUAGE: 'id' });
    fx.telegram.userMessage({ chatId: 12, sticker: true });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(12).length === 1, 10_000, 'notice');
    expect(fx.telegram.sentTo(12)[0]).toBe(
      'Maaf, saya hanya bisa membaca pesan teks. Silakan ketik pertanyaan Anda.',
    );
  });

  it('gives the agent the platform, chat type and user name, and no secret', async () => {
    await fx.start();
    fx.telegram.userMessage({ chatId: 13, text: 'hello', firstName: 'Budi', lastName: 'Santoso' });
    await fx.aksita.waitFor(() => fx.aksita.chats.length === 1, 10_000, 'agent call');
    const context = fx.aksita.chats[0]?.additionalContext ?? '';
    expect(context).toBe('Platform: Telegram; Chat type: private chat; User: "Budi Santoso"');
    expect(context).not.toContain(fx.telegram.token);
    expect(context).not.toContain('13');
  });

  it('leaves the user name out when SEND_USER_CONTEXT=false', async () => {
    await fx.start({ SEND_USER_CONTEXT: 'false' });
    fx.telegram.userMessage({ chatId: 14, text: 'hello', firstName: 'Budi' });
    await fx.aksita.waitFor(() => fx.aksita.chats.length === 1, 10_000, 'agent call');
    expect(fx.aksita.chats[0]?.additionalContext).toBe('Platform: Telegram; Chat type: private chat');
  });

  it('logs message texts only at debug level', async () => {
    const quiet = await fx.start({ LOG_LEVEL: 'info' });
    fx.telegram.userMessage({ chatId: 16, text: 'my private question 7f3a' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(16).length === 1, 10_000, 'reply');
    expect(quiet.logs.find('agent answered')).toHaveLength(1);
    expect(quiet.logs.text).not.toContain('7f3a');
  });

  it('uses the per-platform API key when one is set', async () => {
    fx.aksita.validKeys.add('telegram-only-key');
    await fx.start({ AKSITA_API_KEY_TELEGRAM: 'telegram-only-key' });
    fx.telegram.userMessage({ chatId: 15, text: 'hello' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(15).length === 1, 10_000, 'reply');
    expect(fx.aksita.chats[0]?.apiKey).toBe('telegram-only-key');
  });
});

describe('groups', () => {
  const group = { chatId: -1001, chatType: 'supergroup' as const };

  it('ignores chatter that does not address the bot', async () => {
    await fx.start();
    fx.telegram.userMessage({ ...group, text: 'just talking among ourselves' });
    fx.telegram.userMessage({ ...group, sticker: true });
    fx.telegram.userMessage({ ...group, text: '@aksita_test_bot are you there?' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(-1001).length === 1, 10_000, 'one reply');
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['are you there?']);
    expect(fx.aksita.chats[0]?.additionalContext).toContain('Chat type: group chat');
  });

  it('answers a reply to the bot and a command, replying to the message', async () => {
    await fx.start();
    const reply = fx.telegram.userMessage({ ...group, text: 'and what about tomorrow?', replyToBot: true });
    fx.telegram.userMessage({ ...group, text: '/ask@aksita_test_bot the weather' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(-1001).length === 2, 10_000, 'two replies');
    expect(fx.telegram.sentTo(-1001)).toEqual(['echo: and what about tomorrow?', 'echo: the weather']);
    expect(fx.telegram.sent[0]?.replyTo).toBe(String(reply.messageId));
  });

  it('answers everything with GROUP_MODE=all', async () => {
    await fx.start({ GROUP_MODE: 'all' });
    fx.telegram.userMessage({ ...group, text: 'no mention here' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(-1001).length === 1, 10_000, 'reply');
    expect(fx.telegram.sentTo(-1001)).toEqual(['echo: no mention here']);
  });

  it('keeps each forum topic its own conversation and replies into the topic', async () => {
    await fx.start();
    const forum = { chatId: -1002, chatType: 'supergroup' as const, isTopic: true };
    fx.telegram.userMessage({ ...forum, threadId: 3, text: '@aksita_test_bot topic three' });
    fx.telegram.userMessage({ ...forum, threadId: 4, text: '@aksita_test_bot topic four' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(-1002).length === 2, 10_000, 'two replies');
    const byThread = Object.fromEntries(fx.telegram.sent.map((s) => [s.threadId, s.text]));
    expect(byThread).toEqual({ '3': 'echo: topic three', '4': 'echo: topic four' });
    expect(fx.aksita.sessions).toHaveLength(2);
  });
});
