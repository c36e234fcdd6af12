/**
 * The fetch grammY calls the Bot API with: undici's `request` through one keep-alive pool, instead of
 * grammY's default node-fetch, which cost about an eighth of the bridge's CPU per message. grammY
 * reads nothing of the answer but `json()`, so that is all the answer offers.
 *
 * Every call gets a timeout by method (undici's `headersTimeout` and `bodyTimeout`, whose timers undici
 * clears when the call ends): a call that gets no answer in time fails with undici's
 * `HeadersTimeoutError`, and its connection is closed, so a half-open connection is never reused.
 */
import { Agent, type Dispatcher, request } from 'undici';

/** Connections kept open to the Bot API; more sends at once wait for one in the pool. */
const BOT_API_CONNECTIONS = 512;

/** How long a call of `method` may wait for its answer (and for each part of its body), ms. */
export type BotApiTimeouts = (method: string) => number;

/** A keep-alive pool for the Bot API (close it when the adapter stops). */
export function botApiPool(): Agent {
  return new Agent({ connections: BOT_API_CONNECTIONS, keepAliveTimeout: 10_000 });
}

/** A `fetch` for grammY's `client.fetch` over `pool`, each call bounded by `timeoutMs(method)`. */
export function botApiFetch(pool: Dispatcher, timeoutMs: BotApiTimeouts): typeof fetch {
  const botFetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const href = String(url);
    const timeout = timeoutMs(href.slice(href.lastIndexOf('/') + 1));
    const { statusCode, body } = await request(href, {
      method: (init?.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: init?.headers as Record<string, string> | undefined,
      body: init?.body as Dispatcher.DispatchOptions['body'],
      signal: init?.signal ?? undefined,
      dispatcher: pool,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    const answer = {
      ok: statusCode >= 200 && statusCode < 300,
      status: statusCode,
      // A gateway's HTML error page is no Bot API answer: say so instead of a JSON syntax error.
      json: async () => {
        const text = await body.text();
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw new Error(`HTTP ${statusCode} without a JSON answer`);
        }
      },
      text: () => body.text(),
    };
    return answer as unknown as Response;
  };
  return botFetch as typeof fetch;
}
