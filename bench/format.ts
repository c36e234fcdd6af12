/**
 * Scenario 7: formatting. One realistic 600-character agent answer (a heading, bold, a link, a list,
 * a small table, inline and block code) turned into each platform's messages, in this process: the
 * CPU time per answer over many runs after a warm-up (the median of ten batches' means). Target: under
 * 0.2 ms per platform.
 */
import { renderDiscord } from '../adapters/discord/format.ts';
import { renderSlack } from '../adapters/slack/format.ts';
import { renderTelegram } from '../adapters/telegram/format.ts';
import { renderTerminal } from '../adapters/terminal/format.ts';
import { parseMarkdown } from '../src/core/markdown/index.ts';
import { fmt, knob, type Outcome, percentile } from './report.ts';

/** The answer formatted: 600 characters of what agents write. */
export const ANSWER = [
  '## Ringkasan pesanan',
  '',
  'Pesanan **#4821** sudah dikirim lewat [JNE](https://www.jne.co.id/id/tracking/trace) dan tiba dalam 2*3 hari.',
  '',
  '| Barang | Jumlah | Harga |',
  '|---|--:|--:|',
  '| Kaos | 2 | Rp150.000 |',
  '| Topi | 1 | Rp75.000 |',
  '',
  'Langkah berikutnya untuk Anda, bila perlu:',
  '1. Cek status dengan `order_status`.',
  '2. Hubungi support@example.co.id bila ada kendala:',
  '   - sertakan nomor pesanan',
  '   - lampirkan foto barang',
  '',
  '```bash',
  'curl -s https://api.example.com/orders/4821',
  '```',
  '',
  '> Catatan: retur maksimal _7 hari_ setelah barang diterima, dengan kemasan asli dan label',
  '> yang masih utuh. Terima kasih! 🙏',
].join('\n');

const TARGET_MS = 0.2;

const PLATFORMS: Record<string, (markdown: string) => string[]> = {
  telegram: renderTelegram,
  slack: renderSlack,
  discord: renderDiscord,
  terminal: (markdown) => renderTerminal(markdown, { styled: true }),
  'parse only': (markdown) => [String(parseMarkdown(markdown).length)],
};

const BATCHES = 10;

/**
 * CPU milliseconds of this process per call of `fn`: `runs` calls after `runs / 4` to warm up, in
 * batches; the median batch's mean, so that other work on a shared machine does not decide it.
 */
function meanMs(fn: () => unknown, runs: number): number {
  for (let i = 0; i < runs / 4; i++) fn();
  const size = Math.ceil(runs / BATCHES);
  const means: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const started = process.cpuUsage();
    for (let i = 0; i < size; i++) fn();
    const used = process.cpuUsage(started);
    means.push((used.user + used.system) / 1000 / size);
  }
  return percentile(
    means.sort((x, y) => x - y),
    50,
  );
}

export async function format(): Promise<Outcome<Record<string, unknown>>> {
  const runs = knob('BENCH_FORMAT_RUNS', 10_000);
  const perPlatform: Record<string, number> = {};
  for (const [name, render] of Object.entries(PLATFORMS))
    perPlatform[name] = meanMs(() => render(ANSWER), runs);
  const platforms = Object.entries(perPlatform).filter(([name]) => name !== 'parse only');
  const worst = Math.max(...platforms.map(([, ms]) => ms));
  return {
    result: { answerChars: ANSWER.length, runs, msPerAnswer: perPlatform, targetMs: TARGET_MS },
    rows: [
      {
        scenario: '7. format',
        figure: `${Object.entries(perPlatform)
          .map(([name, ms]) => `${name} ${fmt(ms, 3)} ms`)
          .join(', ')} per ${ANSWER.length}-character answer`,
        target: `≤ ${TARGET_MS} ms per platform`,
        met: worst <= TARGET_MS,
      },
    ],
  };
}
