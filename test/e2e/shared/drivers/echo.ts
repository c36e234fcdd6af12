/**
 * The shared suite's echo platform (test/support/echo-platform.ts), added to the registry's list for
 * the test: the proof that a platform plugged in through the registry behaves like the built-in ones.
 * User `n` writes in chat `cn` through its webhook.
 */
import { PLATFORMS } from '../../../../src/platforms.ts';
import {
  ECHO_MAX_MESSAGE,
  ECHO_WEBHOOK_PATH,
  type EchoSendStep,
  EchoWire,
  echoPlatform,
} from '../../../support/echo-platform.ts';
import type { PlatformDriver, SendFault } from '../driver.ts';

const TOKEN = 'echo-token-for-the-shared-suite';
const chatOf = (chat: number) => `c${chat}`;

/** The echo platform has no connection to drop: a dropped one is a server error, as adapters class both. */
const step = (fault: SendFault): EchoSendStep =>
  fault === 'pass'
    ? { pass: true }
    : fault === 'server-error' || fault === 'connection-reset'
      ? { status: 500 }
      : { status: 429, retryAfterSeconds: fault.rateLimitedSeconds };

export const echoDriver: PlatformDriver = {
  name: 'Echo (a test-only platform of the registry)',
  maxMessageLength: ECHO_MAX_MESSAGE,
  async open(fx) {
    const wire = new EchoWire();
    fx.secrets.push(TOKEN);
    let webhook = '';
    let ids = 0;
    const post = async (body: { id: string; chat: string; user: string; text: string | null }) => {
      const res = await fetch(webhook, {
        method: 'POST',
        headers: { 'x-echo-token': TOKEN },
        body: JSON.stringify(body),
      });
      if (res.status !== 200) throw new Error(`the echo webhook answered ${res.status}`);
    };
    const message = (chat: number, text: string | null) => ({
      id: String(++ids),
      chat: chatOf(chat),
      user: `u${chat}`,
      text,
    });
    return {
      async start(env = {}) {
        const started = await fx.start(
          { ECHO_TOKEN: TOKEN, ...env },
          { platforms: [...PLATFORMS, echoPlatform(wire)] },
        );
        webhook = `http://127.0.0.1:${started.bridge.port}${ECHO_WEBHOOK_PATH}`;
        return started;
      },
      async say(chat, text) {
        const body = message(chat, text);
        await post(body);
        return { redeliver: () => post(body) };
      },
      async sayWithoutText(chat, caption) {
        await post(message(chat, caption ?? null));
      },
      seen: (chat) => wire.sentTo(chatOf(chat)),
      sendAttempts: () => wire.attempts.map((a) => ({ ok: a.status === 200, at: a.at })),
      failSends: (...faults) => wire.script(...faults.map(step)),
    };
  },
};
