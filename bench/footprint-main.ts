/** Runs the footprint scenario alone, in a fresh process, and prints its result as one JSON line. */
import { footprint } from './footprint.ts';

const result = await footprint(
  process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  Number(process.argv[2] ?? 10_000),
);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
