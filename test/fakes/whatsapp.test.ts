/**
 * The fake WhatsApp Cloud API speaks Meta's wire: the bearer token checked, Graph error bodies with
 * their codes and statuses, the 4,096-character limit, read marks, who-am-I, and a webhook sender
 * that signs like Meta, retries a non-200 with growing delays, and reports statuses of what it took.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeWhatsApp, graphError, hubSignature, startFakeWhatsApp } from './whatsapp.ts';

let wa: FakeWhatsApp;
afterEach(async () => wa?.close());

const messagesUrl = () => `${wa.url}/${wa.version}/${wa.phoneNumberId}/messages`;
const post = (body: unknown, token = wa.token) =>
  fetch(messagesUrl(), {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
const text = (body: string) => ({
  messaging_product: 'whatsapp',
  to: '6281234567890',
  type: 'text',
  text: { body },
});

/** A local receiver of webhook POSTs answering `statuses` in turn (then 200), recording what came. */
async function receiver(statuses: number[]) {
  const got: Array<{ body: string; signature: string | undefined; at: number }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const signature = req.headers['x-hub-signature-256'];
      got.push({
        body: Buffer.concat(chunks).toString(),
        signature: signature as string | undefined,
        at: Date.now(),
      });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, got, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('the fake WhatsApp Cloud API', () => {
  it('sends a text and answers with a wamid, as the Cloud API does', async () => {
    wa = await startFakeWhatsApp();
    const res = await post({ ...text('halo'), context: { message_id: 'wamid.Q' } });
    const answer = (await res.json()) as { messages: Array<{ id: string }> };
    expect(res.status).toBe(200);
    expect(answer.messages[0]?.id).toMatch(/^wamid\./);
    expect(wa.sent).toMatchObject([{ to: '6281234567890', text: 'halo', replyTo: 'wamid.Q' }]);
  });

  it("refuses a missing or wrong token with Meta's 401 and code 190", async () => {
    wa = await startFakeWhatsApp();
    const res = await post(text('x'), 'EAAwrong');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: number; type: string } }).error).toMatchObject({
      code: 190,
      type: 'OAuthException',
    });
  });

  it('answers refusals with the Graph error body: message, type, code, error_data, fbtrace_id', async () => {
    wa = await startFakeWhatsApp();
    wa.script({ error: 131047 }, { error: 130429 }, { status: 502 });
    const outside = await post(text('late'));
    const body = (await outside.json()) as { error: Record<string, unknown> };
    expect(outside.status).toBe(400);
    expect(Object.keys(body.error).sort()).toEqual(['code', 'error_data', 'fbtrace_id', 'message', 'type']);
    expect(body.error.code).toBe(131047);
    expect((await post(text('fast'))).status).toBe(429);
    const gateway = await post(text('down'));
    expect(gateway.status).toBe(502);
    expect(gateway.headers.get('content-type')).toContain('text/html');
    expect(graphError(190).status).toBe(401);
    expect(wa.sent).toEqual([]);
  });

  it('refuses a text over 4,096 characters with code 100, and takes one of exactly 4,096', async () => {
    wa = await startFakeWhatsApp();
    const long = await post(text('x'.repeat(4097)));
    expect(long.status).toBe(400);
    expect(((await long.json()) as { error: { code: number } }).error.code).toBe(100);
    expect((await post(text('x'.repeat(4096)))).status).toBe(200);
  });

  it('records read marks with their typing indicator, and says who the number is', async () => {
    wa = await startFakeWhatsApp();
    const read = await post({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.A',
      typing_indicator: { type: 'text' },
    });
    expect(await read.json()).toEqual({ success: true });
    expect(wa.reads).toMatchObject([{ messageId: 'wamid.A', typing: true }]);
    const who = await fetch(`${wa.url}/${wa.version}/${wa.phoneNumberId}`, {
      headers: { Authorization: `Bearer ${wa.token}` },
    });
    expect(await who.json()).toMatchObject({ id: wa.phoneNumberId, verified_name: wa.verifiedName });
  });

  it('signs webhook bodies with the app secret and retries a non-200 with growing delays', async () => {
    wa = await startFakeWhatsApp();
    const hook = await receiver([500, 503]);
    wa.retryBaseMs = 50;
    try {
      expect(await wa.sendMessages(hook.url, [], { attempts: 4 })).toBe(200);
      expect(hook.got).toHaveLength(3);
      const first = hook.got[0];
      const expected = `sha256=${createHmac('sha256', wa.appSecret)
        .update(first?.body ?? '')
        .digest('hex')}`;
      expect(first?.signature).toBe(expected);
      expect(hubSignature(wa.appSecret, first?.body ?? '')).toBe(expected);
      // Waits of 50 ms, then 100 ms: each at least what it was scheduled for.
      const [a = 0, b = 0, c = 0] = hook.got.map((g) => g.at);
      expect(b - a).toBeGreaterThanOrEqual(45);
      expect(c - b).toBeGreaterThanOrEqual(95);
      expect(wa.deliveries.map((d) => d.status)).toEqual([500, 503, 200]);
    } finally {
      await hook.close();
    }
  });

  it('reports a send it accepted and then failed as a failed status with errors[]', async () => {
    wa = await startFakeWhatsApp();
    const hook = await receiver([]);
    try {
      wa.webhookUrl = hook.url;
      wa.refuseUser('6281234567890', { failLater: 131047 });
      expect((await post(text('after a day'))).status).toBe(200);
      await wa.waitFor(() => hook.got.length === 1, 5_000, 'the status callback');
      const status = (
        JSON.parse(hook.got[0]?.body ?? '{}') as {
          entry: Array<{ changes: Array<{ value: { statuses: Array<Record<string, unknown>> } }> }>;
        }
      ).entry[0]?.changes[0]?.value.statuses[0];
      expect(status).toMatchObject({
        status: 'failed',
        recipient_id: '6281234567890',
        errors: [{ code: 131047 }],
      });
    } finally {
      await hook.close();
    }
  });
});
