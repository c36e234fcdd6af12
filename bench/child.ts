/**
 * The bridge as a real child process, the way it runs in production: `node dist/src/main.js`, the
 * program `npm run build` compiles, configured only by environment variables and started from an
 * empty directory so that no `.env` leaks in. Its memory is read from `/proc/<pid>/status`.
 * `BENCH_CHILD_NODE_ARGS` adds node flags to every child, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
 * (the profile is written when the child exits after SIGTERM), and `BENCH_CHILD_ENV` adds variables,
 * e.g. `MALLOC_ARENA_MAX=2` (space-separated `NAME=value` pairs).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/net.ts';

const ENTRY = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));
/** Output kept per child for error messages, characters. */
const OUTPUT_KEPT = 20_000;
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

/** Resident memory of a process, MB. */
export interface ProcessMemory {
  /** Resident set size now (`VmRSS`). */
  rssMb: number;
  /** Highest resident set size so far (`VmHWM`). */
  peakRssMb: number;
}

/** A running bridge process. */
export interface BridgeProcess {
  readonly pid: number;
  /** `all`, `receiver` or `worker`. */
  readonly role: string;
  /** Its HTTP port (health and metrics). */
  readonly port: number;
  memory(): ProcessMemory;
  /** CPU time it has used so far (user + system), s. */
  cpuSeconds(): number;
  /** `nodejs_heap_size_used_bytes` from its /metrics, MB (without a forced collection). */
  heapUsedMb(): Promise<number>;
  /** The last of what it wrote to stdout and stderr. */
  output(): string;
  /** SIGTERM, then waits for the exit (SIGKILL after 15 s). */
  stop(): Promise<void>;
}

/** Reads VmRSS and VmHWM of `pid`. */
export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakRssMb: Math.round(kb('VmHWM') / 1024) };
}

/** User + system CPU time of `pid` so far, s (`/proc/<pid>/stat`, in clock ticks of 1/100 s). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: utime is the 14th field.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Starts `node dist/src/main.js` with exactly `env` (plus PATH, and `HTTP_PORT` picked here) and waits
 * until its `/healthz` answers 200: Redis reached, the platform adapter initialised. A receiver may
 * still be a moment from its first `getUpdates`; callers wait for the fake's `polling` for that.
 */
/** What the benchmark scrapes `/metrics` with. */
const METRICS_TOKEN = 'bench-metrics-token-0123456789';

export async function startBridgeProcess(env: Record<string, string>): Promise<BridgeProcess> {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run \`npm run build\` first`);
  const port = await freePort();
  const nodeArgs = (process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const extraEnv = Object.fromEntries(
    (process.env.BENCH_CHILD_ENV ?? '')
      .split(' ')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
  const child = spawn(process.execPath, [...nodeArgs, ENTRY], {
    cwd: mkdtempSync(join(tmpdir(), 'aksita-bench-')),
    env: { PATH: process.env.PATH ?? '', METRICS_TOKEN, ...extraEnv, ...env, HTTP_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error('the bridge process did not start');
  const role = env.BRIDGE_ROLE ?? 'all';
  await waitReady(child, port, () => output);
  return {
    pid,
    role,
    port,
    memory: () => processMemory(pid),
    cpuSeconds: () => processCpuSeconds(pid),
    async heapUsedMb() {
      const text = await (
        await fetch(`http://127.0.0.1:${port}/metrics`, {
          headers: { authorization: `Bearer ${METRICS_TOKEN}` },
        })
      ).text();
      const bytes = /^\w*nodejs_heap_size_used_bytes\s+(\S+)$/m.exec(text)?.[1];
      return Math.round(Number(bytes) / 2 ** 20);
    },
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitReady(child: ChildProcess, port: number, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the bridge process exited at start:\n${output()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1_000) }).then(
      async (res) => (await res.arrayBuffer()) && res.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`the bridge process was not healthy within ${READY_TIMEOUT_MS} ms:\n${output()}`);
}
