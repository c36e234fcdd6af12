/**
 * `npm run bench`: builds the bridge, then runs the scenarios of issue 5 with the bridge as real
 * child processes (`node dist/src/main.js`) against the wire-level fakes in this process and a real
 * Redis (`REDIS_URL`, default 127.0.0.1:6379); prints a table and writes bench/results.json. Every
 * comparison is a ratio measured in the same run on the same Redis.
 *
 * A subset: `npm run bench -- 2 4` or `BENCH_ONLY=2,4` (numbers or names). Scale knobs, all optional:
 * BENCH_MESSAGES, BENCH_THREADS (1 and 5); BENCH_LATENCY_RATE, BENCH_LATENCY_SECONDS,
 * BENCH_LATENCY_CHATS (2); BENCH_SLOW_THREADS, BENCH_SLOW_AGENT_MS, BENCH_PLAIN_WINDOW_S,
 * BENCH_RUNNER_CAP_S (3); BENCH_LIMITS_CHATS, BENCH_LIMITS_PARTS (4); BENCH_FOOTPRINT_THREADS (6);
 * BENCH_FORMAT_RUNS (7); BENCH_MESSAGES, BENCH_THREADS, BENCH_WHATSAPP_CONCURRENCY (8).
 * BENCH_CHILD_NODE_ARGS passes node flags to every bridge process (bench/child.ts).
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { Redis } from 'ioredis';
import { ceiling } from './ceiling.ts';
import { footprint } from './footprint.ts';
import { format } from './format.ts';
import { latency } from './latency.ts';
import { limits } from './limits.ts';
import { formatTable, type Outcome, type Row } from './report.ts';
import { scaleOut } from './scale-out.ts';
import { slowAgent } from './slow-agent.ts';
import { whatsappCeiling } from './whatsapp.ts';

type Scenario = (redisUrl: string) => Promise<Outcome<unknown>>;

const SCENARIOS: Array<{ id: string; name: string; run: Scenario }> = [
  { id: '1', name: 'ceiling', run: ceiling },
  { id: '2', name: 'latency', run: latency },
  { id: '3', name: 'slow-agent', run: slowAgent },
  { id: '4', name: 'limits', run: limits },
  { id: '5', name: 'scale-out', run: scaleOut },
  { id: '6', name: 'footprint', run: footprint },
  { id: '7', name: 'format', run: format },
  { id: '8', name: 'whatsapp', run: whatsappCeiling },
];

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const wanted = [...process.argv.slice(2), ...(process.env.BENCH_ONLY ?? '').split(/[\s,]+/)].filter(Boolean);
const unknown = wanted.filter((w) => !SCENARIOS.some((s) => s.id === w || s.name === w));
if (unknown.length > 0) {
  console.error(
    `unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => `${s.id} ${s.name}`).join(', ')}`,
  );
  process.exit(2);
}
const selected = SCENARIOS.filter(
  (s) => wanted.length === 0 || wanted.includes(s.id) || wanted.includes(s.name),
);

const redis = new Redis(redisUrl);
const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
redis.disconnect();
const machine = {
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  redis: redisVersion,
  /** 1-minute load average before the first scenario and after the last: others share the machine. */
  loadAverage: { before: loadavg()[0] as number, after: 0 },
};

const results: Record<string, unknown> = {};
const loadAtStart: Record<string, number> = {};
const rows: Row[] = [];
let failed = false;
for (const scenario of selected) {
  loadAtStart[scenario.name] = loadavg()[0] as number;
  process.stderr.write(
    `scenario ${scenario.id} (${scenario.name}), load average ${loadavg()[0]?.toFixed(2)} …\n`,
  );
  const started = performance.now();
  try {
    const outcome = await scenario.run(redisUrl);
    results[scenario.name] = outcome.result;
    rows.push(...outcome.rows);
  } catch (err) {
    failed = true;
    const message = err instanceof Error ? err.message : String(err);
    results[scenario.name] = { error: message };
    rows.push({ scenario: `${scenario.id}. ${scenario.name}`, figure: `FAILED: ${message.split('\n')[0]}` });
    console.error(message);
  }
  process.stderr.write(
    `scenario ${scenario.id} took ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
}

machine.loadAverage.after = loadavg()[0] as number;
process.stdout.write(`${formatTable(rows)}\n`);
process.stdout.write(
  `load average (1 min) ${machine.loadAverage.before.toFixed(2)} before, ${machine.loadAverage.after.toFixed(2)} after, on ${machine.cpus} cores\n`,
);
writeFileSync(
  new URL('./results.json', import.meta.url),
  `${JSON.stringify({ date: new Date().toISOString(), machine, loadAtStart, results }, null, 2)}\n`,
);
process.exit(failed ? 1 : 0);
