/**
 * The fake Telegram's faults, through the real grammY: refusals worded as the Bot API words them, for
 * one chat or for every send, nginx's HTML page for a 502, a revoked token, and long polls that are
 * never answered.
 */
import { Bot, GrammyError, HttpError } from 'grammy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeTelegram, startFakeTelegram, TELEGRAM_REFUSALS } from './telegram.ts';

let telegram: FakeTelegram;
beforeEach(async () => {
  telegram = await startFakeTelegram();
});
afterEach(async () => {
  await telegram.close();
});

const bot = () => new Bot(telegram.token, { client: { apiRoot: telegram.apiRoot } });
const failure = (call: Promise<unknown>) =>
  call.then(
    () => undefined,
    (err: unknown) => err,
  );

describe('fake Telegram faults', () => {
  it('refuses one chat for good, sends and chat actions alike, until told otherwise', async () => {
    const api = bot().api;
    telegram.refuseChat(42, TELEGRAM_REFUSALS.blocked);
    const blocked = await failure(api.sendMessage(42, 'hello?'));
    expect(blocked).toBeInstanceOf(GrammyError);
    expect(blocked).toMatchObject({ error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    await expect(api.sendChatAction(42, 'typing')).rejects.toMatchObject({ error_code: 403 });
    await api.sendMessage(43, 'another chat');
    telegram.refuseChat(42, null);
    await api.sendMessage(42, 'unblocked');
    expect(telegram.sentTo(42)).toEqual(['unblocked']);
    expect(telegram.sendAttempts.map((a) => a.status)).toEqual([403, 200, 200]);
  });

  it("fails every send with nginx's 502 page while the Bot API is down, then sends again", async () => {
    const api = bot().api;
    telegram.failSends(TELEGRAM_REFUSALS.badGatewayPage);
    for (const text of ['a', 'b']) {
      const down = await failure(api.sendMessage(1, text));
      // No JSON envelope, so grammY cannot tell what the API said: it reports a network failure.
      expect(down).toBeInstanceOf(HttpError);
    }
    telegram.failSends(null);
    await api.sendMessage(1, 'c');
    expect(telegram.sentTo(1)).toEqual(['c']);
    expect(telegram.sendAttempts.map((a) => a.status)).toEqual([502, 502, 200]);
    telegram.script({ status: 504, html: true });
    const gatewayTimeout = await fetch(`${telegram.apiRoot}/bot${telegram.token}/sendMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ chat_id: 1, text: 'e' }),
    });
    expect(gatewayTimeout.status).toBe(504);
    expect(gatewayTimeout.headers.get('content-type')).toBe('text/html');
    expect(await gatewayTimeout.text()).toContain('<title>504 Gateway Time-out</title>');
  });

  it('answers 401 Unauthorized to every method once the token is revoked', async () => {
    const api = bot().api;
    await api.getMe();
    telegram.revokeToken();
    await expect(api.getMe()).rejects.toMatchObject({ error_code: 401, description: 'Unauthorized' });
    await expect(api.sendMessage(1, 'x')).rejects.toMatchObject({ error_code: 401 });
  });

  it('holds long polls unanswered without taking updates, and lets the next poll have them', async () => {
    const api = bot().api;
    const stall = telegram.holdPolls(1);
    const controller = new AbortController();
    type Signal = Parameters<typeof api.getUpdates>[1];
    const held = api.getUpdates({ timeout: 30 }, controller.signal as unknown as Signal);
    await telegram.waitFor(() => telegram.heldPolls === 1, 2_000, 'the held poll');
    const { updateId } = telegram.userMessage({ chatId: 5, text: 'queued meanwhile' });
    expect(telegram.polledUpdates).toEqual([]);
    controller.abort();
    await expect(held).rejects.toBeInstanceOf(HttpError);
    await telegram.waitFor(() => telegram.heldPolls === 0, 2_000, 'the held poll closed');
    const next = await api.getUpdates({ timeout: 1 });
    expect(next.map((u) => u.update_id)).toEqual([updateId]);
    expect(telegram.getUpdatesCalls).toBe(2);
    stall.release();
  });
});
