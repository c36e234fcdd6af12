/**
 * The WhatsApp normalizer and the statuses reader: every message type of Meta's webhook, the thread
 * key per business number and user, names from `contacts`, commands as plain words, and what is not
 * a message (reactions, unsupported, system, statuses, other numbers, other fields).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeWhatsAppValue, normalizeWhatsAppWebhook } from '../../adapters/whatsapp/normalize.ts';
import { deliveryFailures } from '../../adapters/whatsapp/statuses.ts';
import {
  DEFAULT_USER,
  messages as m,
  defaultWhatsAppOptions as o,
  type WaMessage,
  waStatus,
  webhookBody,
} from '../fakes/whatsapp-wire.ts';

const one = (message: WaMessage, names?: Record<string, string>) => {
  const out = normalizeWhatsAppWebhook(webhookBody(o, { messages: [message], ...(names && { names }) }));
  expect(out.length).toBeLessThanOrEqual(1);
  return out[0] ?? null;
};

describe('normalizeWhatsAppWebhook', () => {
  it('turns a text message into a direct, addressed message of its own thread', () => {
    const message = m.text('Apa kabar?', { id: 'wamid.ABC123=', timestamp: 1_764_000_000 });
    expect(one(message, { [DEFAULT_USER]: 'Sari Dewi' })).toEqual({
      id: 'whatsapp:wamid.ABC123=',
      platform: 'whatsapp',
      thread: `whatsapp:${o.phoneNumberId}:${DEFAULT_USER}`,
      address: { channel: DEFAULT_USER },
      messageId: 'wamid.ABC123=',
      chatType: 'direct',
      addressed: true,
      text: 'Apa kabar?',
      user: { id: DEFAULT_USER, displayName: 'Sari Dewi' },
      sentAt: 1_764_000_000_000,
    });
  });

  it('gives each user of each business number a thread of their own', () => {
    const a = one(m.text('hi', { from: '6281111111111' }));
    const b = one(m.text('hi', { from: '6282222222222' }));
    const other = normalizeWhatsAppWebhook(
      webhookBody(
        { ...o, phoneNumberId: '999000111' },
        { messages: [m.text('hi', { from: '6281111111111' })] },
      ),
    )[0];
    expect(new Set([a?.thread, b?.thread, other?.thread]).size).toBe(3);
    expect(other?.thread).toBe('whatsapp:999000111:6281111111111');
  });

  it('counts button replies, list replies and template buttons as text', () => {
    expect(one(m.buttonReply('Yes, order'))?.text).toBe('Yes, order');
    expect(one(m.listReply('Large size'))?.text).toBe('Large size');
    expect(one(m.button('Stop promotions'))?.text).toBe('Stop promotions');
  });

  it('counts a caption as the text, and media without one as a message without text', () => {
    for (const kind of ['image', 'video', 'document'] as const) {
      expect(one(m.media(kind, '  What is this?  '))?.text, kind).toBe('What is this?');
      expect(one(m.media(kind))?.text, kind).toBeNull();
      expect(one(m.media(kind, '   '))?.text, kind).toBeNull();
    }
    for (const message of [m.media('audio'), m.media('sticker'), m.location(), m.contacts()]) {
      expect(one(message), message.type).toMatchObject({ text: null, chatType: 'direct' });
    }
  });

  it('ignores reactions, unsupported and system messages', () => {
    expect(one(m.reaction('wamid.X1', '👍'))).toBeNull();
    expect(one(m.unsupported())).toBeNull();
    expect(one(m.system())).toBeNull();
    expect(one({ ...m.text('in a group'), group_id: '120363000000000000' })).toBeNull();
  });

  it('gives the plain command words as commands, and nothing else', () => {
    expect(one(m.text(' Credits '))?.command).toEqual({ name: 'credits', args: '' });
    expect(one(m.text('/help'))?.command).toEqual({ name: 'help', args: '' });
    expect(one(m.text('help me with my order'))?.command).toBeUndefined();
  });

  it('names a user by their WhatsApp id when the contacts carry no profile name', () => {
    const body = webhookBody(o, { messages: [m.text('hi')] });
    const value = (body.entry as Array<{ changes: Array<{ value: Record<string, unknown> }> }>)[0]?.changes[0]
      ?.value as Record<string, unknown>;
    delete value.contacts;
    expect(normalizeWhatsAppValue(value)[0]?.user.displayName).toBe(DEFAULT_USER);
  });

  it('keeps the order of several messages in one body, and skips other business numbers when told', () => {
    const body = webhookBody(o, { messages: [m.text('one'), m.media('sticker'), m.text('two')] });
    expect(normalizeWhatsAppWebhook(body).map((x) => x.text)).toEqual(['one', null, 'two']);
    expect(normalizeWhatsAppWebhook(body, { phoneNumberId: '555' })).toEqual([]);
    expect(normalizeWhatsAppWebhook(body, { phoneNumberId: o.phoneNumberId })).toHaveLength(3);
  });

  it('reads no message from statuses, other fields or other objects', () => {
    expect(
      normalizeWhatsAppWebhook(webhookBody(o, { statuses: [waStatus('read', 'wamid.S1', DEFAULT_USER)] })),
    ).toEqual([]);
    expect(
      normalizeWhatsAppWebhook(webhookBody(o, { messages: [m.text('echo')] }, 'smb_message_echoes')),
    ).toEqual([]);
    expect(
      normalizeWhatsAppWebhook({ ...webhookBody(o, { messages: [m.text('x')] }), object: 'page' }),
    ).toEqual([]);
  });

  it('never throws, and drops messages without a valid id or sender', () => {
    expect(one({ ...m.text('x'), id: 'not-a-wamid' })).toBeNull();
    expect(one({ ...m.text('x'), from: '' })).toBeNull();
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        normalizeWhatsAppWebhook(raw);
        normalizeWhatsAppValue(raw);
        deliveryFailures(raw);
      }),
      { numRuns: 300 },
    );
  });
});

describe('deliveryFailures', () => {
  const value = (statuses: ReturnType<typeof waStatus>[]) =>
    (webhookBody(o, { statuses }).entry as Array<{ changes: Array<{ value: unknown }> }>)[0]?.changes[0]
      ?.value;

  it('reads failed statuses with their code and kind, and nothing from sent, delivered or read', () => {
    const failures = deliveryFailures(
      value([
        waStatus('sent', 'wamid.A', DEFAULT_USER),
        waStatus('delivered', 'wamid.A', DEFAULT_USER),
        waStatus('read', 'wamid.A', DEFAULT_USER),
        waStatus('failed', 'wamid.B', DEFAULT_USER, 131047),
        waStatus('failed', 'wamid.C', DEFAULT_USER, 131026),
        waStatus('failed', 'wamid.D', DEFAULT_USER, 131000),
      ]),
    );
    expect(failures.map((f) => [f.messageId, f.code, f.kind])).toEqual([
      ['wamid.B', 131047, 'chat_refused'],
      ['wamid.C', 131026, 'chat_refused'],
      ['wamid.D', 131000, 'transient'],
    ]);
    expect(failures[0]).toMatchObject({
      thread: `whatsapp:${o.phoneNumberId}:${DEFAULT_USER}`,
      recipient: DEFAULT_USER,
      title: 'Re-engagement message',
    });
  });

  it('counts a failure without a code as a refusal of that message', () => {
    const status = { ...waStatus('failed', 'wamid.E', DEFAULT_USER), errors: [] };
    expect(deliveryFailures(value([status]))[0]).toMatchObject({ code: undefined, kind: 'rejected' });
  });
});
