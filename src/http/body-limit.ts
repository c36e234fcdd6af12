/**
 * What a request body may cost the bridge before anything in it is trusted. A route that reads a body
 * checks its headers first (`HttpRoute.screen`: signature present, timestamp fresh, secret right) and
 * reads nothing when they fail; at most `MAX_BODY_READS` bodies are read at once, beyond that the
 * request is answered 503 with `Retry-After` (Slack and Telegram send it again); a body is read as a
 * stream and refused with 413 the moment it passes its limit, chunked or not, whatever its
 * `Content-Length` says; one that has not arrived within `BODY_READ_DEADLINE_MS` is refused with 408.
 * After a refusal, @hono/node-server discards what more of the body comes for at most 500 ms (and
 * 64 MiB), then closes the connection: reading on a little lets the client see the answer, where an
 * abrupt close would reset the connection before it could. The Node server's own timeouts
 * (`HTTP_SERVER_TIMEOUTS`) cut slow headers and slow requests on every route.
 */
import type { ServerOptions } from 'node:http';
import type { MiddlewareHandler } from 'hono';

/** Largest body a route reads unless it says otherwise (`HttpRoute.maxBodyBytes`), bytes. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** How many bodies the process reads at once, over every route. */
export const MAX_BODY_READS = 32;
/** How long a body may take to arrive once its headers have, ms. */
export const BODY_READ_DEADLINE_MS = 10_000;
/** `Retry-After` of the 503 answered while `MAX_BODY_READS` bodies are being read, s. */
export const BUSY_RETRY_AFTER_SECONDS = 2;

/**
 * Node's server timeouts (its defaults are 60 s for headers and 300 s for a whole request, checked
 * every 30 s): headers must arrive within 10 s and a whole request within 20 s, checked every second.
 */
export const HTTP_SERVER_TIMEOUTS = {
  headersTimeout: 10_000,
  requestTimeout: 20_000,
  connectionsCheckingInterval: 1_000,
} as const satisfies ServerOptions;

/** A counting semaphore that never waits: a read either gets a slot now or is refused. */
export class BodyReadSlots {
  #free: number;

  constructor(readonly size: number) {
    this.#free = size;
  }

  /** Takes a slot; false when all are taken. */
  tryTake(): boolean {
    if (this.#free === 0) return false;
    this.#free--;
    return true;
  }

  release(): void {
    this.#free = Math.min(this.size, this.#free + 1);
  }

  /** Slots taken now. */
  get taken(): number {
    return this.size - this.#free;
  }
}

/** The slots every route of this process shares. */
const processSlots = new BodyReadSlots(MAX_BODY_READS);

/** A body read in full, or why reading it stopped. */
export type BodyRead =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; reason: 'too-large' | 'too-slow' | 'broken' };

/**
 * Reads `body` up to `maxBytes`, stopping as soon as it is longer or `deadlineMs` has passed, or when
 * the client went away while sending it (`broken`).
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  deadlineMs: number,
): Promise<BodyRead> {
  if (!body) return { ok: true, bytes: new Uint8Array(0) };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), deadlineMs);
  });
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), expired]).catch(() => 'broken' as const);
      if (next === 'broken') return { ok: false, reason: 'broken' };
      if (next === 'expired') return { ok: false, reason: 'too-slow' };
      if (next.done) break;
      size += next.value.byteLength;
      if (size > maxBytes) return { ok: false, reason: 'too-large' };
      chunks.push(next.value);
    }
  } finally {
    clearTimeout(timer);
  }
  return { ok: true, bytes: chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks) };
}

export interface BodyLimitOptions {
  /** Largest body read, bytes. Default `DEFAULT_BODY_LIMIT` (1 MiB). */
  maxBytes?: number;
  /** How long the body may take to arrive, ms. Default `BODY_READ_DEADLINE_MS` (10 s). */
  deadlineMs?: number;
  /** Checks the headers before any of the body is read; a Response refuses the request unread. */
  screen?: (headers: Headers) => Response | undefined;
  /** The slots bounding reads at once. Default: the process's `MAX_BODY_READS`. */
  slots?: BodyReadSlots;
}

/**
 * Hono middleware: reads the body of a request (other than GET and HEAD) within the limits above and
 * hands the next handler a request carrying the bytes read, so `c.req.raw`, `c.req.json()` and the
 * like never read the network again.
 */
export function limitBody(options: BodyLimitOptions = {}): MiddlewareHandler {
  const maxBytes = options.maxBytes ?? DEFAULT_BODY_LIMIT;
  const deadlineMs = options.deadlineMs ?? BODY_READ_DEADLINE_MS;
  const slots = options.slots ?? processSlots;
  return async (c, next) => {
    const request = c.req.raw;
    if (request.method === 'GET' || request.method === 'HEAD') return next();
    const refused = options.screen?.(request.headers);
    if (refused) return refused;
    if (Number(request.headers.get('content-length') ?? 0) > maxBytes)
      return new Response(null, { status: 413 });
    if (!slots.tryTake()) {
      return new Response(null, {
        status: 503,
        headers: { 'Retry-After': String(BUSY_RETRY_AFTER_SECONDS) },
      });
    }
    let read: BodyRead;
    try {
      read = await readCapped(request.body, maxBytes, deadlineMs);
    } finally {
      slots.release();
    }
    if (!read.ok) return new Response(null, { status: REFUSAL_STATUS[read.reason] });
    c.req.raw = new Request(request.url, {
      method: request.method,
      headers: request.headers,
      body: read.bytes,
      signal: request.signal,
    });
    return next();
  };
}

/** The answer to a body not read in full. */
const REFUSAL_STATUS = { 'too-large': 413, 'too-slow': 408, broken: 400 } as const;
