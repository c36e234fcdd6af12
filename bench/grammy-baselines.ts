/**
 * The comparisons of scenario 3: a Telegram bot written the way the Aksita integration guide's example
 * suggests, calling the agent inside its grammY handler (a session per chat kept in a Map, then
 * `/api/chat`, then one reply per element of `response`). Run with `bot.start()`, which handles
 * updates one at a time, and with `@grammyjs/runner`'s `run()` (default concurrency, 500) and
 * `sequentialize` per chat. Each runs in this process against fakes of its own.
 */
import { run, sequentialize } from '@grammyjs/runner';
import { Bot } from 'grammy';
import { type FakeAksita, startFakeAksita } from '../test/fakes/aksita.ts';
import { type FakeTelegram, startFakeTelegram } from '../test/fakes/telegram.ts';

export interface BaselineResult {
  /** `bot.start()` or `@grammyjs/runner`. */
  kind: string;
  threads: number;
  /** Messages answered when the run ended. */
  answered: number;
  /** How long it ran, s: until all were answered, or the window or cap. */
  seconds: number;
  /** True when every message was answered within the run. */
  complete: boolean;
  /** Answers per second over the run. */
  perSecond: number;
  /** `seconds` when complete; else threads / perSecond, a projection. */
  projectedSeconds: number;
}

interface Fakes {
  aksita: FakeAksita;
  telegram: FakeTelegram;
}

async function startFakes(agentMs: number): Promise<Fakes> {
  const aksita = await startFakeAksita({ latencyMs: agentMs, balance: Number.MAX_SAFE_INTEGER });
  const telegram = await startFakeTelegram();
  return { aksita, telegram };
}

async function post<T>(aksita: FakeAksita, path: string, body: object): Promise<T> {
  const res = await fetch(`${aksita.url}${path}`, {
    method: 'POST',
    headers: { 'X-API-Key': 'test-key', 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { data: T };
  return json.data;
}

/**
 * The guide's bot: `gate` is checked first, so a bot whose run has ended skips the rest of a batch.
 * `extra` runs before the handler (the runner's `sequentialize`).
 */
function guideBot({ aksita, telegram }: Fakes, gate: () => boolean, extra?: Parameters<Bot['use']>[0]): Bot {
  const bot = new Bot(telegram.token, { client: { apiRoot: telegram.apiRoot }, botInfo: telegram.me });
  const conversations = new Map<number, string>();
  bot.use((_ctx, next) => (gate() ? next() : undefined));
  if (extra) bot.use(extra);
  bot.on('message:text', async (ctx) => {
    let conversationId = conversations.get(ctx.chat.id);
    if (conversationId === undefined) {
      ({ conversation_id: conversationId } = await post<{ conversation_id: string }>(
        aksita,
        '/api/session',
        {},
      ));
      conversations.set(ctx.chat.id, conversationId);
    }
    const reply = await post<{ response: string[] }>(aksita, '/api/chat', {
      conversation_id: conversationId,
      message: ctx.message.text,
    });
    for (const part of reply.response) await ctx.reply(part);
  });
  // Errors after the run ended (the fakes closing under a handler) are expected.
  bot.catch(() => {});
  return bot;
}

function pushOnePerChat(telegram: FakeTelegram, threads: number): void {
  for (let chat = 1; chat <= threads; chat++) telegram.userMessage({ chatId: chat, text: `hello ${chat}` });
}

/** Waits until every message is answered or `capS` passed; returns the seconds it ran. */
async function runUntil(
  telegram: FakeTelegram,
  threads: number,
  capS: number,
  started: number,
): Promise<number> {
  while (telegram.sent.length < threads && performance.now() - started < capS * 1000) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return (performance.now() - started) / 1000;
}

function summary(kind: string, threads: number, answered: number, seconds: number): BaselineResult {
  const perSecond = answered / seconds;
  const complete = answered >= threads;
  return {
    kind,
    threads,
    answered,
    seconds,
    complete,
    perSecond,
    projectedSeconds: complete ? seconds : threads / perSecond,
  };
}

/** `bot.start()`, for at most `windowS` seconds. */
export async function plainGrammy(
  threads: number,
  agentMs: number,
  windowS: number,
): Promise<BaselineResult> {
  const fakes = await startFakes(agentMs);
  let open = true;
  const bot = guideBot(fakes, () => open);
  let polling: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    polling = resolve;
  });
  const running = bot.start({ onStart: () => polling() });
  await started;
  const t0 = performance.now();
  pushOnePerChat(fakes.telegram, threads);
  const seconds = await runUntil(fakes.telegram, threads, windowS, t0);
  const answered = fakes.telegram.sent.length;
  open = false;
  await bot.stop();
  await running.catch(() => {});
  await fakes.telegram.close();
  await fakes.aksita.close();
  return summary('bot.start()', threads, answered, seconds);
}

/** `run(bot)` with `sequentialize` per chat, for at most `capS` seconds. */
export async function runnerGrammy(threads: number, agentMs: number, capS: number): Promise<BaselineResult> {
  const fakes = await startFakes(agentMs);
  let open = true;
  const bot = guideBot(
    fakes,
    () => open,
    sequentialize((ctx) => ctx.chat?.id.toString()),
  );
  const handle = run(bot);
  await fakes.telegram.waitFor(() => fakes.telegram.polling, 10_000, 'the runner polling');
  const t0 = performance.now();
  pushOnePerChat(fakes.telegram, threads);
  const seconds = await runUntil(fakes.telegram, threads, capS, t0);
  const answered = fakes.telegram.sent.length;
  open = false;
  await handle.stop();
  await fakes.telegram.close();
  await fakes.aksita.close();
  return summary('@grammyjs/runner', threads, answered, seconds);
}
