/**
 * Meta's webhook as the WhatsApp adapter serves it: the verification handshake, the signature
 * screened before the body is read and checked against the raw bytes, 200 only once every message is
 * stored (503 otherwise, so Meta retries), messages handed in in order, and each failed status
 * reported once however often Meta delivers it.
 */
import { describe, expect, it } from 'vitest';
import { WhatsAppWebhook } from '../../adapters/whatsapp/webhook.ts';
import type { IncomingMessage } from '../../src/core/contract.ts';
import { createLogger } from '../../src/logger.ts';
import {
  hubSignature,
  messages as m,
  defaultWhatsAppOptions as o,
  type WaMessage,
  waStatus,
  webhookBody,
} from '../fakes/whatsapp-wire.ts';

const URL_ = 'http://bridge.test/whatsapp/webhook';
const log = createLogger({ level: 'silent', secrets: [] });

function setup(options: { receiving?: boolean; failStore?: boolean } = {}) {
  const stored: IncomingMessage[] = [];
  const failures: string[] = [];
  const webhook = new WhatsAppWebhook({
    appSecret: o.appSecret,
    verifyToken: o.verifyToken,
    phoneNumberId: o.phoneNumberId,
    log,
    receiver: () =>
      options.receiving === false
        ? undefined
        : async (message) => {
            if (options.failStore) throw new Error('redis is down');
            stored.push(message);
          },
    failed: async (failure) => {
      failures.push(`${failure.messageId}:${failure.kind}`);
    },
  });
  return { webhook, stored, failures };
}

function post(body: string, signature: string | null = hubSignature(o.appSecret, body)): Request {
  return new Request(URL_, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(signature !== null && { 'X-Hub-Signature-256': signature }),
    },
    body,
  });
}

const bodyOf = (list: WaMessage[]) => JSON.stringify(webhookBody(o, { messages: list }));

describe('the WhatsApp webhook', () => {
  it('answers the verification handshake with the challenge as plain text, and only with the right token', async () => {
    const { webhook } = setup();
    const ok = webhook.verify(
      new Request(`${URL_}?hub.mode=subscribe&hub.verify_token=${o.verifyToken}&hub.challenge=1158201444`),
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/plain');
    expect(await ok.text()).toBe('1158201444');
    for (const query of [
      'hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1',
      `hub.mode=unsubscribe&hub.verify_token=${o.verifyToken}&hub.challenge=1`,
      `hub.mode=subscribe&hub.verify_token=${o.verifyToken}&hub.challenge=%3Cscript%3E`,
    ]) {
      expect(webhook.verify(new Request(`${URL_}?${query}`)).status, query).toBe(403);
    }
  });

  it('screens out a request without a well-formed signature before its body is read', () => {
    const { webhook } = setup();
    expect(webhook.screen(new Headers())?.status).toBe(401);
    expect(webhook.screen(new Headers({ 'X-Hub-Signature-256': 'sha1=abc' }))?.status).toBe(401);
    expect(webhook.screen(new Headers({ 'X-Hub-Signature-256': `sha256=${'a'.repeat(63)}` }))?.status).toBe(
      401,
    );
    expect(webhook.screen(new Headers({ 'X-Hub-Signature-256': hubSignature('x', '{}') }))).toBeUndefined();
  });

  it('stores the messages of a signed body in order, and answers 200 after', async () => {
    const { webhook, stored } = setup();
    const res = await webhook.handle(post(bodyOf([m.text('one'), m.text('two'), m.media('sticker')])));
    expect(res.status).toBe(200);
    expect(stored.map((x) => x.text)).toEqual(['one', 'two', null]);
  });

  it('refuses a body signed with another secret, or altered after signing, storing nothing', async () => {
    const { webhook, stored } = setup();
    const body = bodyOf([m.text('forged')]);
    expect((await webhook.handle(post(body, hubSignature('another secret', body)))).status).toBe(401);
    expect(
      (await webhook.handle(post(body.replace('forged', 'f0rged'), hubSignature(o.appSecret, body)))).status,
    ).toBe(401);
    expect((await webhook.handle(post(body, null))).status).toBe(401);
    expect(stored).toEqual([]);
  });

  it('answers 503 when a message could not be stored, or the adapter is not receiving, so Meta retries', async () => {
    const body = bodyOf([m.text('hello')]);
    expect((await setup({ failStore: true }).webhook.handle(post(body))).status).toBe(503);
    expect((await setup({ receiving: false }).webhook.handle(post(body))).status).toBe(503);
  });

  it('answers 400 to signed JSON it cannot parse, and 200 to other objects and fields', async () => {
    const { webhook, stored } = setup();
    expect((await webhook.handle(post('{not json'))).status).toBe(400);
    const other = JSON.stringify({ ...webhookBody(o, { messages: [m.text('x')] }), object: 'instagram' });
    expect((await webhook.handle(post(other))).status).toBe(200);
    expect(stored).toEqual([]);
  });

  it('reports each failed status once, however often Meta delivers it, and ignores the others', async () => {
    const { webhook, failures } = setup();
    const body = JSON.stringify(
      webhookBody(o, {
        statuses: [
          waStatus('sent', 'wamid.S1', '6281234567890'),
          waStatus('failed', 'wamid.F1', '6281234567890', 131047),
          waStatus('failed', 'wamid.F2', '6281234567890', 131026),
        ],
      }),
    );
    expect((await webhook.handle(post(body))).status).toBe(200);
    expect((await webhook.handle(post(body))).status).toBe(200);
    expect(failures).toEqual(['wamid.F1:chat_refused', 'wamid.F2:chat_refused']);
  });

  it('skips messages and statuses of another business number of the same account', async () => {
    const { webhook, stored, failures } = setup();
    const other = { ...o, phoneNumberId: '200000000000001' };
    const body = JSON.stringify(
      webhookBody(other, {
        messages: [m.text('x')],
        statuses: [waStatus('failed', 'wamid.F9', '1', 131047)],
      }),
    );
    expect((await webhook.handle(post(body))).status).toBe(200);
    expect(stored).toEqual([]);
    expect(failures).toEqual([]);
  });
});
