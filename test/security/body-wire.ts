/**
 * Hostile HTTP clients for the body tests (loopback only): a chunked body of any size made on the fly
 * from one 64 KiB buffer, a body dribbled a byte at a time, headers dribbled the same way; and the
 * resident memory of a process, from `/proc/<pid>/status`.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';

/** What became of one hostile request. */
export interface Outcome {
  /** The status answered, or null when the connection ended without an answer. */
  status: number | null;
  /** The `Retry-After` header answered, if any. */
  retryAfter: string | null;
  /** Body bytes written before the answer came or the connection ended. */
  sent: number;
  /** From the request's start to the answer or the end of the connection, ms. */
  ms: number;
}

const CHUNK = Buffer.alloc(64 * 1024, 'x');

/** A process's resident set size (VmRSS), MiB. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  if (!Number.isFinite(kib)) throw new Error(`no VmRSS for process ${pid}`);
  return kib / 1024;
}

/** Samples a process's RSS every `everyMs` until `stop`, which gives the highest seen, MiB. */
export function watchRss(pid: number, everyMs = 50): { stop(): number } {
  let peak = rssMiB(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMiB(pid));
    } catch {
      // The process is gone: the last sample stands.
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/**
 * POSTs `totalBytes` as a chunked body (no `Content-Length`), as fast as the server takes it, until
 * the server answers or closes the connection; gives up after `giveUpMs`.
 */
export function flood(
  url: string,
  headers: Record<string, string>,
  totalBytes: number,
  giveUpMs = 60_000,
): Promise<Outcome> {
  return send(url, headers, giveUpMs, async (write, ended) => {
    for (let sent = 0; sent < totalBytes && !ended(); sent += CHUNK.length) await write(CHUNK);
  });
}

/**
 * POSTs a chunked body one byte every `everyMs` (the first at once), until the server answers or
 * closes the connection; gives up after `giveUpMs`, or when `signal` aborts.
 */
export function dribble(
  url: string,
  headers: Record<string, string>,
  everyMs: number,
  giveUpMs: number,
  signal?: AbortSignal,
): Promise<Outcome> {
  return send(
    url,
    headers,
    giveUpMs,
    async (write, ended) => {
      while (!ended()) {
        await write(Buffer.from('x'));
        await new Promise((resolve) => setTimeout(resolve, everyMs).unref());
      }
    },
    signal,
  );
}

/**
 * Opens a connection and sends a request line, then one more header byte every `everyMs`; resolves
 * with the ms until the server closed the connection (or null after `giveUpMs`) and what it said.
 */
export async function dribbleHeaders(
  port: number,
  path: string,
  everyMs: number,
  giveUpMs: number,
): Promise<{ ms: number | null; answer: string }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const started = Date.now();
  let answer = '';
  let closed = false;
  socket.on('data', (d: Buffer) => {
    answer += d.toString();
  });
  socket.on('error', () => {});
  const done = once(socket, 'close').then(() => {
    closed = true;
  });
  socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `);
  const timer = setInterval(() => socket.writable && socket.write('x'), everyMs);
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, giveUpMs))]);
  clearInterval(timer);
  socket.destroy();
  return { ms: closed ? Date.now() - started : null, answer };
}

type Writer = (write: (chunk: Buffer) => Promise<void>, ended: () => boolean) => Promise<void>;

function send(
  url: string,
  headers: Record<string, string>,
  giveUpMs: number,
  body: Writer,
  signal?: AbortSignal,
): Promise<Outcome> {
  const started = Date.now();
  let sent = 0;
  let ended = false;
  return new Promise<Outcome>((resolve) => {
    const req = request(url, { method: 'POST', headers, agent: false });
    const finish = (status: number | null, retryAfter: string | null = null) => {
      if (ended) return;
      ended = true;
      clearTimeout(giveUp);
      signal?.removeEventListener('abort', abort);
      resolve({ status, retryAfter, sent, ms: Date.now() - started });
      req.destroy();
    };
    const abort = () => finish(null);
    const giveUp = setTimeout(abort, giveUpMs);
    signal?.addEventListener('abort', abort);
    req.on('response', (res) => {
      res.resume();
      const retryAfter = res.headers['retry-after'];
      finish(res.statusCode ?? null, typeof retryAfter === 'string' ? retryAfter : null);
    });
    req.on('error', () => finish(null));
    req.on('close', () => finish(null));
    const closed = once(req, 'close').catch(() => undefined);
    const write = async (chunk: Buffer) => {
      if (ended) return;
      sent += chunk.length;
      if (!req.write(chunk)) await Promise.race([once(req, 'drain').catch(() => undefined), closed]);
    };
    body(write, () => ended)
      .then(() => {
        if (!ended) req.end();
      })
      .catch(() => finish(null));
  });
}
