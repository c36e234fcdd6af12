/**
 * The Aksita API client: `POST /api/session` and `POST /api/chat` over undici's `request` (leaner than
 * `fetch`: no web streams per call) through one keep-alive connection pool, each with a timeout. Every failure becomes an `AgentError` saying what kind it is; a reply that is not the
 * documented shape is `malformed` (retryable), never passed on.
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
};

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
    const data = (await this.#post('/api/chat', body, signal)) as Record<string, unknown>;
    const response = data.response;
    if (!Array.isArray(response) || !response.every((part) => typeof part === 'string')) {
      throw new AgentError('malformed', 200, 'reply has no response array of strings');
    }
    return {
      response,
      credits: typeof data.credits === 'number' ? data.credits : 0,
      remainingCredits: typeof data.remaining_credits === 'number' ? data.remaining_credits : Number.NaN,
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
      text = await res.body.text();
    } catch (err) {
      if (timedOut)
        throw new AgentError('timeout', undefined, `no answer within ${this.#options.timeoutMs} ms`);
      if (signal?.aborted) throw new AgentError('network', undefined, 'aborted by the bridge');
      const { code, cause } = err as { code?: string; cause?: { code?: string } };
      throw new AgentError('network', undefined, cause?.code ?? code ?? (err as Error).message);
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
      throw new AgentError(code, status, reason || `HTTP ${status}`);
    }
    if (json === undefined) throw new AgentError('malformed', status, 'reply is not JSON');
    if (envelope.status !== true || typeof envelope.data !== 'object' || envelope.data === null) {
      throw new AgentError('malformed', status, `reply status is not true${reason ? ` (${reason})` : ''}`);
    }
    return envelope.data;
  }
}
