/**
 * Pacing before Telegram's limits: the fake Bot API refuses sends beyond one a second per chat and
 * 30 a second overall with 429 `retry_after`, as Telegram does. The bridge spaces its sends so that
 * these refusals stay rare, also when several worker processes share the limits through Redis.
 * Pacing is off in the other tests' environment (test/support/bridge.ts): these turn it on.
 */
import { describe, expect, it } from 'vitest';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture();

const PACED = { TELEGRAM_SEND_PACING: 'on' };
const refused = () => fx.telegram.sendAttempts.filter((a) => a.status === 429).length;

describe('pacing before Telegram limits', () => {
  it('spaces a long answer at one message a second in a chat, without a single 429', async () => {
    fx.telegram.rateLimit = { perChatPerSecond: 1, globalPerSecond: 30 };
    fx.aksita.reply = () => ['one', 'two', 'three', 'four'];
    await fx.start(PACED);
    fx.telegram.userMessage({ chatId: 71, text: 'tell me four things' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(71).length === 4, 15_000, 'four replies');
    expect(fx.telegram.sentTo(71)).toEqual(['one', 'two', 'three', 'four']);
    expect(refused()).toBe(0);
    const at = fx.telegram.sent.map((s) => s.at);
    for (let i = 1; i < at.length; i++) expect((at[i] ?? 0) - (at[i - 1] ?? 0)).toBeGreaterThanOrEqual(1_000);
  });

  it('keeps two worker processes under the global limit together', async () => {
    fx.telegram.rateLimit = { perChatPerSecond: 1, globalPerSecond: 30 };
    const receiver = await fx.start({ ...PACED, BRIDGE_ROLE: 'receiver' });
    const prefix = receiver.config.redisPrefix;
    const workers = [
      await fx.start({ ...PACED, BRIDGE_ROLE: 'worker', REDIS_PREFIX: prefix }),
      await fx.start({ ...PACED, BRIDGE_ROLE: 'worker', REDIS_PREFIX: prefix }),
    ];
    const chats = Array.from({ length: 90 }, (_, i) => 1_000 + i);
    const started = Date.now();
    for (const chatId of chats) fx.telegram.userMessage({ chatId, text: `hi ${chatId}` });
    await fx.telegram.waitFor(() => fx.telegram.sent.length === 90, 20_000, '90 replies');
    for (const chatId of chats) expect(fx.telegram.sentTo(chatId)).toEqual([`echo: hi ${chatId}`]);
    expect(workers.every((w) => w.logs.find('agent answered').length > 0)).toBe(true);
    // Unpaced, most of a burst like this is refused. Paced, a refusal needs the network's jitter to
    // squeeze 30 sends into one second, which a loaded machine rarely manages: at most 5 %.
    expect(refused()).toBeLessThanOrEqual(4);
    // 90 messages at 30 a second cannot take less than about 3 s, nor much more when paced well.
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(2_900);
    expect(elapsed).toBeLessThan(8_000);
  });

  it('sends at full speed when TELEGRAM_SEND_PACING is off', async () => {
    fx.aksita.reply = () => ['one', 'two', 'three'];
    await fx.start({ TELEGRAM_SEND_PACING: 'off' });
    fx.telegram.userMessage({ chatId: 72, text: 'three things' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(72).length === 3, 10_000, 'three replies');
    const at = fx.telegram.sent.map((s) => s.at);
    expect((at[2] ?? 0) - (at[0] ?? 0)).toBeLessThan(1_000);
  });
});
