/**
 * A local fake of the Aksita agent API (`../shared/aksita-api.md`): `POST /api/session` and
 * `POST /api/chat` with the real envelopes and status codes, plus knobs for latency, scripted
 * failures (5xx bursts, malformed bodies, hangs, resets), forgotten conversations, exhausted
 * credits and bad keys, and a gate that holds agent calls in flight. No logging; O(1) per request.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Gate, Gates, listen, readBody, sendJson, sendRaw, waitFor } from './http.ts';

/** What `reply` learns about the call it answers. */
export interface ReplyContext {
  conversationId: string;
  additionalContext?: string;
  /** 1 for the first answered message of this conversation, then 2, 3, … */
  turn: number;
}

/** One-shot behaviour for the next `/api/chat` call (see `FakeAksita.script`). */
export type Step =
  /** Answer this HTTP status with `{status:false, reason}` (and a `Retry-After` header when given). */
  | { status: number; reason?: string; retryAfter?: string }
  /**
   * Answer 200 with a body that is not JSON, `{status:false}`, or a `response` that is a number (all
   * unbilled); or, billed like a real answer (credits charged and reported), a `response` that is one
   * string (`string-response`) or an array of objects (`object-response`).
   */
  | { malformed: 'not-json' | 'status-false' | 'response-not-array' | 'string-response' | 'object-response' }
  /** Never answer (until the client aborts or the fake closes). */
  | { hang: true }
  /** Destroy the socket without answering. */
  | { reset: true }
  /** Answer normally, after this delay. */
  | { delayMs: number };

export interface FakeAksitaOptions {
  /** Accepted `X-API-Key` values. Default `{'test-key'}`. */
  validKeys: Set<string>;
  /** Credit balance. Default 10000. */
  balance: number;
  /** Credits one answered chat costs. Default 15. */
  creditsPerCall: number;
  /** Delay before every `/api/chat` answer, ms. Default 0. */
  latencyMs: number;
  /** Computes the agent's messages. Default: `[\`echo: ${message}\`]`. */
  reply: (message: string, context: ReplyContext) => string[] | Promise<string[]>;
  /**
   * While set, every request (sessions and chats) fails this way instead of being answered: an HTTP
   * status (with `Retry-After` when given), or `hang` (never answered until the client gives up).
   * Default null.
   */
  down: { status: number; retryAfter?: string } | { hang: true } | null;
}

/** One `/api/chat` request whose body parsed as JSON. */
export interface ChatRecord {
  conversationId: string;
  message: string;
  additionalContext?: string;
  /** The `X-API-Key` it carried ('' when none). */
  apiKey: string;
  /** Epoch ms when it arrived. */
  at: number;
  /** HTTP status answered (also when the client had gone); 0 while unanswered, and for `hang`/`reset`. */
  outcome: number;
}

export interface FakeAksita extends FakeAksitaOptions {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  /** Every parsed `/api/chat` request, in arrival order. */
  readonly chats: ChatRecord[];
  /** Conversation ids created by `/api/session`, in order. */
  readonly sessions: string[];
  /** Number of HTTP requests received (any path). */
  readonly requests: number;
  /** `/api/session` requests refused because the fake was `down`. */
  readonly sessionFailures: number;
  /** Queues one-shot behaviours for the next `/api/chat` calls, in order. */
  script(...steps: Step[]): void;
  /** Forgets one conversation (or all): the next chat on it gets 404. */
  forget(conversationId?: string): void;
  /**
   * Holds every `/api/chat` request until all gates are released; then each is answered normally (and
   * charged) even if its client went away meanwhile, as a real server that got the request would.
   */
  gate(): Gate;
  /** Waits until `predicate` holds; rejects naming `what` after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** Closes the server, destroying open sockets and releasing held requests. */
  close(): Promise<void>;
}

const defaultReply = (message: string): string[] => [`echo: ${message}`];

function fail(res: ServerResponse, status: number, reason: string, retryAfter?: string): number {
  sendJson(
    res,
    status,
    { status: false, reason },
    retryAfter === undefined ? {} : { 'Retry-After': retryAfter },
  );
  return status;
}

function apiKeyOf(req: IncomingMessage): string {
  const key = req.headers['x-api-key'];
  return (Array.isArray(key) ? key[0] : key) ?? '';
}

/** Starts a fake Aksita API on 127.0.0.1 (random port). */
export async function startFakeAksita(options: Partial<FakeAksitaOptions> = {}): Promise<FakeAksita> {
  /** Conversation id → answered turns so far. */
  const conversations = new Map<string, number>();
  const steps: Step[] = [];
  const gates = new Gates();
  let requests = 0;
  let sessionFailures = 0;

  const chats: ChatRecord[] = [];
  const sessions: string[] = [];

  /** Fails the request while the fake is `down`; true when it did. */
  function isDown(res: ServerResponse): boolean {
    const down = aksita.down;
    if (down === null) return false;
    if ('status' in down) fail(res, down.status, `Service unavailable (${down.status})`, down.retryAfter);
    return true;
  }

  async function session(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await readBody(req);
    if (isDown(res)) {
      sessionFailures++;
      return;
    }
    if (!aksita.validKeys.has(apiKeyOf(req))) {
      fail(res, 401, 'Invalid API key');
      return;
    }
    const conversationId = randomUUID();
    conversations.set(conversationId, 0);
    sessions.push(conversationId);
    sendJson(res, 200, {
      status: true,
      data: { conversation_id: conversationId },
      detail: 'Session created successfully',
    });
  }

  async function chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const apiKey = apiKeyOf(req);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    let record: ChatRecord | undefined;
    if (body !== undefined) {
      record = {
        conversationId: typeof fields.conversation_id === 'string' ? fields.conversation_id : '',
        message: typeof fields.message === 'string' ? fields.message : '',
        apiKey,
        at: Date.now(),
        outcome: 0,
      };
      if (typeof fields.additional_context === 'string') record.additionalContext = fields.additional_context;
      chats.push(record);
    }
    const down = aksita.down;
    if (isDown(res)) {
      if (record && down && 'status' in down) record.outcome = down.status;
      return;
    }
    const step = steps.shift();
    await gates.hold();
    if (aksita.latencyMs > 0) await server.delay(aksita.latencyMs);
    if (server.closed) return;
    const status = await answer(req, res, step, body, fields, apiKey);
    if (record) record.outcome = status;
  }

  /** Answers one chat call; returns the status sent (0 when none was). */
  async function answer(
    req: IncomingMessage,
    res: ServerResponse,
    step: Step | undefined,
    body: unknown,
    fields: Record<string, unknown>,
    apiKey: string,
  ): Promise<number> {
    if (step) {
      if ('hang' in step) return 0;
      if ('reset' in step) {
        req.socket.destroy();
        return 0;
      }
      if ('status' in step)
        return fail(res, step.status, step.reason ?? `Scripted error ${step.status}`, step.retryAfter);
      if ('malformed' in step) {
        if (step.malformed === 'not-json') {
          sendRaw(res, 200, 'text/html', '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>');
        } else if (step.malformed === 'status-false') {
          sendJson(res, 200, { status: false });
        } else if (step.malformed === 'response-not-array') {
          sendJson(res, 200, { status: true, data: { response: 42 } });
        } else {
          aksita.balance -= aksita.creditsPerCall;
          const text = typeof fields.message === 'string' ? `echo: ${fields.message}` : 'echo';
          sendJson(res, 200, {
            status: true,
            data: {
              response: step.malformed === 'string-response' ? text : [{ type: 'text', text }],
              credits: aksita.creditsPerCall,
              remaining_credits: aksita.balance,
              message_id: `msg-${randomUUID()}`,
            },
            detail: 'Response generated successfully',
          });
        }
        return 200;
      }
      await server.delay(step.delayMs);
      if (server.closed) return 0;
    }
    if (!aksita.validKeys.has(apiKey)) return fail(res, 401, 'Invalid API key');
    if (body === undefined || typeof body !== 'object' || body === null || Array.isArray(body)) {
      return fail(res, 400, 'Malformed JSON body');
    }
    const { conversation_id: conversationId, message, additional_context: additionalContext } = fields;
    if (typeof conversationId !== 'string' || conversationId === '') {
      return fail(res, 400, 'conversation_id is required');
    }
    if (typeof message !== 'string' || message.trim() === '') return fail(res, 400, 'message is required');
    if (additionalContext !== undefined && typeof additionalContext !== 'string') {
      return fail(res, 400, 'additional_context must be a string');
    }
    const turns = conversations.get(conversationId);
    if (turns === undefined) return fail(res, 404, 'Conversation not found');
    const cost = aksita.creditsPerCall;
    if (aksita.balance < cost) return fail(res, 402, 'Insufficient credits');
    // Reserve before computing the reply, so concurrent calls cannot overdraw.
    aksita.balance -= cost;
    conversations.set(conversationId, turns + 1);
    let response: string[];
    try {
      const context: ReplyContext = { conversationId, turn: turns + 1 };
      if (additionalContext !== undefined) context.additionalContext = additionalContext;
      response = await aksita.reply(message, context);
    } catch {
      aksita.balance += cost;
      return fail(res, 500, 'Internal server error');
    }
    sendJson(res, 200, {
      status: true,
      data: {
        response,
        credits: cost,
        remaining_credits: aksita.balance,
        message_id: `msg-${randomUUID()}`,
        conversation_id: conversationId,
      },
      detail: 'Response generated successfully',
    });
    return 200;
  }

  const server = await listen((req, res) => {
    requests++;
    const path = req.url?.split('?', 1)[0];
    if (path !== '/api/session' && path !== '/api/chat') return void fail(res, 404, 'Not found');
    if (req.method !== 'POST') return void fail(res, 405, 'Method not allowed');
    return path === '/api/session' ? session(req, res) : chat(req, res);
  });

  const aksita: FakeAksita = {
    validKeys: options.validKeys ?? new Set(['test-key']),
    balance: options.balance ?? 10_000,
    creditsPerCall: options.creditsPerCall ?? 15,
    latencyMs: options.latencyMs ?? 0,
    reply: options.reply ?? defaultReply,
    down: options.down ?? null,
    url: server.url,
    chats,
    sessions,
    get requests() {
      return requests;
    },
    get sessionFailures() {
      return sessionFailures;
    },
    script(...more: Step[]) {
      steps.push(...more);
    },
    forget(conversationId?: string) {
      if (conversationId === undefined) conversations.clear();
      else conversations.delete(conversationId);
    },
    gate: () => gates.gate(),
    waitFor,
    async close() {
      const closing = server.close();
      gates.releaseAll();
      await closing;
    },
  };
  return aksita;
}
