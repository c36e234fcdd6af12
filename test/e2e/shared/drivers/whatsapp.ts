/**
 * The shared suite's WhatsApp: Meta's signed webhook into the bridge, the fake Cloud API out; user `n`
 * writes from the number `62811000000n`. Meta's rate limit (130429) always asks for one second.
 */
import { WHATSAPP_MAX_MESSAGE } from '../../../../adapters/whatsapp/format.ts';
import { waMessages as m, type SendStep, startFakeWhatsApp } from '../../../fakes/whatsapp.ts';
import type { PlatformDriver, SendFault } from '../driver.ts';

const userOf = (chat: number) => `62811000000${chat}`;

function step(fault: SendFault): SendStep {
  if (fault === 'pass') return { pass: true };
  if (fault === 'server-error') return { status: 503 };
  if (fault === 'connection-reset') return { reset: true };
  if (fault.rateLimitedSeconds !== 1) throw new Error("WhatsApp's rate limit (130429) asks for one second");
  return { error: 130429 };
}

export const whatsappDriver: PlatformDriver = {
  name: 'WhatsApp',
  maxMessageLength: WHATSAPP_MAX_MESSAGE,
  async open(fx) {
    const wa = await startFakeWhatsApp();
    fx.adopt(wa, [wa.token, wa.appSecret, wa.verifyToken]);
    let webhook = '';
    const deliver = async (message: ReturnType<typeof m.text>) => {
      const status = await wa.sendMessages(webhook, [message]);
      if (status !== 200) throw new Error(`the bridge answered Meta's webhook with ${status}`);
    };
    return {
      async start(env = {}) {
        const started = await fx.start({
          WHATSAPP_ACCESS_TOKEN: wa.token,
          WHATSAPP_PHONE_NUMBER_ID: wa.phoneNumberId,
          WHATSAPP_APP_SECRET: wa.appSecret,
          WHATSAPP_VERIFY_TOKEN: wa.verifyToken,
          WHATSAPP_API_ROOT: wa.url,
          WHATSAPP_API_VERSION: wa.version,
          WHATSAPP_SEND_PACING: 'off',
          ...env,
        });
        webhook = `http://127.0.0.1:${started.bridge.port}/whatsapp/webhook`;
        wa.webhookUrl = webhook;
        return started;
      },
      async say(chat, text) {
        const message = m.text(text, { from: userOf(chat) });
        await deliver(message);
        // Meta sends the same wamid again when it did not see the 200.
        return { redeliver: () => deliver(message) };
      },
      async sayWithoutText(chat, caption) {
        await deliver(m.media('image', caption, { from: userOf(chat) }));
      },
      seen: (chat) => wa.sentTo(userOf(chat)),
      sendAttempts: () => wa.sendAttempts.map((a) => ({ ok: a.status === 200, at: a.at })),
      failSends: (...faults) => wa.script(...faults.map(step)),
    };
  },
};
