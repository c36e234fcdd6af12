/**
 * `npm run bench`: runs the benchmark scenarios against the fakes and a real Redis, prints a table and
 * writes bench/results.json. Every comparison is a ratio measured in the same run on the same Redis.
 * BENCH_MESSAGES and BENCH_THREADS scale the ceiling scenario (defaults 20000 and 2000).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ceiling } from './ceiling.ts';
import type { FootprintResult } from './footprint.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const messages = Number(process.env.BENCH_MESSAGES ?? 20_000);
const threads = Number(process.env.BENCH_THREADS ?? 2_000);

const result = await ceiling(redisUrl, messages, threads);
// The footprint runs in a fresh process, so the ceiling scenario's memory does not count against it.
const footprintRun = spawnSync(
  process.execPath,
  [
    '--expose-gc',
    '--import',
    'tsx',
    fileURLToPath(new URL('./footprint-main.ts', import.meta.url)),
    process.env.BENCH_FOOTPRINT_THREADS ?? '10000',
  ],
  { encoding: 'utf8', env: { ...process.env, REDIS_URL: redisUrl } },
);
const foot = JSON.parse(footprintRun.stdout.trim().split('\n').at(-1) ?? '{}') as FootprintResult;
const machine = {
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
};
const rows = [
  ['scenario', 'figure', 'target'],
  [
    '1. ceiling',
    `${result.bridgePerSecond.toFixed(0)} msg/s end to end (${result.messages} over ${result.threads} threads)`,
    '>= 2000 msg/s',
  ],
  [
    '',
    `${result.bullmqPerSecond.toFixed(0)} jobs/s bare BullMQ; ratio ${result.ratio.toFixed(3)}`,
    '>= 0.33',
  ],
  ['', `receiver stored every update in ${result.ingestSeconds.toFixed(2)} s`, ''],
  [
    '6. footprint',
    `RSS ${foot.rssMb} MB after ${foot.threads} threads (heap ${foot.heapUsedMb} MB; fakes in the same process)`,
    '<= 200 MB',
  ],
  ['', `Redis per idle thread: ${foot.permanentBytesPerThread} B kept (conversation map)`, ''],
  [
    '',
    `until TTLs pass: ${Object.entries(foot.expiringBytesPerThread)
      .map(([k, v]) => `${k} ${v} B`)
      .join(', ')}`,
    '',
  ],
];
const width = rows.reduce((w, r) => Math.max(w, (r[1] ?? '').length), 0);
for (const [a, b, c] of rows)
  process.stdout.write(`${(a ?? '').padEnd(12)} ${(b ?? '').padEnd(width)}  ${c ?? ''}\n`);
writeFileSync(
  new URL('./results.json', import.meta.url),
  `${JSON.stringify({ date: new Date().toISOString(), machine, ceiling: result, footprint: foot }, null, 2)}\n`,
);
process.exit(0);
