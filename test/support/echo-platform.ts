/**
 * A platform that exists only in the tests, to show that a platform is one descriptor plugged into
 * the registry: `ECHO_TOKEN` turns it on (with `AKSITA_API_KEY_ECHO`, `ECHO_SIGNATURE_HEADER` and
 * `ADMIN_USERS=echo:<id>` handled by the registry like any platform's), it receives over a webhook
 * on the bridge's HTTP server (`POST /echo/webhook`, checked against its token before the body is
 * read, answered 200 only once the message is stored) as WhatsApp will, and what it sends is kept in
 * memory (`EchoWire.sent`), where a test reads what the user sees.
 */
import { z } from 'zod';
import { definePlatform } from '../../adapters/shared/platform.ts';
import { optionalSecret } from '../../src/config-values.ts';
import type { Adapter, Address, Inbound, IncomingMessage } from '../../src/core/contract.ts';

/** The path of the echo platform's webhook. */
export const ECHO_WEBHOOK_PATH = '/echo/webhook';
/** Longest message the echo platform takes, in characters. */
const ECHO_MAX_MESSAGE = 1_000;

/** One message the echo adapter sent. */
export interface EchoSent {
  /** The chat it went to (a user id for a direct message). */
  chat: string;
  /** Its text. */
  text: string;
}

/** What the echo platform's "servers" saw: every message sent, by every adapter built. */
export class EchoWire {
  /** Every message sent, in order. */
  readonly sent: EchoSent[] = [];
  /** The texts sent to `chat`, in order. */
  sentTo(chat: string): string[] {
    return this.sent.filter((s) => s.chat === chat).map((s) => s.text);
  }
}

/** One user message as the echo webhook takes it. */
interface EchoUpdate {
  id: string;
  chat: string;
  user: string;
  text: string;
}

const updateSchema = z.object({ id: z.string(), chat: z.string(), user: z.string(), text: z.string() });

function normalizeEcho(update: EchoUpdate): IncomingMessage {
  return {
    id: `echo:${update.id}`,
    platform: 'echo',
    thread: `echo:${update.chat}`,
    address: { channel: update.chat },
    messageId: update.id,
    chatType: 'direct',
    addressed: true,
    text: update.text,
    user: { id: update.user, displayName: `user ${update.user}` },
    sentAt: Date.now(),
  };
}

function createEchoAdapter(settings: { token: string; header: string }, wire: EchoWire): Adapter {
  let inbound: Inbound | undefined;
  const post = (chat: string, text: string) => {
    wire.sent.push({ chat, text });
    return Promise.resolve();
  };
  return {
    platform: 'echo',
    capabilities: {
      typing: false,
      typingRenewMs: 5_000,
    },
    routes: [
      {
        method: 'POST',
        path: ECHO_WEBHOOK_PATH,
        screen: (headers) =>
          headers.get(settings.header) === settings.token
            ? undefined
            : new Response('forbidden', { status: 403 }),
        handle: async (request) => {
          const update = updateSchema.safeParse(await request.json().catch(() => null));
          if (!update.success) return new Response('bad request', { status: 400 });
          if (!inbound) return new Response('not receiving', { status: 503 });
          await inbound.message(normalizeEcho(update.data));
          return new Response('ok');
        },
      },
    ],
    async init() {},
    async start(value) {
      inbound = value;
    },
    async stop() {
      inbound = undefined;
    },
    render: (markdown) => [markdown.slice(0, ECHO_MAX_MESSAGE)],
    send: (address: Address, text: string) => post(address.channel, text),
    sendDirect: (userId, text) => post(userId, text),
    async typing() {},
    async setWorking() {},
    health: async () => ({ ok: true, detail: inbound ? 'receiving' : 'idle' }),
  };
}

/** The echo platform's descriptor; the adapters it builds send to `wire`. */
export function echoPlatform(wire: EchoWire) {
  return definePlatform({
    id: 'echo',
    label: 'Echo',
    token: 'ECHO_TOKEN',
    howTo: 'ECHO_TOKEN for Echo',
    variables: {
      ECHO_TOKEN: optionalSecret,
      ECHO_SIGNATURE_HEADER: z
        .string()
        .optional()
        .transform((v) => v?.trim().toLowerCase() || 'x-echo-token'),
    },
    secrets: ['ECHO_TOKEN'],
    needs: ['ECHO_SIGNATURE_HEADER'],
    admins: {
      forms: 'echo:u1',
      parse: ([id, ...rest]) => (rest.length === 0 && id ? { id } : 'has no echo user id'),
    },
    settings: (e) => (e.ECHO_TOKEN ? { token: e.ECHO_TOKEN, header: e.ECHO_SIGNATURE_HEADER } : undefined),
    create: (settings) => createEchoAdapter(settings, wire),
    docs: [
      {
        names: ['ECHO_TOKEN'],
        comment: ['The token every webhook call carries. Turns Echo on. Secret.'],
        meaning: 'enables Echo',
        default: 'unset: Echo off',
      },
      {
        names: ['ECHO_SIGNATURE_HEADER'],
        comment: ['The header that carries it.'],
        examples: { ECHO_SIGNATURE_HEADER: 'x-echo-token' },
        meaning: 'the header that carries the token',
        default: '`x-echo-token`',
      },
    ],
  });
}
