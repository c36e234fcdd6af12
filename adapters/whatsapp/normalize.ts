/**
 * WhatsApp Cloud API webhooks → `IncomingMessage`s. Pure, and never throws, whatever the input.
 * One webhook body (`object: whatsapp_business_account`) holds `entry[].changes[]`; a change of
 * field `messages` has a `value` with the business number (`metadata.phone_number_id`), the senders'
 * profiles (`contacts[]`) and `messages[]` and/or `statuses[]`. Every user of every business number
 * is one conversation: thread `whatsapp:<phone_number_id>:<user's wa_id>`, a direct chat.
 */
import type { IncomingMessage } from '../../src/core/contract.ts';
import { type Loose, list, record, filled as str } from '../shared/guards.ts';

/** The platform's id (`whatsappPlatform.id` in `platform.ts`). */
export const WHATSAPP = 'whatsapp';

/** A user's WhatsApp id: the phone number's digits (a business-scoped id may carry letters). */
const WA_ID = /^[0-9A-Za-z._-]{1,64}$/;
/** Meta's message ids: `wamid.` + base64. */
const WAMID = /^wamid\.[A-Za-z0-9+/=_-]{1,256}$/;
/**
 * The bridge's commands, which a chat may give as its whole text (`credits`, `/Help`), as on
 * Slack's DMs. Anything else goes to the agent.
 */
const COMMAND_WORDS = new Set(['credits', 'status', 'reset', 'help']);
/** Message types that carry media or data but no text of their own; a caption, if any, is the text. */
const CAPTIONED = new Set(['image', 'video', 'document']);
const WITHOUT_TEXT = new Set(['audio', 'sticker', 'location', 'contacts']);

export interface NormalizeOptions {
  /** Only messages to this business number; others (another number of the same account) are skipped. */
  phoneNumberId?: string;
}

/** The `value` of every `messages` change of a webhook body, in order. */
export function messageValues(body: unknown): Loose[] {
  const root = record(body);
  if (root?.object !== 'whatsapp_business_account') return [];
  const values: Loose[] = [];
  for (const entry of list(root.entry)) {
    for (const change of list(record(entry)?.changes)) {
      const c = record(change);
      const value = record(c?.value);
      if (c?.field === 'messages' && value) values.push(value);
    }
  }
  return values;
}

/** The text a message carries, `null` for one without (media without caption), undefined to ignore it. */
function textOf(message: Loose): string | null | undefined {
  const type = str(message.type);
  if (type === undefined) return undefined;
  if (type === 'text') return str(record(message.text)?.body) ?? null;
  if (type === 'interactive') {
    const interactive = record(message.interactive);
    const reply = record(interactive?.button_reply) ?? record(interactive?.list_reply);
    return str(reply?.title) ?? null;
  }
  if (type === 'button') return str(record(message.button)?.text) ?? null;
  if (CAPTIONED.has(type)) return str(record(message[type])?.caption)?.trim() || null;
  if (WITHOUT_TEXT.has(type)) return null;
  // `reaction`, `unsupported`, `system` (a user changed number), `order`, `request_welcome` and types
  // not known yet: nothing a person asked.
  return undefined;
}

/** The command a message's whole text names (trimmed, any case, an optional leading `/`), if any. */
function commandOf(text: string | null): { name: string; args: string } | undefined {
  const name = text?.trim().replace(/^\//, '').toLowerCase();
  return name !== undefined && COMMAND_WORDS.has(name) ? { name, args: '' } : undefined;
}

function normalizeOne(
  message: Loose,
  phoneNumberId: string,
  names: ReadonlyMap<string, string>,
): IncomingMessage | null {
  const id = str(message.id);
  const from = str(message.from);
  if (id === undefined || !WAMID.test(id) || from === undefined || !WA_ID.test(from)) return null;
  // A message in a WhatsApp group (Groups API) names its group: not a conversation the bridge keeps.
  if (message.group_id !== undefined) return null;
  const text = textOf(message);
  if (text === undefined) return null;
  const seconds = Number(message.timestamp);
  const command = commandOf(text);
  return {
    id: `whatsapp:${id}`,
    platform: WHATSAPP,
    thread: `whatsapp:${phoneNumberId}:${from}`,
    address: { channel: from },
    messageId: id,
    chatType: 'direct',
    addressed: true,
    text,
    ...(command && { command }),
    user: { id: from, displayName: names.get(from) ?? from },
    sentAt: Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : 0,
  };
}

/**
 * The messages of one change's `value`, in order. Text, button and list replies, and template
 * buttons count as text; an image, video or document counts as its caption, and without one (or
 * audio, a sticker, a location, contacts) has `text: null`, which the router answers with the
 * text-only notice; reactions, `unsupported` and `system` messages and statuses are not messages.
 * The id `whatsapp:<wamid>` is the same for every redelivery. Never throws.
 */
export function normalizeWhatsAppValue(value: unknown, options: NormalizeOptions = {}): IncomingMessage[] {
  try {
    const v = record(value);
    const phoneNumberId = str(record(v?.metadata)?.phone_number_id);
    if (!v || phoneNumberId === undefined || !/^\d{1,32}$/.test(phoneNumberId)) return [];
    if (options.phoneNumberId !== undefined && phoneNumberId !== options.phoneNumberId) return [];
    const names = new Map<string, string>();
    for (const contact of list(v.contacts)) {
      const c = record(contact);
      const waId = str(c?.wa_id);
      const name = str(record(c?.profile)?.name)?.trim();
      if (waId !== undefined && name) names.set(waId, name);
    }
    const out: IncomingMessage[] = [];
    for (const raw of list(v.messages)) {
      const m = record(raw);
      const message = m && normalizeOne(m, phoneNumberId, names);
      if (message) out.push(message);
    }
    return out;
  } catch {
    return [];
  }
}

/** Every message of a whole webhook body, in order. Never throws. */
export function normalizeWhatsAppWebhook(body: unknown, options: NormalizeOptions = {}): IncomingMessage[] {
  try {
    return messageValues(body).flatMap((value) => normalizeWhatsAppValue(value, options));
  } catch {
    return [];
  }
}
