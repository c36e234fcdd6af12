/**
 * What a WhatsApp user and operator see, end to end: the real bridge (`WHATSAPP_*` pointing at the
 * fake Cloud API) receiving Meta's signed webhook, the real BullMQ worker on a real Redis, the real
 * Aksita client against the fake agent. Handshake, signatures, every kind of message, the 24-hour
 * window, failed statuses, admin commands as words, and no secret in any log line (the fixture
 * checks `fx.secrets`). What every platform does alike (order, Meta's retries answered once,
 * splitting, a 429 waited out, 5xx retried) is in `platforms.test.ts`.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type FakeWhatsApp, waMessages as m, startFakeWhatsApp } from '../fakes/whatsapp.ts';
import { eventually, monitor } from '../support/bridge.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture({ telegram: false });
let wa: FakeWhatsApp;

beforeEach(async () => {
  wa = await startFakeWhatsApp();
  fx.adopt(wa, [wa.token, wa.appSecret, wa.verifyToken]);
});

const USER = '6281234567890';
const OTHER = '6289876543210';

/** Starts a bridge with WhatsApp on the fake; Meta's webhook (and its statuses) point at it. */
async function start(overrides: Record<string, string> = {}) {
  const started = await fx.start({
    WHATSAPP_ACCESS_TOKEN: wa.token,
    WHATSAPP_PHONE_NUMBER_ID: wa.phoneNumberId,
    WHATSAPP_APP_SECRET: wa.appSecret,
    WHATSAPP_VERIFY_TOKEN: wa.verifyToken,
    WHATSAPP_API_ROOT: wa.url,
    WHATSAPP_API_VERSION: wa.version,
    WHATSAPP_SEND_PACING: 'off',
    ...overrides,
  });
  const webhook = `http://127.0.0.1:${started.bridge.port}/whatsapp/webhook`;
  wa.webhookUrl = webhook;
  return { ...started, webhook };
}

describe('the webhook', () => {
  it("answers Meta's verification handshake with the challenge, and refuses a wrong verify token", async () => {
    const { webhook } = await start();
    expect(await wa.verify(webhook, { challenge: '987654321' })).toEqual({ status: 200, body: '987654321' });
    const wrong = await wa.verify(webhook, { token: 'not-the-verify-token' });
    expect(wrong.status).toBe(403);
    expect(wrong.body).not.toContain('987654321');
  });

  it('refuses an unsigned or badly signed POST and stores nothing of it; cuts an oversized body with 413', async () => {
    const { webhook } = await start();
    const unsigned = await wa.sendMessages(webhook, [m.text('forged one')], { unsigned: true });
    const badly = await wa.sendMessages(webhook, [m.text('forged two')], { badSignature: true });
    const otherSecret = await wa.sendMessages(webhook, [m.text('forged three')], { secret: 'guess' });
    for (const status of [unsigned, badly, otherSecret]) expect([401, 403]).toContain(status);
    const huge = JSON.stringify({ object: 'whatsapp_business_account', pad: 'x'.repeat(4 * 1024 * 1024) });
    expect(await wa.deliver(webhook, huge)).toBe(413);
    // A real message after them is the first and only one the agent sees.
    expect(await wa.sendMessages(webhook, [m.text('a real one')])).toBe(200);
    await wa.waitFor(() => wa.sentTo(USER).length === 1, 10_000, 'the reply');
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['a real one']);
  });
});

describe('conversations', () => {
  it('answers a signed message quoting it, marks it read with typing, and tells the agent it is WhatsApp', async () => {
    fx.aksita.reply = (message) => [`Hello! You said: **${message}**`, 'Anything else?'];
    // Long enough a thought for the working sign (shown after 400 ms).
    fx.aksita.latencyMs = 700;
    const { webhook } = await start();
    const question = m.text('hi there');
    expect(await wa.sendMessages(webhook, [question], { names: { [USER]: 'Ana' } })).toBe(200);
    await wa.waitFor(() => wa.sentTo(USER).length === 2, 10_000, 'two replies');
    expect(wa.sentTo(USER)).toEqual(['Hello! You said: *hi there*', 'Anything else?']);
    expect(wa.sent.map((s) => s.replyTo)).toEqual([question.id, undefined]);
    expect(wa.reads).toEqual([expect.objectContaining({ messageId: question.id, typing: true })]);
    expect(fx.aksita.chats[0]?.additionalContext).toMatch(/^Platform: WhatsApp; Chat type: private chat/);
  });

  it('takes captions, button and list replies as text, gives media without caption the text-only notice, and ignores reactions', async () => {
    const { webhook } = await start();
    const sticker = m.media('sticker');
    await wa.sendMessages(webhook, [
      m.media('image', 'what is in this picture?'),
      m.buttonReply('Yes, please'),
      m.listReply('Opening hours'),
      m.reaction(sticker.id, '👍'),
      sticker,
    ]);
    await wa.waitFor(() => wa.sentTo(USER).length === 4, 10_000, 'four replies');
    expect(fx.aksita.chats.map((c) => c.message)).toEqual([
      'what is in this picture?',
      'Yes, please',
      'Opening hours',
    ]);
    expect(wa.sentTo(USER).at(-1)).toMatch(/only read text/);
    // Whatever was handed in before this last message is answered before it: the reaction was not.
    await wa.sendMessages(webhook, [m.text('done')]);
    await wa.waitFor(() => wa.sentTo(USER).includes('echo: done'), 10_000, 'the last answer');
    expect(wa.sentTo(USER)).toHaveLength(5);
  });
});

describe("Meta's refusals and failures", () => {
  it('outside the 24-hour window (131047) drops what is queued for that user without an agent call, and answers the next message', async () => {
    const gate = fx.aksita.gate();
    const { webhook } = await start();
    wa.refuseUser(USER, { error: 131047 });
    await wa.sendMessages(webhook, [m.text('first')]);
    await fx.aksita.waitFor(() => fx.aksita.chats.length === 1, 10_000, 'the first question');
    await wa.sendMessages(webhook, [m.text('second'), m.text('third')]);
    await wa.sendMessages(webhook, [m.text('to someone else', { from: OTHER })]);
    gate.release();
    await wa.waitFor(() => wa.sentTo(OTHER).length === 1, 10_000, 'the other user answered');
    await eventually(
      async () => wa.sendAttempts.filter((a) => a.code === 131047).length === 1,
      10_000,
      'the refused send',
    );
    // The user writes again: the window is open, and only this question reaches the agent.
    wa.refuseUser(USER, null);
    await wa.sendMessages(webhook, [m.text('back again')]);
    await wa.waitFor(() => wa.sentTo(USER).length === 1, 10_000, 'the answer after the window opened');
    expect(wa.sentTo(USER)).toEqual(['echo: back again']);
    expect(fx.aksita.chats.map((c) => c.message).sort()).toEqual(['back again', 'first', 'to someone else']);
  });

  it('counts a send WhatsApp reported failed after accepting it as a send failure of its kind', async () => {
    const { webhook, bridge } = await start();
    wa.refuseUser(USER, { failLater: 131026 });
    await wa.sendMessages(webhook, [m.text('hello?')]);
    const line = 'aksita_bridge_send_failures_total{platform="whatsapp",kind="chat_refused"} 1';
    await eventually(
      async () => (await (await monitor(bridge.port, '/metrics')).text()).includes(line),
      10_000,
      'the failure counted',
    );
    expect(wa.deliveries.some((d) => d.status === 200)).toBe(true);
  });
});

describe('admin commands as plain words', () => {
  it('answers credits, status, reset and help to an admin, and never asks the agent', async () => {
    const { webhook } = await start({ ADMIN_USERS: `whatsapp:${USER}` });
    await wa.sendMessages(webhook, [m.text('hello')]);
    await wa.waitFor(() => wa.sentTo(USER).length === 1, 10_000, 'the answer');
    for (const word of ['credits', 'status', 'reset', 'help']) {
      const before = wa.sentTo(USER).length;
      await wa.sendMessages(webhook, [m.text(word)]);
      await wa.waitFor(() => wa.sentTo(USER).length > before, 10_000, `the answer to ${word}`);
    }
    const [, credits, status, reset, help] = wa.sentTo(USER);
    expect(credits).toMatch(/credit/i);
    expect(status).toMatch(/whatsapp/i);
    expect(reset).toMatch(/forgotten our conversation/);
    expect(help).toMatch(/Commands:/);
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['hello']);
    // Anyone else asking for credits is told no.
    await wa.sendMessages(webhook, [m.text('credits', { from: OTHER })]);
    await wa.waitFor(() => wa.sentTo(OTHER).length === 1, 10_000, 'the refusal');
    expect(wa.sentTo(OTHER)[0]).not.toMatch(/balance/i);
  });
});
