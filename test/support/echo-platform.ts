/**
 * A platform that exists only in the tests, to show that a platform is one descriptor plugged into
 * the registry: `ECHO_TOKEN` turns it on (with `AKSITA_API_KEY_ECHO`, `ECHO_SIGNATURE_HEADER` and
 * `ADMIN_USERS=echo:<id>` handled by the registry like any platform's), it receives over a webhook
 * on the bridge's HTTP server (`POST /echo/webhook`, checked against its token before the body is
 * read, answered 200 only once the message is stored) as WhatsApp will, and what it sends is kept in
 * memory (`EchoWire.sent`), where a test reads what the user sees. It writes plain text (its dialect
 * writes no markup) within 1,000 characters, and its wire can be told to refuse the next sends as a
 * platform would (a rate limit, a server error).
 */
import { z } from 'zod';
import { definePlatform } from '../../adapters/shared/platform.ts';
import { optionalSecret } from '../../src/config-values.ts';
import type { Adapter, Address, Dialect, Inbound, IncomingMessage } from '../../src/core/contract.ts';
import { PlatformError } from '../../src/core/errors.ts';

/** The path of the echo platform's webhook. */
export const ECHO_WEBHOOK_PATH = '/echo/webhook';
/** Longest message the echo platform takes, in characters. */
export const ECHO_MAX_MESSAGE = 1_000;

/** One message the echo adapter sent. */
export interface EchoSent {
  /** The chat it went to (a user id for a direct message). */
  chat: string;
  /** Its text. */
  text: string;
}

/** How the echo platform answers one send: as usual, a rate limit, or a server error. */
export type EchoSendStep = { pass: true } | { status: 429; retryAfterSeconds: number } | { status: 500 };

/** What the echo platform's "servers" saw: every message sent, by every adapter built. */
export class EchoWire {
  /** Every message sent, in order. */
  readonly sent: EchoSent[] = [];
  /** Every send tried, in order: its chat, the status the platform answered and when. */
  readonly attempts: Array<{ chat: string; status: number; at: number }> = [];
  /** What the next sends get, in order (then they pass). */
  readonly #script: EchoSendStep[] = [];
  /** The texts sent to `chat`, in order. */
  sentTo(chat: string): string[] {
    return this.sent.filter((s) => s.chat === chat).map((s) => s.text);
  }
  /** Queues one-shot answers for the next sends, in order. */
  script(...steps: EchoSendStep[]): void {
    this.#script.push(...steps);
  }
  /** Takes a send as the platform would: kept, or refused as the script says. */
  take(chat: string, text: string): void {
    const step = this.#script.shift() ?? { pass: true };
    const status = 'status' in step ? step.status : 200;
    this.attempts.push({ chat, status, at: Date.now() });
    if ('pass' in step) this.sent.push({ chat, text });
    else if (step.status === 429)
      throw new PlatformError('echo: 429 too many requests', { retryAfterMs: step.retryAfterSeconds * 1000 });
    else throw new PlatformError('echo: 500 server error', { kind: 'transient' });
  }
}

/** One user message as the echo webhook takes it; `text: null` is a message without text (a photo). */
interface EchoUpdate {
  id: string;
  chat: string;
  user: string;
  text: string | null;
}

const updateSchema = z.object({
  id: z.string(),
  chat: z.string(),
  user: z.string(),
  text: z.string().nullable(),
});

/** Writes text as it is: the echo platform shows no markup. */
const write = (out: Parameters<Dialect['text']>[0], text: string) => out.text(text);
const none = { open: '', close: '' };

/** The echo platform's dialect: plain text, lists as `•` lines. */
const echoPlain: Dialect = {
  text: write,
  code: write,
  strong: none,
  em: none,
  strike: none,
  inlineCode: () => null,
  link: () => null,
  bareUrl: write,
  richLinkText: false,
  heading: () => ({ span: none, strong: true }),
  quote: { open: '> ', close: '', linePrefix: '> ' },
  codeBlock: () => ({ open: '', close: '', code: true }),
  item: (marker) => ({ open: `${marker} `, reopen: '  ', close: '', linePrefix: '  ', indent: true }),
};

/** `/name args` as a command, as Telegram's are. */
function commandOf(text: string | null): IncomingMessage['command'] {
  const match = text === null ? null : /^\/([a-z]+)\s*(.*)$/is.exec(text.trim());
  return match ? { name: (match[1] as string).toLowerCase(), args: (match[2] as string).trim() } : undefined;
}

function normalizeEcho(update: EchoUpdate): IncomingMessage {
  const command = commandOf(update.text);
  return {
    id: `echo:${update.id}`,
    platform: 'echo',
    thread: `echo:${update.chat}`,
    address: { channel: update.chat },
    messageId: update.id,
    chatType: 'direct',
    addressed: true,
    text: command ? command.args : update.text,
    ...(command && { command }),
    user: { id: update.user, displayName: `user ${update.user}` },
    sentAt: Date.now(),
  };
}

function createEchoAdapter(settings: { token: string; header: string }, wire: EchoWire): Adapter {
  let inbound: Inbound | undefined;
  const post = async (chat: string, text: string) => wire.take(chat, text);
  return {
    platform: 'echo',
    capabilities: {
      typing: false,
      typingRenewMs: 5_000,
      format: echoPlain,
      maxMessageLength: ECHO_MAX_MESSAGE,
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
