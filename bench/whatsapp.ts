/**
 * Scenario 8, the WhatsApp ceiling: N messages over T users through the real WhatsApp path (Meta's
 * signed webhook POSTs from the fake → signature check → router → queue → worker → fake Aksita with
 * no delay → fake Graph API `/messages`), one bridge process, side by side with Telegram's ceiling
 * (scenario 1's path) at the same scale in the same run: messages per second and CPU per message of
 * each. The webhook sender keeps `BENCH_WHATSAPP_CONCURRENCY` (64) deliveries open at once, one
 * message per delivery as Meta sends them; Meta's statuses callbacks are off, and so is pacing.
 */
import { Redis } from 'ioredis';
import { type FakeWhatsApp, waMessages as m, startFakeWhatsApp } from '../test/fakes/whatsapp.ts';
import { ceilingScale, cpuLine, type Throughput, throughput } from './ceiling.ts';
import { fmt, knob, type Outcome } from './report.ts';
import { redisCpuSeconds, secondsSince, startBench } from './setup.ts';

export interface WhatsAppCeilingResult {
  whatsapp: Throughput;
  telegram: Throughput;
  /** WhatsApp's messages per second over Telegram's. */
  ratio: number;
}

/** A user's WhatsApp id, digits: one per thread. */
const waId = (thread: number): string => `62810${String(thread).padStart(7, '0')}`;

/** POSTs `messages` signed webhooks over `threads` users, `concurrency` at a time; each must get 200. */
async function deliverAll(
  wa: FakeWhatsApp,
  url: string,
  messages: number,
  threads: number,
  concurrency: number,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < messages) {
      const i = next++;
      const status = await wa.sendMessages(url, [m.text(`m${i}`, { from: waId(1 + (i % threads)) })]);
      if (status !== 200) throw new Error(`webhook ${i} answered ${status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

/** The WhatsApp path's throughput, one bridge process (`BRIDGE_ROLE=all`). */
export async function whatsappThroughput(
  redisUrl: string,
  { messages, threads }: { messages: number; threads: number },
): Promise<Throughput> {
  const wa = await startFakeWhatsApp();
  const bench = await startBench(redisUrl, {
    env: {
      WHATSAPP_ACCESS_TOKEN: wa.token,
      WHATSAPP_PHONE_NUMBER_ID: wa.phoneNumberId,
      WHATSAPP_APP_SECRET: wa.appSecret,
      WHATSAPP_VERIFY_TOKEN: wa.verifyToken,
      WHATSAPP_API_ROOT: wa.url,
      WHATSAPP_API_VERSION: wa.version,
      WHATSAPP_SEND_PACING: 'off',
    },
  });
  const redis = new Redis(redisUrl);
  try {
    const bridge = await bench.spawn('all');
    const url = `http://127.0.0.1:${bridge.port}/whatsapp/webhook`;
    const cpuBefore = bridge.cpuSeconds();
    const fakesBefore = process.cpuUsage();
    const redisBefore = await redisCpuSeconds(redis);
    const started = performance.now();
    await deliverAll(wa, url, messages, threads, knob('BENCH_WHATSAPP_CONCURRENCY', 64));
    const ingestSeconds = secondsSince(started);
    await bench.waitFor(() => wa.sent.length >= messages, 600_000, 'all replies');
    const seconds = secondsSince(started);
    const fakesCpu = process.cpuUsage(fakesBefore);
    const redisCpu = (await redisCpuSeconds(redis)) - redisBefore;
    return {
      messages,
      threads,
      processes: 'all',
      seconds,
      perSecond: messages / seconds,
      ingestSeconds,
      peakRssMb: { all: bridge.memory().peakRssMb },
      cpuMsPerMessage: { all: ((bridge.cpuSeconds() - cpuBefore) * 1000) / messages },
      fakesCpuMsPerMessage: (fakesCpu.user + fakesCpu.system) / 1000 / messages,
      redisCpuMsPerMessage: (redisCpu * 1000) / messages,
    };
  } finally {
    redis.disconnect();
    await bench.close();
    await wa.close();
  }
}

export async function whatsappCeiling(redisUrl: string): Promise<Outcome<WhatsAppCeilingResult>> {
  const scale = ceilingScale();
  const telegram = await throughput(redisUrl, scale);
  const whatsapp = await whatsappThroughput(redisUrl, scale);
  const ratio = whatsapp.perSecond / telegram.perSecond;
  const line = (name: string, t: Throughput) =>
    `${name} ${fmt(t.perSecond)} msg/s (${t.seconds.toFixed(1)} s, stored in ${t.ingestSeconds.toFixed(1)} s, peak RSS ${t.peakRssMb.all} MB)`;
  return {
    result: { whatsapp, telegram, ratio },
    rows: [
      {
        scenario: '8. WhatsApp ceiling',
        figure: `${line('WhatsApp', whatsapp)}; ${fmt(scale.messages)} over ${fmt(scale.threads)} users`,
        target: 'reported beside Telegram',
      },
      { scenario: '', figure: `${line('Telegram', telegram)}; WhatsApp / Telegram ${ratio.toFixed(2)}` },
      { scenario: '', figure: `CPU per message, WhatsApp: bridge ${cpuLine(whatsapp)}` },
      { scenario: '', figure: `CPU per message, Telegram: bridge ${cpuLine(telegram)}` },
    ],
  };
}
