/**
 * The WhatsApp adapter against the fake Cloud API, its webhook routes mounted on the bridge's own
 * HTTP app: start-up checks of the token, sending with a quote, the working sign (read mark with a
 * typing indicator), health, and Meta's webhook end to end: handshake, signed messages handed in,
 * a failed store retried by Meta, and a send that WhatsApp reports failed after accepting it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createWhatsAppAdapter, WHATSAPP_WEBHOOK_PATH } from '../../adapters/whatsapp/index.ts';
import type { Adapter, DeliveryFailure, IncomingMessage } from '../../src/core/contract.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { createHttpApp, listen } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { type FakeWhatsApp, waMessages as m, startFakeWhatsApp } from '../fakes/whatsapp.ts';

const USER = '6281234567890';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const wa = await startFakeWhatsApp();
  cleanups.push(() => wa.close());
  const adapter = createWhatsAppAdapter({
    accessToken: wa.token,
    phoneNumberId: wa.phoneNumberId,
    appSecret: wa.appSecret,
    verifyToken: wa.verifyToken,
    apiRoot: wa.url,
    apiVersion: wa.version,
    log: createLogger({ level: 'silent', secrets: [wa.token] }),
  });
  cleanups.push(() => adapter.stop());
  return { wa, adapter };
}

/** Mounts the adapter's routes on the bridge's HTTP app; starts receiving into `stored`. */
async function serve(
  wa: FakeWhatsApp,
  adapter: Adapter,
  store: (m: IncomingMessage) => Promise<void>,
  failures: DeliveryFailure[] = [],
) {
  const server = await listen(
    createHttpApp({ routes: adapter.routes, health: async () => ({}) }),
    0,
    '127.0.0.1',
  );
  cleanups.push(() => server.close());
  await adapter.start({
    message: store,
    command: async () => '',
    menu: [],
    adminIds: [],
    deliveryFailed: async (failure) => {
      failures.push(failure);
    },
  });
  const url = `http://127.0.0.1:${server.port}${WHATSAPP_WEBHOOK_PATH}`;
  wa.webhookUrl = url;
  return url;
}

describe('the WhatsApp adapter', () => {
  it('learns its number at start-up, and refuses to start with a refused token, naming the variable', async () => {
    const { wa, adapter } = await setup();
    await adapter.init();
    expect(wa.calls.get('whoami')).toBe(1);
    wa.revokeToken();
    const failure = await adapter.init().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toContain('WHATSAPP_ACCESS_TOKEN');
    expect((failure as Error).message).not.toContain(wa.token);
  });

  it('refuses a phone number instead of its id, and a missing secret, before any call', () => {
    const base = {
      accessToken: 't',
      appSecret: 's',
      verifyToken: 'v',
      log: createLogger({ level: 'silent', secrets: [] }),
    };
    expect(() => createWhatsAppAdapter({ ...base, phoneNumberId: '+62 812-3456' })).toThrow(
      /WHATSAPP_PHONE_NUMBER_ID/,
    );
    expect(() => createWhatsAppAdapter({ ...base, phoneNumberId: '123', appSecret: '' })).toThrow(
      /WHATSAPP_APP_SECRET/,
    );
  });

  it('sends a chunk to the user, quoting the question when asked', async () => {
    const { wa, adapter } = await setup();
    await adapter.init();
    await adapter.send({ channel: USER }, 'first');
    await adapter.send({ channel: USER }, 'second', { replyTo: 'wamid.Q1' });
    expect(wa.sent.map(({ to, text, replyTo }) => ({ to, text, replyTo }))).toEqual([
      { to: USER, text: 'first', replyTo: undefined },
      { to: USER, text: 'second', replyTo: 'wamid.Q1' },
    ]);
    expect(adapter.capabilities).toMatchObject({ typing: true });
    expect(adapter.capabilities.pacing?.direct.intervalMs).toBeGreaterThanOrEqual(6_000);
  });

  it('shows the working sign as a read mark with a typing indicator, renewed only for the question being worked on', async () => {
    const { wa, adapter } = await setup();
    await adapter.init();
    await adapter.typing({ channel: USER });
    expect(wa.reads).toEqual([]);
    await adapter.setWorking({ channel: USER }, 'wamid.Q2', true);
    await adapter.typing({ channel: USER }); // shown a moment ago: not repeated
    expect(wa.reads.map(({ messageId, typing }) => ({ messageId, typing }))).toEqual([
      { messageId: 'wamid.Q2', typing: true },
    ]);
    await adapter.setWorking({ channel: USER }, 'wamid.Q2', false);
    await adapter.typing({ channel: USER });
    expect(wa.reads).toHaveLength(1);
  });

  it('is healthy while the number answers, and says why not when it does not', async () => {
    const { wa, adapter } = await setup();
    expect((await adapter.health()).ok).toBe(false);
    await adapter.init();
    expect(await adapter.health()).toEqual({ ok: true, detail: 'sending only' });
    await wa.close();
    const { wa: other, adapter: broken } = await setup();
    await broken.init();
    other.revokeToken();
    expect(await broken.health()).toMatchObject({ ok: false, detail: expect.stringContaining('190') });
  });

  it("answers Meta's handshake and stores signed messages; refuses unsigned ones unread", async () => {
    const { wa, adapter } = await setup();
    await adapter.init();
    const stored: IncomingMessage[] = [];
    const url = await serve(wa, adapter, async (message) => {
      stored.push(message);
    });
    expect(await wa.verify(url)).toEqual({ status: 200, body: '1158201444' });
    expect((await wa.verify(url, { token: 'guess' })).status).toBe(403);
    expect(
      await wa.sendMessages(url, [m.text('Halo, kak', { from: USER })], { names: { [USER]: 'Sari' } }),
    ).toBe(200);
    expect(stored.map((x) => [x.thread, x.text, x.user.displayName])).toEqual([
      [`whatsapp:${wa.phoneNumberId}:${USER}`, 'Halo, kak', 'Sari'],
    ]);
    expect(await wa.sendMessages(url, [m.text('forged')], { unsigned: true })).toBe(401);
    expect(await wa.sendMessages(url, [m.text('forged')], { secret: 'not the app secret' })).toBe(401);
    expect(stored).toHaveLength(1);
  });

  it('answers non-200 while a message cannot be stored, and takes it when Meta retries', async () => {
    const { wa, adapter } = await setup();
    await adapter.init();
    let down = 2;
    const stored: string[] = [];
    const url = await serve(wa, adapter, async (message) => {
      if (down-- > 0) throw new Error('redis is down');
      stored.push(message.text ?? '');
    });
    expect(await wa.sendMessages(url, [m.text('are you there?')], { attempts: 5 })).toBe(200);
    expect(wa.deliveries.map((d) => d.status)).toEqual([503, 503, 200]);
    expect(stored).toEqual(['are you there?']);
  });

  it('reports a send that WhatsApp accepted and then failed (outside the 24-hour window) once', async () => {
    const failures: DeliveryFailure[] = [];
    const { wa, adapter } = await setup();
    await adapter.init();
    await serve(wa, adapter, async () => {}, failures);
    wa.refuseUser(USER, { failLater: 131047 });
    await adapter.send({ channel: USER }, 'an answer after a day'); // accepted
    await wa.waitFor(() => failures.length === 1, 5_000, 'the failed status');
    expect(failures[0]).toMatchObject({
      thread: `whatsapp:${wa.phoneNumberId}:${USER}`,
      kind: 'chat_refused',
      detail: expect.stringContaining('131047'),
    });
    expect(wa.sentTo(USER)).toEqual([]);
  });
});
