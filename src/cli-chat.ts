/**
 * `npm run cli -- chat`: a chat with the agent from the terminal, through the bridge's own pipeline
 * (router, inbox, turn runner, conversations, credits), safe beside a running bridge on the same Redis:
 *
 * - It connects to no platform: the terminal is its only adapter.
 * - Its turns run in a lane of its own (`<prefix>:cli-chat:<id>`: its inbox and its BullMQ queue),
 *   where no bridge worker and no other terminal looks; the lane is deleted when the chat ends, and
 *   a later chat deletes the lane of one that died without doing so (it is announced in the
 *   `cli-chats` registry while it runs).
 * - End of input (Ctrl-D, or the end of piped input) ends it once the pending answers are posted, or
 *   after as long as their retries may take; Ctrl-C (or SIGTERM, SIGHUP) ends it at once, dropping
 *   what is pending; a second one exits without cleaning up.
 * - A refused key (401, 402, 403) ends it after the notice, with a line saying what to do.
 *
 * Exit code: 0 when every question was answered, 1 when the key was refused or an answer did not
 * come in time, 130 when interrupted.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createTerminalAdapter } from '../adapters/terminal/index.ts';
import { startBridge } from './app.ts';
import type { Config } from './config.ts';
import type { AgentErrorCode } from './core/errors.ts';
import { ADVICE } from './core/incidents.ts';
import type { Observer } from './core/observer.ts';
import { ProcessRegistry } from './core/processes.ts';
import type { Logger } from './logger.ts';
import { checkRedis, openRedis } from './redis.ts';
import { VERSION } from './services.ts';

/** The agent's refusals that end the chat: nothing typed next could be answered either. */
const REFUSED: ReadonlySet<AgentErrorCode> = new Set(['unauthorized', 'payment-required', 'forbidden']);
const STATUS: Partial<Record<AgentErrorCode, number>> = {
  unauthorized: 401,
  'payment-required': 402,
  forbidden: 403,
};
/** The lanes of terminal chats: `<prefix>:cli-chat:<id>:…`. */
const LANE = 'cli-chat';
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** After this long waiting for answers at the end of input, say that Ctrl-C quits now. */
const WAIT_HINT_MS = 3_000;

type Stop = { kind: 'interrupted' } | { kind: 'refused'; code: AgentErrorCode };

export interface ChatIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export async function chat(
  config: Config,
  log: Logger,
  user: string,
  io: ChatIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  // Said at once rather than waited through: the chat's connection waits for Redis as the bridge's do.
  await checkRedis(config.redisUrl, { allowEviction: config.redisAllowEviction });
  const id = randomUUID().slice(0, 8);
  const redis = openRedis(config.redisUrl, `${config.redisPrefix}:cli-chat`);
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection error'));
  const chats = new ProcessRegistry(redis, { prefix: config.redisPrefix, name: 'cli-chats', gone: 'keep' });
  const laneKeys = (chatId: string) => `${config.redisPrefix}:${LANE}:${chatId}:`;
  let stopNow: (stop: Stop) => void = () => {};
  const stopped = new Promise<Stop>((resolve) => {
    stopNow = resolve;
  });
  let signals = 0;
  const onSignal = () => {
    if (++signals > 1) process.exit(130);
    stopNow({ kind: 'interrupted' });
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    for (const gone of await chats.gone()) {
      await deleteKeys(redis, laneKeys(gone));
      await chats.forget(gone);
    }
    const presence = await chats.publish({ id, role: 'chat', platforms: ['cli'], version: VERSION });
    try {
      return await converse({ config, log, user, io, lane: `${LANE}:${id}`, stopped, stopNow, onSignal });
    } finally {
      await deleteKeys(redis, laneKeys(id));
      await presence.stop();
    }
  } finally {
    for (const signal of SIGNALS) process.off(signal, onSignal);
    await redis.quit().catch(() => redis.disconnect());
  }
}

/** Runs the chat in `lane` until the input ends and is answered, or it is stopped; returns the exit code. */
async function converse(options: {
  config: Config;
  log: Logger;
  user: string;
  io: ChatIo;
  lane: string;
  stopped: Promise<Stop>;
  stopNow: (stop: Stop) => void;
  onSignal: () => void;
}): Promise<number> {
  const { config, user, io, stopped } = options;
  const { stdin, stdout, stderr } = io;
  const interactive = Boolean(stdin.isTTY && stdout.isTTY);
  let inputEnded: () => void = () => {};
  const ended = new Promise<void>((resolve) => {
    inputEnded = resolve;
  });
  const terminal = createTerminalAdapter({
    input: stdin,
    output: stdout,
    user,
    interactive,
    styled: Boolean(stdout.isTTY),
    onEnd: inputEnded,
    onInterrupt: options.onSignal,
  });
  if (interactive) {
    stdout.write(
      `Talking to the agent as ${user}. Ctrl-D quits after the answer, Ctrl-C at once; /reset starts over.\n`,
    );
  }
  const bridge = await startBridge(config, {
    log: options.log,
    adapters: [terminal],
    lane: options.lane,
    observer: refusalWatcher((code) => options.stopNow({ kind: 'refused', code })),
  });
  try {
    const waiting = new AbortController();
    const answered = ended.then(async () => {
      const hint = interactive
        ? setTimeout(() => stderr.write('(waiting for the answer: Ctrl-C quits now)\n'), WAIT_HINT_MS)
        : undefined;
      try {
        // As long as a question's retries may take.
        const timeoutMs = config.aksitaTimeoutMs * config.aksitaMaxAttempts + config.aksitaRetryMaxMs + 1_000;
        const thread = `cli:${user}`;
        const done = await waitUntil(
          async () => !(await bridge.services.inbox.hasTurn(thread)),
          timeoutMs,
          waiting.signal,
        );
        return done ? ('answered' as const) : ('late' as const);
      } finally {
        clearTimeout(hint);
      }
    });
    const outcome = await Promise.race([stopped, answered]);
    waiting.abort();
    // Stop first, so that a refusal's notice is posted before the line saying what to do.
    await bridge.stop();
    if (outcome === 'answered') return 0;
    if (outcome === 'late') {
      stderr.write(
        'No answer came in time: the question was dropped. `npm run cli -- doctor` checks the Aksita key and API.\n',
      );
      return 1;
    }
    if (outcome.kind === 'interrupted') return 130;
    stderr.write(
      `The Aksita API refused the chat (${STATUS[outcome.code]} ${outcome.code}): ${ADVICE[outcome.code] ?? 'see the log'}.\n`,
    );
    return 1;
  } finally {
    await bridge.stop();
  }
}

/** Calls `refused` when the agent refuses a terminal question for a reason no retry can fix. */
function refusalWatcher(refused: (code: AgentErrorCode) => void): Observer {
  const ignore = () => {};
  return {
    received: ignore,
    answered: ignore,
    agentFailed: (code, platform) => {
      if (platform === 'cli' && REFUSED.has(code)) refused(code);
    },
    billed: ignore,
    sendFailed: ignore,
    dropped: ignore,
    posted: ignore,
    inFlight: ignore,
  };
}

/** Polls `check` every 50 ms until it holds (true), `timeoutMs` passes or `signal` aborts (false). */
async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!signal.aborted && Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** Deletes every key that starts with `prefix`. */
async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}
