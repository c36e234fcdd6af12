/**
 * The WhatsApp adapter passes the shared adapter contract: recorded-shape webhook bodies through the
 * normalizer (no group chats on the Cloud API: every message is direct), and the live adapter
 * against the fake Cloud API, refused with Meta's own error codes.
 */
import { WHATSAPP_MAX_MESSAGE } from '../../adapters/whatsapp/format.ts';
import { createWhatsAppAdapter } from '../../adapters/whatsapp/index.ts';
import { normalizeWhatsAppWebhook, WHATSAPP } from '../../adapters/whatsapp/normalize.ts';
import type { PlatformErrorKind } from '../../src/core/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { type SendStep, startFakeWhatsApp, waStatus } from '../fakes/whatsapp.ts';
import { messages as m, defaultWhatsAppOptions as o, webhookBody } from '../fakes/whatsapp-wire.ts';
import { adapterContract } from './adapter-contract.ts';

const USER = '6281234567890';
const at = { from: USER, timestamp: 1_764_000_000 };

adapterContract({
  platform: WHATSAPP,
  maxMessageLength: WHATSAPP_MAX_MESSAGE,
  normalize: (raw) => normalizeWhatsAppWebhook(raw)[0] ?? null,
  fixtures: {
    directText: webhookBody(o, {
      messages: [m.text('hello bot', { ...at, id: 'wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFDNBMDEA' })],
    }),
    directOther: webhookBody(o, {
      messages: [m.text('and another', { ...at, id: 'wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFDNBMDIA' })],
    }),
    // WhatsApp delivers no bot's messages; what the business itself sent comes back as a status, and
    // what it sent from the WhatsApp Business app (coexistence) as `smb_message_echoes`.
    fromSelf: webhookBody(o, { statuses: [waStatus('delivered', 'wamid.HBgNOUTBOUND0001', USER)] }),
    fromOtherBot: webhookBody(o, { messages: [m.text('sent from the app', at)] }, 'smb_message_echoes'),
    directNoText: webhookBody(o, { messages: [m.media('sticker', undefined, at)] }),
    malformed: [
      null,
      42,
      'text',
      [],
      {},
      { object: 'whatsapp_business_account', entry: null },
      { object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: null }] }] },
      webhookBody({ ...o, phoneNumberId: 'not digits' }, { messages: [m.text('x', at)] }),
      webhookBody(o, { messages: [{ ...m.text('x', at), id: 42 } as unknown as ReturnType<typeof m.text>] }),
    ],
  },
  async live(options = {}) {
    const wa = await startFakeWhatsApp();
    const adapter = createWhatsAppAdapter({
      accessToken: wa.token,
      phoneNumberId: wa.phoneNumberId,
      appSecret: wa.appSecret,
      verifyToken: wa.verifyToken,
      apiRoot: wa.url,
      apiVersion: wa.version,
      log: createLogger({ level: 'silent', secrets: [wa.token] }),
      ...options,
    });
    await adapter.init();
    const failures: Record<PlatformErrorKind, SendStep> = {
      unauthorized: { error: 190 },
      chat_refused: { error: 131047 },
      too_long: { error: 100 },
      rejected: { error: 131009 },
      transient: { status: 503 },
      rate_limited: { error: 131056 },
    };
    return {
      adapter,
      address: { channel: USER },
      sentTexts: () => wa.sentTo(USER),
      breakPlatform: () => wa.close(),
      failNext: (kind) => wa.script(failures[kind]),
      stallNext: () => wa.script({ hold: true }),
      async close() {
        await adapter.stop();
        await wa.close();
      },
    };
  },
});
