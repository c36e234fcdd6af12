/**
 * Errors are classified, not retried blindly (aksita-api.md): timeouts and malformed replies back off
 * and retry; 404 means a new session and one more try; a final refusal alerts operators once per
 * incident; a chat that blocked the bot costs no more agent calls. The cases every platform shares
 * (5xx retried, 400/401/402/403 each with its notice, a platform 429 waited out, a failure while
 * posting never asking the agent again) are in `platforms.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { TELEGRAM_REFUSALS } from '../fakes/telegram.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture();

describe('agent errors', () => {
  it('treats a malformed reply like a server error and never posts it', async () => {
    fx.aksita.script(
      { malformed: 'not-json' },
      { malformed: 'status-false' },
      { malformed: 'response-not-array' },
    );
    await fx.start();
    fx.telegram.userMessage({ chatId: 2, text: 'hello' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(2).length === 1, 10_000, 'reply');
    expect(fx.telegram.sentTo(2)).toEqual(['echo: hello']);
    expect(fx.aksita.chats).toHaveLength(4);
  });

  it('retries a call that times out', async () => {
    fx.aksita.script({ hang: true });
    await fx.start({ AKSITA_TIMEOUT_MS: '1000' });
    fx.telegram.userMessage({ chatId: 3, text: 'hello' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(3).length === 1, 10_000, 'reply');
    expect(fx.telegram.sentTo(3)).toEqual(['echo: hello']);
    expect(fx.aksita.chats).toHaveLength(2);
  });

  it('gives up on a message the agent keeps failing while it answers others, and the thread moves on', async () => {
    // The agent fails this one question (a 500 every time) but answers everyone else meanwhile: the
    // trouble is the message, so after AKSITA_MAX_ATTEMPTS the user is told and the thread moves on.
    fx.aksita.reply = (message) => {
      if (message === 'poison') throw new Error('agent crashed on this question');
      return [`echo: ${message}`];
    };
    const { logs } = await fx.start({ AKSITA_MAX_ATTEMPTS: '3' });
    fx.telegram.userMessage({ chatId: 4, text: 'poison' });
    fx.telegram.userMessage({ chatId: 4, text: 'second' });
    let tick = 0;
    const others = setInterval(() => fx.telegram.userMessage({ chatId: 7, text: `tick ${tick++}` }), 60);
    try {
      await fx.telegram.waitFor(() => fx.telegram.sentTo(4).length === 2, 15_000, 'two replies');
    } finally {
      clearInterval(others);
    }
    expect(fx.telegram.sentTo(4)).toEqual([
      "Sorry, I can't answer right now. Please try again in a few minutes.",
      'echo: second',
    ]);
    // Three failures counted against it (each one the agent failed while answering others); the
    // trial calls it made while the agent looked down for everyone do not count, but stay few.
    expect(logs.find('agent call failed, giving up on message')).toMatchObject([{ attempts: 3 }]);
    const calls = fx.aksita.chats.filter((c) => c.message === 'poison').length;
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(calls).toBeLessThanOrEqual(12);
  });

  it('creates a new session when the conversation is gone (404) and retries once', async () => {
    const { redis, config } = await fx.start();
    fx.telegram.userMessage({ chatId: 5, text: 'one' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(5).length === 1, 10_000, 'first reply');
    fx.aksita.forget();
    fx.telegram.userMessage({ chatId: 5, text: 'two' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(5).length === 2, 10_000, 'second reply');
    expect(fx.telegram.sentTo(5)).toEqual(['echo: one', 'echo: two']);
    expect(fx.aksita.sessions).toHaveLength(2);
    expect(fx.aksita.chats.map((c) => c.outcome)).toEqual([200, 404, 200]);
    expect(await redis.get(`${config.redisPrefix}:conv:telegram:5`)).toBe(fx.aksita.sessions[1]);
  });

  it('tells users the team has been notified only once an admin was sent the alert', async () => {
    fx.aksita.script({ status: 401, reason: 'invalid key' }, { status: 401, reason: 'invalid key' });
    await fx.start({ ADMIN_USERS: 'telegram:900' });
    fx.telegram.userMessage({ chatId: 40, text: 'first' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(40).length === 1, 10_000, 'first notice');
    fx.telegram.userMessage({ chatId: 41, text: 'second, same incident' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(41).length === 1, 10_000, 'second notice');
    expect(fx.telegram.sentTo(900)).toEqual([
      expect.stringContaining('The Aksita agent refused messages (401)'),
    ]);
    const notified = 'Sorry, the assistant is not available at the moment. The team has been notified.';
    expect([...fx.telegram.sentTo(40), ...fx.telegram.sentTo(41)]).toEqual([notified, notified]);
  });

  it('promises no notification when the alert reached no admin', async () => {
    fx.aksita.script({ status: 403, reason: 'agent disabled' });
    fx.telegram.refuseChat(900, TELEGRAM_REFUSALS.blocked);
    await fx.start({ ADMIN_USERS: 'telegram:900' });
    fx.telegram.userMessage({ chatId: 42, text: 'hello' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(42).length === 1, 10_000, 'notice');
    expect(fx.telegram.sentTo(42)).toEqual([
      'Sorry, the assistant is not available at the moment. Please try again later.',
    ]);
  });

  it('alerts operators once per incident, not once per message, when credits run out', async () => {
    fx.aksita.balance = 0;
    const { logs } = await fx.start();
    for (const chatId of [21, 22, 23]) fx.telegram.userMessage({ chatId, text: 'hello' });
    await fx.telegram.waitFor(() => fx.telegram.sent.length === 3, 10_000, 'three notices');
    expect(new Set(fx.telegram.sent.map((s) => s.text))).toEqual(
      new Set(['Sorry, the assistant is taking a short break. Please try again later.']),
    );
    const alerts = logs.find('agent refused: operator action needed');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ code: 'payment-required', status: 402 });
  });
});

describe('posting errors', () => {
  it('drops what is queued for a chat that blocked the bot, without asking the agent, until the user writes again', async () => {
    const gate = fx.aksita.gate();
    const { logs } = await fx.start();
    fx.telegram.script({ status: 403, description: 'Forbidden: bot was blocked by the user' });
    fx.telegram.userMessage({ chatId: 32, text: 'first' });
    fx.telegram.userMessage({ chatId: 32, text: 'second' });
    fx.telegram.userMessage({ chatId: 32, text: 'third' });
    await fx.telegram.waitFor(() => logs.find('message queued').length === 3, 10_000, 'three stored');
    gate.release();
    await fx.telegram.waitFor(
      () => logs.find('chat refused the bot: queued message dropped unanswered').length === 2,
      10_000,
      'queued messages dropped',
    );
    expect(fx.telegram.sentTo(32)).toEqual([]);
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['first']);
    // Unblocking and writing again reaches the bot: a private chat answers a new message.
    fx.telegram.userMessage({ chatId: 32, text: 'back again' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(32).length === 1, 10_000, 'reply');
    expect(fx.telegram.sentTo(32)).toEqual(['echo: back again']);
    expect(fx.aksita.chats).toHaveLength(2);
  });
});
