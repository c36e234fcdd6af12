/**
 * Scenario 5, scale-out: scenario 1's load (`BENCH_MESSAGES` over `BENCH_THREADS`) through one
 * receiver process (`BRIDGE_ROLE=receiver`, the one long poller a bot token allows) and one, then
 * two, worker processes (`BRIDGE_ROLE=worker`) sharing the Redis prefix. Both figures and their ratio.
 */
import { ceilingScale, cpuLine, type Throughput, throughput } from './ceiling.ts';
import { fmt, type Outcome } from './report.ts';

export interface ScaleOutResult {
  oneWorker: Throughput;
  twoWorkers: Throughput;
  /** Two workers' messages/s over one worker's. */
  ratio: number;
}

export async function scaleOut(redisUrl: string): Promise<Outcome<ScaleOutResult>> {
  const scale = ceilingScale();
  const oneWorker = await throughput(redisUrl, scale, 1);
  const twoWorkers = await throughput(redisUrl, scale, 2);
  const ratio = twoWorkers.perSecond / oneWorker.perSecond;
  const line = (t: Throughput) =>
    `receiver + ${t.processes.split(' + ')[1]}: ${fmt(t.perSecond)} msg/s (${t.seconds.toFixed(1)} s; stored all in ${t.ingestSeconds.toFixed(2)} s)`;
  return {
    result: { oneWorker, twoWorkers, ratio },
    rows: [
      { scenario: '5. scale-out', figure: line(oneWorker) },
      { scenario: '', figure: `  CPU per message: ${cpuLine(oneWorker)}` },
      { scenario: '', figure: line(twoWorkers) },
      { scenario: '', figure: `  CPU per message: ${cpuLine(twoWorkers)}` },
      { scenario: '', figure: `ratio two / one worker: ${ratio.toFixed(2)}`, target: 'reported' },
    ],
  };
}
