/**
 * The Aksita API client: `POST /api/session` and `POST /api/chat` over undici's `request` (leaner than
 * `fetch`: no web streams per call) through one keep-alive connection pool, each with a timeout.
 * Every failure becomes an `AgentError` saying what kind it is: `timeout` (the question may have
 * reached the agent and been billed) is kept apart from `network` (refused, reset, DNS); 429 is
 * `rate_limited`, and `Retry-After` (on a 429 or a 503) is passed on. A reply that is not the
 * documented shape is `malformed`, never passed on; when it carried `credits`, the error says what
 * was billed, so the bridge records it all the same. A `response` that is one string is an answer of
 * one element.
 */
import { Agent, type Dispatcher, request } from 'undici';
import { AgentError, type AgentErrorCode } from '../core/errors.ts';

/** One successful agent reply. */
export interface AgentReply {
  /** The messages to post, in order. */
  response: string[];
  /** Credits this call used. */
  credits: number;
  /** Balance after this call. */
  remainingCredits: number;
  /** Aksita's id of the stored message. */
  messageId: string;
}

export interface AksitaClientOptions {
  /** API base, e.g. `https://api.aksita.ai`. */
  baseUrl: string;
  /** `X-API-Key` value. Never logged, never part of an error message. */
  apiKey: string;
  /** Timeout of one request, ms. */
  timeoutMs: number;
  /** The connection pool; share one between clients of the same API. Default: a pool of its own. */
  dispatcher?: Dispatcher;
}

/** A keep-alive connection pool for the Aksita API (close it when the bridge stops). */
export function aksitaPool(): Agent {
  // As many connections as calls in flight (bounded by WORKER_CONCURRENCY); idle ones close after 10 s.
  return new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 });
}

const STATUS_CODES: Record<number, AgentErrorCode> = {
  400: 'bad-request',
  401: 'unauthorized',
  402: 'payment-required',
  403: 'forbidden',
  404: 'not-found',
  429: 'rate_limited',
};

/** A `Retry-After` header (seconds or an HTTP date) in ms, capped at an hour; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  const seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : (Date.parse(value) - now) / 1000;
  if (!Number.isFinite(seconds)) return undefined;
  return Math.min(3_600_000, Math.max(0, Math.round(seconds * 1000)));
}

/** The texts of a `response`: an array of strings as documented, or one string. Null otherwise. */
function responseTexts(response: unknown): string[] | null {
  if (typeof response === 'string') return [response];
  if (Array.isArray(response) && response.every((part) => typeof part === 'string')) return response;
  return null;
}

export class AksitaClient {
  readonly #options: AksitaClientOptions;
  readonly #dispatcher: Dispatcher;

  constructor(options: AksitaClientOptions) {
    this.#options = options;
    this.#dispatcher = options.dispatcher ?? aksitaPool();
  }

  /** Creates a new conversation and returns its id. */
  async createSession(signal?: AbortSignal): Promise<string> {
    const data = await this.#post('/api/session', {}, signal);
    const id = (data as { conversation_id?: unknown }).conversation_id;
    if (typeof id !== 'string' || id === '')
      throw new AgentError('malformed', 200, 'session reply has no conversation_id');
    return id;
  }

  /** Sends one user message and returns the agent's reply. */
  async chat(
    input: { conversationId: string; message: string; additionalContext?: string },
    signal?: AbortSignal,
  ): Promise<AgentReply> {
    const body = {
      conversation_id: input.conversationId,
      message: input.message,
      ...(input.additionalContext && { additional_context: input.additionalContext }),
    };
    let data: Record<string, unknown>;
    try {
      data = (await this.#post('/api/chat', body, signal)) as Record<string, unknown>;
    } catch (err) {
      if (!(err instanceof AgentError) || err.code !== 'timeout') throw err;
      throw new AgentError(err.code, err.status, err.reason, { ...err.details, mayBeBilled: true });
    }
    const credits = typeof data.credits === 'number' && data.credits >= 0 ? data.credits : 0;
    const remainingCredits = typeof data.remaining_credits === 'number' ? data.remaining_credits : Number.NaN;
    const response = responseTexts(data.response);
    if (response === null) {
      throw new AgentError('malformed', 200, 'reply has no response array of strings', {
        ...(credits > 0 && { billed: { credits, remainingCredits } }),
      });
    }
    return {
      response,
      credits,
      remainingCredits,
      messageId: typeof data.message_id === 'string' ? data.message_id : '',
    };
  }

  async #post(path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    // A timer cleared as soon as the call ends (AbortSignal.timeout would keep one alive, with its
    // signal, for the whole timeout after every call).
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, this.#options.timeoutMs);
    const cancel = () => abort.abort();
    if (signal?.aborted) cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    let status: number;
    let text: string;
    let retryAfter: string | string[] | undefined;
    try {
      const res = await request(`${this.#options.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          'X-API-Key': this.#options.apiKey,
          'Content-Type': 'application/json',
          Accept: 'application/json',
        },
        body: JSON.stringify(body),
        signal: abort.signal,
        dispatcher: this.#dispatcher,
      });
      status = res.statusCode;
      retryAfter = res.headers['retry-after'];
      text = await res.body.text();
    } catch (err) {
      if (timedOut)
        throw new AgentError('timeout', undefined, `no answer within ${this.#options.timeoutMs} ms`);
      if (signal?.aborted) throw new AgentError('network', undefined, 'aborted by the bridge');
      const { code, cause } = err as { code?: string; cause?: { code?: string } };
      const reason = cause?.code ?? code ?? (err as Error).message;
      // undici's own header and body timeouts are timeouts too: the question may have been answered.
      const late = reason === 'UND_ERR_HEADERS_TIMEOUT' || reason === 'UND_ERR_BODY_TIMEOUT';
      throw new AgentError(late ? 'timeout' : 'network', undefined, reason);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', cancel);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const envelope = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
    const reason = typeof envelope.reason === 'string' ? envelope.reason.slice(0, 300) : '';
    if (status < 200 || status > 299) {
      const code = STATUS_CODES[status] ?? (status >= 500 ? 'server' : 'malformed');
      const wait = code === 'rate_limited' || code === 'server' ? retryAfterMs(retryAfter) : undefined;
      throw new AgentError(code, status, reason || `HTTP ${status}`, {
        ...(wait !== undefined && { retryAfterMs: wait }),
      });
    }
    if (json === undefined) throw new AgentError('malformed', status, 'reply is not JSON');
    if (envelope.status !== true || typeof envelope.data !== 'object' || envelope.data === null) {
      throw new AgentError('malformed', status, `reply status is not true${reason ? ` (${reason})` : ''}`);
    }
    return envelope.data;
  }
}
