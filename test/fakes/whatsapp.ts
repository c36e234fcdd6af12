/**
 * A local fake of WhatsApp's Cloud API for the bridge's Graph client: `POST /{version}/{phone-number-id}/messages`
 * (a text message, or `status: "read"` with an optional `typing_indicator`), `GET
 * /{version}/{phone-number-id}` as "who am I", `Authorization: Bearer <token>` checked on each call,
 * and refusals with Meta's own error bodies and HTTP statuses (`whatsapp-wire.ts`). It is also Meta's
 * webhook sender: bodies signed with the app secret (`X-Hub-Signature-256`), the `GET` verification
 * handshake, a non-200 answer retried with a growing delay as Meta does, and `statuses` callbacks for
 * what it accepted (`sent`, `delivered`, or `failed` with `errors[]` for a send refused after it was
 * accepted, like 131047 outside the 24-hour window). Faults: scripted or lasting refusals by error
 * code, 5xx, a revoked token, sends never answered, connections cut. No logging; O(1) work per request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Gate, Gates, listen, readBody, sendJson, sendRaw, waitFor } from './http.ts';
import {
  defaultWhatsAppOptions,
  type FakeWhatsAppOptions,
  graphError,
  hubSignature,
  messages,
  type WaMessage,
  type WaStatus,
  wamid,
  waStatus,
  webhookBody,
} from './whatsapp-wire.ts';

export type { FakeWhatsAppOptions, WaMessage, WaStatus };
export { graphError, hubSignature, waStatus, webhookBody };

/** What a send gets (see `script`, `failSends`, `refuseUser`). */
export type SendStep =
  /** Refused at once with this Cloud API error code (status and body as Meta answers it). */
  | { error: number; status?: number }
  /** Accepted (a `wamid` answered), then reported `failed` with this code in a `statuses` webhook. */
  | { failLater: number }
  /** This HTTP status with a non-JSON body (a front end's error page). */
  | { status: number }
  /** Never answered; dropped when the client goes away. */
  | { hold: true }
  /** The connection is cut without an answer. */
  | { reset: true }
  /** Processed as usual (lets a script pass a send). */
  | { pass: true };

/** A message the business sent. */
export interface SentMessage {
  to: string;
  text: string;
  /** `context.message_id`: the message it quotes. */
  replyTo?: string;
  id: string;
  at: number;
}

/** A `status: "read"` call. */
export interface ReadMark {
  messageId: string;
  typing: boolean;
  at: number;
}

/** One POST of the webhook sender and what the bridge answered. */
export interface Delivery {
  status: number;
  attempt: number;
  at: number;
}

export interface DeliverOptions {
  /** Signs with this secret instead of the app's. */
  secret?: string;
  /** Sends a signature that does not match the body. */
  badSignature?: boolean;
  /** Sends no signature header. */
  unsigned?: boolean;
  /** Tries in all before giving up on a non-200 (Meta keeps trying for days). Default 1. */
  attempts?: number;
}

export interface FakeWhatsApp extends FakeWhatsAppOptions {
  /** `http://127.0.0.1:PORT`: the `WHATSAPP_API_ROOT`. */
  readonly url: string;
  /** The Graph API version in the path the fake serves. */
  readonly version: string;
  readonly sent: SentMessage[];
  readonly reads: ReadMark[];
  /** Every send request: HTTP status and Cloud API error code answered. */
  readonly sendAttempts: Array<{ status: number; code?: number; at: number }>;
  /** Every webhook POST, in order. */
  readonly deliveries: Delivery[];
  /** Calls per route: `messages`, `read`, `whoami`. */
  readonly calls: Map<string, number>;
  /** Texts sent to `waId`, in order. */
  sentTo(waId: string): string[];
  /** Queues one-shot behaviours for the next sends, in order. */
  script(...steps: SendStep[]): void;
  /** Every send not consumed by `script` gets `step` until `failSends(null)`. */
  failSends(step: SendStep | null): void;
  /** Every send to `waId` gets `step` until `refuseUser(waId, null)` (e.g. `{ failLater: 131047 }`). */
  refuseUser(waId: string, step: SendStep | null): void;
  /** From now on every call answers 401 with code 190 (expired or revoked token); false accepts it again. */
  revokeToken(revoked?: boolean): void;
  /** Longest `text.body` accepted (code 100 beyond). Default 4096. */
  maxTextLength: number;
  /** Where `statuses` callbacks go; none until set. */
  webhookUrl: string | undefined;
  /** Whether an accepted send is followed by `sent` and `delivered` statuses. Default false. */
  reportDelivered: boolean;
  /** First delay of the sender's retries, ms (Meta's is minutes; doubled on each try). Default 20. */
  retryBaseMs: number;
  /** Sends held unanswered now. */
  readonly heldSends: number;
  /** Holds every send until all gates are released. */
  gate(): Gate;
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Signs and POSTs a raw body to `url`, retrying a non-200 as asked; resolves with the last status. */
  deliver(url: string, body: string, options?: DeliverOptions): Promise<number>;
  /** Wraps `messages` from users in a webhook body and delivers it. */
  sendMessages(
    url: string,
    list: WaMessage[],
    options?: DeliverOptions & { names?: Record<string, string> },
  ): Promise<number>;
  /** Delivers a webhook body with `statuses`. */
  sendStatuses(url: string, list: WaStatus[], options?: DeliverOptions): Promise<number>;
  /** Meta's verification handshake; resolves with the status and the plain-text body. */
  verify(
    url: string,
    input?: { mode?: string; token?: string; challenge?: string },
  ): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/** Starts a fake WhatsApp Cloud API on 127.0.0.1 (random port). */
export async function startFakeWhatsApp(
  options: Partial<FakeWhatsAppOptions> & { version?: string } = {},
): Promise<FakeWhatsApp> {
  const { version = 'v23.0', ...rest } = options;
  const o: FakeWhatsAppOptions = { ...defaultWhatsAppOptions, ...rest };
  const steps: SendStep[] = [];
  const gates = new Gates();
  const refused = new Map<string, SendStep>();
  let failing: SendStep | null = null;
  let revoked = false;
  let heldSends = 0;
  const count = (route: string) => fake.calls.set(route, (fake.calls.get(route) ?? 0) + 1);
  const refuse = (res: ServerResponse, code: number, status?: number, details?: string) => {
    const reply = graphError(code, { ...(status !== undefined && { status }), ...(details && { details }) });
    const auth: Record<string, string> =
      code === 190 ? { 'WWW-Authenticate': 'OAuth "Facebook Platform" "invalid_token"' } : {};
    sendJson(res, reply.status, reply.body, auth);
    return reply.status;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const raw = await readBody(req);
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== o.token || revoked) {
      refuse(res, 190, 401, bearer ? undefined : 'An access token is required to request this resource.');
      return;
    }
    if (req.method === 'GET' && path === `/${version}/${o.phoneNumberId}`) {
      count('whoami');
      return sendJson(res, 200, {
        verified_name: o.verifiedName,
        code_verification_status: 'VERIFIED',
        display_phone_number: `+${o.displayPhoneNumber}`,
        quality_rating: 'GREEN',
        platform_type: 'CLOUD_API',
        throughput: { level: 'STANDARD' },
        id: o.phoneNumberId,
      });
    }
    if (req.method !== 'POST' || path !== `/${version}/${o.phoneNumberId}/messages`) {
      refuse(res, 100, 400, `Unsupported ${req.method} request. Object with ID does not exist.`);
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      refuse(res, 100, 400, 'The request body is not JSON.');
      return;
    }
    if (body.messaging_product !== 'whatsapp') {
      refuse(res, 100, 400, 'The parameter messaging_product is required.');
      return;
    }
    if (body.status === 'read') return markRead(body, res);
    return sendMessage(body, res, req);
  }

  function markRead(body: Record<string, unknown>, res: ServerResponse): void {
    count('read');
    if (typeof body.message_id !== 'string' || !body.message_id.startsWith('wamid.')) {
      refuse(res, 100, 400, 'Invalid message_id.');
      return;
    }
    const typing = (body.typing_indicator as { type?: unknown } | undefined)?.type === 'text';
    fake.reads.push({ messageId: body.message_id, typing, at: Date.now() });
    sendJson(res, 200, { success: true });
  }

  async function sendMessage(body: Record<string, unknown>, res: ServerResponse, req: IncomingMessage) {
    count('messages');
    const to = typeof body.to === 'string' ? body.to : '';
    const step = steps.shift() ?? failing ?? refused.get(to);
    if (gates.closed) await gates.hold();
    const attempt: FakeWhatsApp['sendAttempts'][number] = { status: 200, at: Date.now() };
    fake.sendAttempts.push(attempt);
    if (step && 'hold' in step) {
      attempt.status = 0;
      heldSends++;
      res.on('close', () => heldSends--);
      return;
    }
    if (step && 'reset' in step) {
      attempt.status = 0;
      req.socket.destroy();
      return;
    }
    if (step && 'error' in step) {
      attempt.code = step.error;
      attempt.status = refuse(res, step.error, step.status);
      return;
    }
    if (step && 'status' in step) {
      attempt.status = step.status;
      return sendRaw(res, step.status, 'text/html', '<html><body>Sorry, something went wrong.</body></html>');
    }
    const text = (body.text as { body?: unknown } | undefined)?.body;
    const detail =
      body.type !== 'text' || !/^\d{6,15}$/.test(to)
        ? 'Invalid parameter: to and type text are required.'
        : typeof text !== 'string' || text === ''
          ? "The parameter text['body'] is required."
          : text.length > fake.maxTextLength
            ? `Param text['body'] must be at most ${fake.maxTextLength} characters long.`
            : undefined;
    if (detail) {
      attempt.code = 100;
      attempt.status = refuse(res, 100, 400, detail);
      return;
    }
    const id = wamid();
    const replyTo = (body.context as { message_id?: unknown } | undefined)?.message_id;
    if (!step || 'pass' in step) {
      fake.sent.push({
        to,
        text: text as string,
        ...(typeof replyTo === 'string' && { replyTo }),
        id,
        at: Date.now(),
      });
    }
    sendJson(res, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: to, wa_id: to }],
      messages: [{ id }],
    });
    const url = fake.webhookUrl;
    if (!url) return;
    const later: WaStatus[] =
      step && 'failLater' in step
        ? [waStatus('failed', id, to, step.failLater)]
        : fake.reportDelivered
          ? [waStatus('sent', id, to), waStatus('delivered', id, to)]
          : [];
    if (later.length > 0) fake.sendStatuses(url, later, { attempts: 5 }).catch(() => {});
  }

  const server = await listen(handle);

  const fake: FakeWhatsApp = {
    ...o,
    url: server.url,
    version,
    sent: [],
    reads: [],
    sendAttempts: [],
    deliveries: [],
    calls: new Map(),
    sentTo: (waId) => fake.sent.filter((m) => m.to === waId).map((m) => m.text),
    script: (...more) => {
      steps.push(...more);
    },
    failSends: (step) => {
      failing = step;
    },
    refuseUser: (waId, step) => {
      if (step) refused.set(waId, step);
      else refused.delete(waId);
    },
    revokeToken: (value = true) => {
      revoked = value;
    },
    maxTextLength: 4096,
    webhookUrl: undefined,
    reportDelivered: false,
    retryBaseMs: 20,
    get heldSends() {
      return heldSends;
    },
    gate: () => gates.gate(),
    waitFor,
    async deliver(url, body, opts = {}) {
      const signature = hubSignature(opts.secret ?? o.appSecret, body);
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (!opts.unsigned) {
        headers['X-Hub-Signature-256'] = opts.badSignature
          ? signature.replace(/.$/, (c) => (c === '0' ? '1' : '0'))
          : signature;
      }
      const attempts = opts.attempts ?? 1;
      let status = 0;
      for (let attempt = 1; attempt <= attempts && !server.closed; attempt++) {
        if (attempt > 1) await server.delay(fake.retryBaseMs * 2 ** (attempt - 2));
        status = await fetch(url, { method: 'POST', headers, body }).then(
          async (res) => {
            await res.arrayBuffer();
            return res.status;
          },
          () => 0,
        );
        fake.deliveries.push({ status, attempt, at: Date.now() });
        if (status === 200) break;
      }
      return status;
    },
    sendMessages: (url, list, opts = {}) =>
      fake.deliver(
        url,
        JSON.stringify(webhookBody(o, { messages: list, ...(opts.names && { names: opts.names }) })),
        opts,
      ),
    sendStatuses: (url, list, opts = {}) =>
      fake.deliver(url, JSON.stringify(webhookBody(o, { statuses: list })), opts),
    async verify(url, input = {}) {
      const query = new URLSearchParams({
        'hub.mode': input.mode ?? 'subscribe',
        'hub.verify_token': input.token ?? o.verifyToken,
        'hub.challenge': input.challenge ?? '1158201444',
      });
      const res = await fetch(`${url}?${query}`);
      return { status: res.status, body: await res.text() };
    },
    async close() {
      gates.releaseAll();
      await server.close();
    },
  };
  return fake;
}

/** The message builders, re-exported for tests that import only the fake. */
export const waMessages = messages;
