/**
 * Shared plumbing of the wire-level fakes: an HTTP server on 127.0.0.1 with a port picked by the OS,
 * body reading, JSON replies, deadline-bound waiting, and gates that hold requests. Nothing here logs
 * or does per-request work beyond what a reply needs, so the fakes can serve a benchmark.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Handles one request; a thrown error becomes a plain 500 (the fakes answer their own errors). */
export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** A listening fake server. */
export interface FakeServer {
  /** The node:http server. */
  server: Server;
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  /** True once `close` was called. */
  readonly closed: boolean;
  /** Resolves after `ms`, or at once when the server closes (callers then check `closed`). */
  delay(ms: number): Promise<void>;
  /** Stops listening, destroys every open socket and wakes every `delay`. */
  close(): Promise<void>;
}

/** Starts `handler` on 127.0.0.1, port 0. */
export async function listen(handler: Handler): Promise<FakeServer> {
  let closed = false;
  const sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  const run = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      await handler(req, res);
    } catch {
      sendJson(res, 500, { error: 'fake server error' });
    }
  };
  const server = createServer((req, res) => void run(req, res));
  // Keep idle keep-alive sockets open: clients (grammY's agent, undici) then never reuse a socket the
  // server is closing at that instant, a source of flaky ECONNRESETs. `close` destroys them all.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    get closed() {
      return closed;
    },
    delay(ms) {
      if (closed) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const sleeper = {
          timer: setTimeout(() => sleeper.wake(), ms),
          wake: () => {
            clearTimeout(sleeper.timer);
            sleepers.delete(sleeper);
            resolve();
          },
        };
        sleepers.add(sleeper);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const sleeper of [...sleepers]) sleeper.wake();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
    },
  };
}

/** Reads the whole request body as UTF-8. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Answers `status` with a JSON body, unless the client is already gone. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendRaw(res, status, 'application/json', JSON.stringify(body), headers);
}

/** Answers `status` with a raw body of the given content type, unless the client is already gone. */
export function sendRaw(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    ...headers,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * Polls `predicate` every 5 ms until it holds; rejects with an error naming `what` once `timeoutMs`
 * passed. An exception from the predicate rejects at once.
 */
export function waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      try {
        if (predicate()) return resolve();
      } catch (err) {
        return reject(err);
      }
      if (Date.now() >= deadline)
        return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(check, 5);
    };
    check();
  });
}

/** A closed gate; `release` opens it (idempotent). */
export interface Gate {
  release(): void;
}

/** Any number of gates; requests `hold()` while at least one is closed. */
export class Gates {
  #closedCount = 0;
  #waiting: Array<() => void> = [];

  /** Closes a new gate. */
  gate(): Gate {
    this.#closedCount++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#closedCount--;
        if (this.#closedCount === 0) this.releaseAll();
      },
    };
  }

  /** True while at least one gate is closed. */
  get closed(): boolean {
    return this.#closedCount > 0;
  }

  /** Resolves once no gate is closed (at once when none is). */
  hold(): Promise<void> {
    if (this.#closedCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Lets every held request through (used on close); gates stay counted. */
  releaseAll(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const wake of waiting) wake();
  }
}
