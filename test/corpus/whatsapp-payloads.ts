/**
 * WhatsApp Cloud API webhook bodies as Meta posts them to the callback URL, written from Meta's
 * documented shapes (the `whatsapp_business_account` envelope, `metadata`, `contacts[].profile`,
 * every `messages[]` type with its own object, `context` of replies and forwards, `referral` of
 * click-to-WhatsApp ads, `statuses[]` with `pricing` and `errors[]`, the Business app's echoes), each
 * with what the bridge must do: answer this exact question in this thread, run a command, post the
 * text-only notice, or ignore it. The business number is `106540352242922` (display 15550783881).
 * Written out by hand rather than with the fake's builders, so that the two check each other.
 */

export const CORPUS_NUMBER = '106540352242922';
const USER = '6281298765432';
export const CORPUS_THREAD = `whatsapp:${CORPUS_NUMBER}:${USER}`;

/** What the bridge must do with a body. */
export type WhatsAppExpectation =
  /** Ask the agent exactly this, in this thread (default `CORPUS_THREAD`). */
  | { answer: string; thread?: string }
  /** Run this bridge command. */
  | { command: string }
  /** The "I can only read text" notice. */
  | { notice: 'textOnly' }
  /** Nothing reaches the agent and nothing is posted. */
  | { ignore: true };

export interface WhatsAppCorpusCase {
  name: string;
  /** The JSON body Meta posts. */
  body: Record<string, unknown>;
  expect: WhatsAppExpectation;
}

let clock = 1_764_200_000;
let serial = 0;

/** A fresh `wamid`, as Meta writes them (base64 of the chat and a message key). */
function wamid(): string {
  serial += 1;
  return `wamid.HBgNNjI4MTI5ODc2NTQzMhUCABIYIDNFQjA${String(serial).padStart(6, '0')}QUFBQQA=`;
}

/** The envelope of one `field` change of `value`'s parts for the corpus number. */
function body(
  value: Record<string, unknown>,
  field = 'messages',
  number = CORPUS_NUMBER,
): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: number },
              ...value,
            },
            field,
          },
        ],
      },
    ],
  };
}

/** A user's message of `type` with its own object (`fields`). */
function message(type: string, fields: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  clock += 7;
  return body({
    contacts: [{ profile: { name: 'Rina Kusuma' }, wa_id: USER }],
    messages: [{ from: USER, id: wamid(), timestamp: String(clock), type, ...fields, ...extra }],
  });
}

const text = (t: string, extra?: Record<string, unknown>) => message('text', { text: { body: t } }, extra);
const media = (kind: string, object: Record<string, unknown>) =>
  message(kind, { [kind]: { id: '1479537139650973', sha256: 'ZmFrZXNoYTI1Ng==', ...object } });

function status(state: string, extra: Record<string, unknown> = {}) {
  clock += 3;
  return body({
    statuses: [
      {
        id: 'wamid.HBgNNjI4MTI5ODc2NTQzMhUCABEYEjBBMUUyOEFCQkNERUYwMTIzAA==',
        status: state,
        timestamp: String(clock),
        recipient_id: USER,
        ...extra,
      },
    ],
  });
}

const pricing = { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' };

export const whatsappCorpus: WhatsAppCorpusCase[] = [
  {
    name: 'text: a question',
    body: text('Jam buka toko hari Minggu?'),
    expect: { answer: 'Jam buka toko hari Minggu?' },
  },
  {
    name: 'text: emoji and a URL',
    body: text('Ini bisa? 🙏 https://toko.id/p/123'),
    expect: { answer: 'Ini bisa? 🙏 https://toko.id/p/123' },
  },
  {
    name: 'text: WhatsApp markup as typed',
    body: text('*Penting*: _tolong_ cek ~pesanan~ saya'),
    expect: { answer: '*Penting*: _tolong_ cek ~pesanan~ saya' },
  },
  {
    name: 'text: a reply quoting an earlier message (context)',
    body: text('Yang ini maksudnya', {
      context: { from: '15550783881', id: 'wamid.HBgNQUNLTk9XTEVER0VEAA==' },
    }),
    expect: { answer: 'Yang ini maksudnya' },
  },
  {
    name: 'text: forwarded many times (context.frequently_forwarded)',
    body: text('Promo gratis ongkir!', { context: { forwarded: true, frequently_forwarded: true } }),
    expect: { answer: 'Promo gratis ongkir!' },
  },
  {
    name: 'text: from a click-to-WhatsApp ad (referral)',
    body: text('Saya mau tanya produk ini', {
      referral: {
        source_url: 'https://fb.me/2ZulEu42P',
        source_id: '120209876543210',
        source_type: 'ad',
        headline: 'Diskon 50%',
        body: 'Chat kami sekarang',
        media_type: 'image',
        ctwa_clid: 'ARAkLkA8rmlFeiCktEJQ',
      },
    }),
    expect: { answer: 'Saya mau tanya produk ini' },
  },
  {
    name: 'interactive: button_reply',
    body: message('interactive', {
      interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Ya, lanjut' } },
    }),
    expect: { answer: 'Ya, lanjut' },
  },
  {
    name: 'interactive: list_reply',
    body: message('interactive', {
      interactive: {
        type: 'list_reply',
        list_reply: { id: 'row-2', title: 'Ukuran L', description: 'Lingkar dada 104 cm' },
      },
    }),
    expect: { answer: 'Ukuran L' },
  },
  {
    name: 'interactive: a flow response (nfm_reply) has no text',
    body: message('interactive', {
      interactive: {
        type: 'nfm_reply',
        nfm_reply: { response_json: '{"flow_token":"x"}', body: 'Sent', name: 'flow' },
      },
    }),
    expect: { notice: 'textOnly' },
  },
  {
    name: 'button: a template quick reply',
    body: message('button', { button: { payload: 'STOP_PROMO', text: 'Berhenti promo' } }),
    expect: { answer: 'Berhenti promo' },
  },
  {
    name: 'image: with caption',
    body: media('image', { mime_type: 'image/jpeg', caption: 'Ini struknya' }),
    expect: { answer: 'Ini struknya' },
  },
  {
    name: 'image: without caption',
    body: media('image', { mime_type: 'image/jpeg' }),
    expect: { notice: 'textOnly' },
  },
  {
    name: 'video: with caption',
    body: media('video', { mime_type: 'video/mp4', caption: 'Lihat video ini' }),
    expect: { answer: 'Lihat video ini' },
  },
  {
    name: 'document: with caption',
    body: media('document', {
      mime_type: 'application/pdf',
      filename: 'invoice.pdf',
      caption: 'Tolong cek invoice',
    }),
    expect: { answer: 'Tolong cek invoice' },
  },
  {
    name: 'document: without caption',
    body: media('document', { mime_type: 'application/pdf', filename: 'invoice.pdf' }),
    expect: { notice: 'textOnly' },
  },
  {
    name: 'audio: a voice note',
    body: media('audio', { mime_type: 'audio/ogg; codecs=opus', voice: true }),
    expect: { notice: 'textOnly' },
  },
  {
    name: 'sticker',
    body: media('sticker', { mime_type: 'image/webp', animated: false }),
    expect: { notice: 'textOnly' },
  },
  {
    name: 'location',
    body: message('location', {
      location: { latitude: -6.1753924, longitude: 106.8271528, name: 'Monas', address: 'Gambir, Jakarta' },
    }),
    expect: { notice: 'textOnly' },
  },
  {
    name: 'contacts',
    body: message('contacts', {
      contacts: [
        {
          name: { formatted_name: 'Budi Santoso', first_name: 'Budi' },
          phones: [{ phone: '+62 812-0000-1111', type: 'CELL', wa_id: '6281200001111' }],
        },
      ],
    }),
    expect: { notice: 'textOnly' },
  },
  {
    name: 'reaction: added',
    body: message('reaction', { reaction: { message_id: 'wamid.HBgNQU5TV0VSAA==', emoji: '👍' } }),
    expect: { ignore: true },
  },
  {
    name: 'reaction: removed (empty emoji)',
    body: message('reaction', { reaction: { message_id: 'wamid.HBgNQU5TV0VSAA==' } }),
    expect: { ignore: true },
  },
  {
    name: 'unsupported: a message type the Cloud API does not deliver',
    body: message('unsupported', {
      errors: [
        {
          code: 131051,
          title: 'Message type unknown',
          message: 'Message type unknown',
          error_data: { details: 'Message type is currently not supported.' },
        },
      ],
    }),
    expect: { ignore: true },
  },
  {
    name: 'system: the user changed number',
    body: message('system', {
      system: {
        body: 'User A changed from 6281298765432 to 6281298765433',
        wa_id: '6281298765433',
        type: 'user_changed_number',
      },
    }),
    expect: { ignore: true },
  },
  {
    name: 'request_welcome: the user opened the chat',
    body: message('request_welcome', {}),
    expect: { ignore: true },
  },
  { name: 'command: credits', body: text('credits'), expect: { command: 'credits' } },
  { name: 'command: Status with a slash and spaces', body: text(' /Status '), expect: { command: 'status' } },
  { name: 'command: reset', body: text('reset'), expect: { command: 'reset' } },
  {
    name: 'command: a command word inside a question is a question',
    body: text('help me track my order'),
    expect: { answer: 'help me track my order' },
  },
  { name: 'statuses: sent', body: status('sent', { pricing }), expect: { ignore: true } },
  { name: 'statuses: delivered', body: status('delivered', { pricing }), expect: { ignore: true } },
  { name: 'statuses: read', body: status('read'), expect: { ignore: true } },
  {
    name: 'statuses: failed outside the 24-hour window',
    body: status('failed', {
      errors: [
        {
          code: 131047,
          title: 'Re-engagement message',
          message: 'Re-engagement message',
          error_data: {
            details:
              'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
          },
        },
      ],
    }),
    expect: { ignore: true },
  },
  {
    name: 'echo: sent from the WhatsApp Business app (smb_message_echoes)',
    body: body(
      {
        message_echoes: [
          {
            from: '15550783881',
            to: USER,
            id: wamid(),
            timestamp: String(clock),
            type: 'text',
            text: { body: 'Halo dari toko' },
          },
        ],
      },
      'smb_message_echoes',
    ),
    expect: { ignore: true },
  },
  {
    name: 'other number: a message to another number of the same account',
    body: (() => {
      const b = text('Bukan untuk nomor ini');
      const value = (b.entry as Array<{ changes: Array<{ value: { metadata: Record<string, string> } }> }>)[0]
        ?.changes[0]?.value;
      if (value) value.metadata = { display_phone_number: '15550000000', phone_number_id: '200000000000002' };
      return b;
    })(),
    expect: { ignore: true },
  },
  {
    name: 'group: a message in a WhatsApp group (Groups API)',
    body: text('Halo grup', { group_id: '120363025246125888' }),
    expect: { ignore: true },
  },
];
