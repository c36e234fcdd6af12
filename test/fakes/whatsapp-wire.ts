/**
 * The pure WhatsApp wire helpers of the fake Graph API (`whatsapp.ts`): Meta's webhook bodies
 * (`whatsapp_business_account` → `entry[].changes[].value` with `metadata`, `contacts`, `messages` of
 * every type and `statuses`), their `X-Hub-Signature-256`, and Graph API error bodies as Meta sends
 * them (`{"error":{message,type,code,error_data,error_subcode,fbtrace_id}}` with its HTTP status).
 * Shapes follow Meta's messages webhook reference and Cloud API error codes. Nothing here listens.
 */
import { createHmac, randomBytes } from 'node:crypto';

export interface FakeWhatsAppOptions {
  /** The System User access token the fake accepts as `Authorization: Bearer`. */
  token: string;
  /** The Meta app's secret, which signs webhook bodies. */
  appSecret: string;
  /** The verify token of the webhook handshake. */
  verifyToken: string;
  /** The business phone number's id (path of the Graph API, `metadata.phone_number_id`). */
  phoneNumberId: string;
  /** The number as WhatsApp shows it, digits only (`metadata.display_phone_number`). */
  displayPhoneNumber: string;
  /** The WhatsApp Business Account id (`entry[].id`). */
  wabaId: string;
  /** The business name Meta verified. */
  verifiedName: string;
}

export const defaultWhatsAppOptions: FakeWhatsAppOptions = {
  token: 'EAAFAKEsystemusertoken0123456789',
  appSecret: 'fake-app-secret-5e1f0c',
  verifyToken: 'fake-verify-token-71b2',
  phoneNumberId: '106540352242922',
  displayPhoneNumber: '15550783881',
  wabaId: '102290129340398',
  verifiedName: 'Aksita Support',
};

/** A message object of `value.messages[]`, as Meta sends it. */
export type WaMessage = Record<string, unknown> & { id: string; from: string; type: string };

/** A status object of `value.statuses[]`. */
export type WaStatus = Record<string, unknown> & { id: string; status: string; recipient_id: string };

/** One Graph API error as Meta answers it: the HTTP status and the JSON body. */
export interface GraphErrorReply {
  status: number;
  body: { error: Record<string, unknown> };
}

/** The Cloud API errors the fake answers, by code: HTTP status, title, type and details. */
const GRAPH_ERRORS: Record<number, { status: number; title: string; type: string; details: string }> = {
  1: { status: 500, title: 'An unknown error has occurred.', type: 'OAuthException', details: '' },
  2: { status: 503, title: 'Service temporarily unavailable', type: 'OAuthException', details: '' },
  4: {
    status: 400,
    title: '(#4) Application request limit reached',
    type: 'OAuthException',
    details: 'The app has reached its API call rate limit.',
  },
  100: {
    status: 400,
    title: '(#100) Invalid parameter',
    type: 'OAuthException',
    details: "Param text['body'] must be at most 4096 characters long.",
  },
  190: {
    status: 401,
    title: 'Error validating access token: Session has expired.',
    type: 'OAuthException',
    details: '',
  },
  80007: {
    status: 400,
    title: '(#80007) Rate limit issues',
    type: 'OAuthException',
    details: 'The WhatsApp Business Account has reached its rate limit.',
  },
  130429: {
    status: 429,
    title: '(#130429) Rate limit hit',
    type: 'OAuthException',
    details: 'Cloud API message throughput has been reached.',
  },
  131000: { status: 500, title: '(#131000) Something went wrong', type: 'OAuthException', details: '' },
  131009: {
    status: 400,
    title: '(#131009) Parameter value is not valid',
    type: 'OAuthException',
    details: 'One or more parameter values are invalid.',
  },
  131026: {
    status: 400,
    title: '(#131026) Message undeliverable',
    type: 'OAuthException',
    details: 'Unable to deliver message.',
  },
  131030: {
    status: 400,
    title: '(#131030) Recipient phone number not in allowed list',
    type: 'OAuthException',
    details: 'Recipient phone number not in allowed list: Add recipient phone number to recipient list.',
  },
  131047: {
    status: 400,
    title: '(#131047) Re-engagement message',
    type: 'OAuthException',
    details:
      'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  },
  131056: {
    status: 400,
    title: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
    type: 'OAuthException',
    details: 'Too many messages sent from the sender phone number to the same recipient phone number.',
  },
};

/** A trace id like Meta's `fbtrace_id`. */
export function fbtraceId(): string {
  return randomBytes(12).toString('base64url').slice(0, 23);
}

/** The Graph API's answer for error `code` (unknown codes: 400 `OAuthException`). */
export function graphError(
  code: number,
  overrides: { status?: number; details?: string } = {},
): GraphErrorReply {
  const known = GRAPH_ERRORS[code] ?? {
    status: 400,
    title: `(#${code}) Error`,
    type: 'OAuthException',
    details: '',
  };
  const details = overrides.details ?? known.details;
  return {
    status: overrides.status ?? known.status,
    body: {
      error: {
        message: known.title,
        type: known.type,
        code,
        ...(details !== '' && { error_data: { messaging_product: 'whatsapp', details } }),
        ...(code === 190 && { error_subcode: 463 }),
        fbtrace_id: fbtraceId(),
      },
    },
  };
}

/** `sha256=` + hex HMAC-SHA256 of the raw body with the app secret: Meta's `X-Hub-Signature-256`. */
export function hubSignature(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A fresh `wamid.…` message id. */
export function wamid(): string {
  return `wamid.${randomBytes(30).toString('base64')}`;
}

/** What a user's message carries besides its type-specific part. */
export interface MessageInput {
  /** The user's WhatsApp id (`from`). Default `6281234567890`. */
  from?: string;
  /** `wamid` of the message; default a fresh one. */
  id?: string;
  /** Epoch seconds; default now. */
  timestamp?: number;
  /** The `wamid` this message replies to (`context`). */
  replyTo?: string;
}

/** Builds one `messages[]` entry of `type` with its type-specific object. */
export function waMessage(type: string, part: Record<string, unknown>, input: MessageInput = {}): WaMessage {
  const from = input.from ?? DEFAULT_USER;
  return {
    from,
    id: input.id ?? wamid(),
    timestamp: String(input.timestamp ?? Math.floor(Date.now() / 1000)),
    ...(input.replyTo && { context: { from: defaultWhatsAppOptions.displayPhoneNumber, id: input.replyTo } }),
    type,
    ...part,
  };
}

export const DEFAULT_USER = '6281234567890';

/** Builders of every message type the issue lists. */
export const messages = {
  text: (body: string, input?: MessageInput) => waMessage('text', { text: { body } }, input),
  buttonReply: (title: string, input?: MessageInput) =>
    waMessage(
      'interactive',
      { interactive: { type: 'button_reply', button_reply: { id: 'btn-1', title } } },
      input,
    ),
  listReply: (title: string, input?: MessageInput) =>
    waMessage(
      'interactive',
      { interactive: { type: 'list_reply', list_reply: { id: 'row-1', title, description: 'a row' } } },
      input,
    ),
  button: (text: string, input?: MessageInput) =>
    waMessage('button', { button: { payload: 'PAYLOAD', text } }, input),
  media: (
    kind: 'image' | 'video' | 'document' | 'audio' | 'sticker',
    caption?: string,
    input?: MessageInput,
  ) =>
    waMessage(
      kind,
      {
        [kind]: {
          mime_type: MIME[kind],
          sha256: 'Y2Fmc2hhMjU2aGFzaA==',
          id: '1003383421387256',
          ...(kind === 'document' && { filename: 'invoice.pdf' }),
          ...(kind === 'audio' && { voice: true }),
          ...(kind === 'sticker' && { animated: false }),
          ...(caption !== undefined && { caption }),
        },
      },
      input,
    ),
  location: (input?: MessageInput) =>
    waMessage(
      'location',
      { location: { latitude: -6.2, longitude: 106.816666, name: 'Monas', address: 'Jakarta' } },
      input,
    ),
  contacts: (input?: MessageInput) =>
    waMessage(
      'contacts',
      {
        contacts: [{ name: { formatted_name: 'Budi', first_name: 'Budi' }, phones: [{ phone: '+62 812' }] }],
      },
      input,
    ),
  reaction: (toId: string, emoji: string, input?: MessageInput) =>
    waMessage('reaction', { reaction: { message_id: toId, emoji } }, input),
  unsupported: (input?: MessageInput) =>
    waMessage(
      'unsupported',
      {
        errors: [
          {
            code: 131051,
            title: 'Message type unknown',
            message: 'Message type unknown',
            error_data: { details: 'Message type is currently not supported.' },
          },
        ],
      },
      input,
    ),
  system: (input?: MessageInput) =>
    waMessage(
      'system',
      { system: { body: 'User A changed from 6281234567890 to 6281234567891', type: 'user_changed_number' } },
      input,
    ),
};

const MIME = {
  image: 'image/jpeg',
  video: 'video/mp4',
  document: 'application/pdf',
  audio: 'audio/ogg; codecs=opus',
  sticker: 'image/webp',
};

/** A `statuses[]` entry; `failed` carries `errors[]` with `code`. */
export function waStatus(
  status: 'sent' | 'delivered' | 'read' | 'failed',
  messageId: string,
  recipient: string,
  code?: number,
): WaStatus {
  const error = code === undefined ? undefined : graphError(code).body.error;
  return {
    id: messageId,
    status,
    timestamp: String(Math.floor(Date.now() / 1000)),
    recipient_id: recipient,
    ...(status !== 'failed' && {
      pricing: { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' },
    }),
    ...(error && {
      errors: [
        {
          code,
          title: String(error.message).replace(/^\(#\d+\) /, ''),
          message: String(error.message).replace(/^\(#\d+\) /, ''),
          error_data: error.error_data ?? { details: '' },
          href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
        },
      ],
    }),
  };
}

/** A whole webhook body for `o`'s number: one entry, one `messages` change. */
export function webhookBody(
  o: FakeWhatsAppOptions,
  parts: { messages?: WaMessage[]; statuses?: WaStatus[]; names?: Record<string, string> },
  field = 'messages',
): Record<string, unknown> {
  const senders = [...new Set((parts.messages ?? []).map((m) => m.from))];
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: o.wabaId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: o.displayPhoneNumber, phone_number_id: o.phoneNumberId },
              ...(senders.length > 0 && {
                contacts: senders.map((waId) => ({
                  profile: { name: parts.names?.[waId] ?? 'Sari' },
                  wa_id: waId,
                })),
              }),
              ...(parts.messages && { messages: parts.messages }),
              ...(parts.statuses && { statuses: parts.statuses }),
            },
            field,
          },
        ],
      },
    ],
  };
}
