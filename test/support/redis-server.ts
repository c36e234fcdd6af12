/**
 * A `redis-server` of a test's own, on a free port, with whatever options the test needs (a password,
 * an eviction policy, TLS), stopped after it; and a self-signed certificate for TLS made with openssl.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../fakes/http.ts';
import { freePort } from './net.ts';

export interface OwnRedis {
  port: number;
  /** `redis://127.0.0.1:<port>` (plain, without a password). */
  url: string;
  /** Starts it again on the same port, after `kill` (a Redis restart); nothing while it runs. */
  restart(): Promise<void>;
  /** Kills it at once, as a crash does. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` with `args` on a free port (`tlsPort`: that port is the TLS port and no
 * plain one is opened) and resolves once it is ready to accept connections.
 */
export async function startOwnRedis(args: string[] = [], options: { tls?: boolean } = {}): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'aksita-own-redis-'));
  const ports = options.tls ? ['--port', '0', '--tls-port', String(port)] : ['--port', String(port)];
  let child: ChildProcess | undefined;
  const isRunning = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const start = async () => {
    if (isRunning()) return;
    let output = '';
    const started = spawn(
      'redis-server',
      [...ports, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    for (const stream of [started.stdout, started.stderr]) {
      stream?.on('data', (d: Buffer) => {
        output += d.toString();
      });
    }
    let exited = false;
    started.once('exit', () => {
      exited = true;
    });
    await waitFor(
      () => {
        if (exited) throw new Error(`redis-server ${args.join(' ')} exited:\n${output}`);
        return output.includes('Ready to accept connections');
      },
      10_000,
      `redis-server on port ${port}:\n${output}`,
    );
  };
  const kill = async () => {
    const running = child;
    if (!running || !isRunning()) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return { port, url: `redis://127.0.0.1:${port}`, restart: start, kill, stop: kill };
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost (`cert` is also the CA to trust), or
 * undefined when openssl is not installed.
 */
export function selfSignedCertificate(): { cert: string; key: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'aksita-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
  } catch {
    return undefined;
  }
  return { cert, key };
}
