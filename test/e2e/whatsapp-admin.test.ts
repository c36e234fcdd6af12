/**
 * Admin alerts with a WhatsApp admin, through the real bridge running WhatsApp and Telegram: a
 * WhatsApp admin inside their 24-hour window gets the alert by WhatsApp; outside it (Meta refuses
 * with 131047) the alert still reaches the Telegram admin, and the refusal is logged.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type FakeWhatsApp, startFakeWhatsApp } from '../fakes/whatsapp.ts';
import { eventually } from '../support/bridge.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture();
let wa: FakeWhatsApp;

beforeEach(async () => {
  wa = await startFakeWhatsApp();
  fx.adopt(wa, [wa.token, wa.appSecret, wa.verifyToken]);
});

const WA_ADMIN = '6281100000001';
const TG_ADMIN = 900;

async function start() {
  const started = await fx.start({
    WHATSAPP_ACCESS_TOKEN: wa.token,
    WHATSAPP_PHONE_NUMBER_ID: wa.phoneNumberId,
    WHATSAPP_APP_SECRET: wa.appSecret,
    WHATSAPP_VERIFY_TOKEN: wa.verifyToken,
    WHATSAPP_API_ROOT: wa.url,
    WHATSAPP_API_VERSION: wa.version,
    WHATSAPP_SEND_PACING: 'off',
    ADMIN_USERS: `whatsapp:${WA_ADMIN},telegram:${TG_ADMIN}`,
  });
  wa.webhookUrl = `http://127.0.0.1:${started.bridge.port}/whatsapp/webhook`;
  return started;
}

describe('admin alerts with a WhatsApp admin', () => {
  it('reach the WhatsApp admin inside the 24-hour window, and the Telegram admin too', async () => {
    fx.aksita.validKeys.clear();
    await start();
    fx.telegram.userMessage({ chatId: 11, text: 'hello' });
    await wa.waitFor(() => wa.sentTo(WA_ADMIN).length === 1, 10_000, 'the alert by WhatsApp');
    await fx.telegram.waitFor(() => fx.telegram.sentTo(TG_ADMIN).length === 1, 10_000, 'the alert by DM');
    expect(wa.sentTo(WA_ADMIN)[0]).toMatch(/refused messages \(401\)/);
  });

  it("still reach the Telegram admin when WhatsApp refuses the admin's chat outside the window (131047)", async () => {
    fx.aksita.validKeys.clear();
    wa.refuseUser(WA_ADMIN, { error: 131047 });
    const { logs } = await start();
    fx.telegram.userMessage({ chatId: 11, text: 'hello' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(TG_ADMIN).length === 1, 10_000, 'the alert by DM');
    // The refusal is logged once the WhatsApp send came back refused.
    await eventually(
      async () => logs.find('admin alert not delivered').length > 0,
      10_000,
      'the refusal logged',
    );
    expect(wa.sendAttempts.map((a) => a.code)).toEqual([131047]);
    expect(wa.sentTo(WA_ADMIN)).toEqual([]);
    expect(fx.telegram.sentTo(TG_ADMIN)[0]).toMatch(/refused messages \(401\)/);
    const undelivered = logs.find('admin alert not delivered');
    expect(undelivered.map((l) => l.platform)).toEqual(['whatsapp']);
    expect(JSON.stringify(undelivered)).toContain('131047');
  });
});
