/**
 * The operator's terminal tool:
 *
 *   npm run cli -- credits          the credits report
 *   npm run cli -- status           the status report
 *   npm run cli -- reset <thread>   forget a thread's conversation (e.g. telegram:123456)
 *   npm run cli -- chat             talk to the agent through the bridge's own pipeline
 *
 * It reads the same configuration as the bridge (environment or `.env`) but needs no platform.
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { createTerminalAdapter } from '../adapters/terminal/index.ts';
import { startBridge } from './app.ts';
import { type Config, loadConfig } from './config.ts';
import { ConfigError } from './core/errors.ts';
import { creditsText, statusText } from './core/reports.ts';
import { createLogger, type Logger, scrub } from './logger.ts';
import { checkRedis } from './redis.ts';
import { createServices } from './services.ts';

const USAGE = 'Usage: npm run cli -- credits | status | reset <thread> | chat';

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (!command || !['credits', 'status', 'reset', 'chat'].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  if (existsSync('.env')) process.loadEnvFile('.env');
  const user = userInfo().username || 'operator';
  const base = loadConfig(process.env, { requirePlatform: false });
  // The person at the terminal is the operator: an admin of their own terminal conversation.
  const config: Config = { ...base, httpPort: 0, admins: [...base.admins, { platform: 'cli', id: user }] };
  // Logs go to stderr (warnings and worse by default), so stdout holds only the answers.
  const log = createLogger(
    { level: process.env.LOG_LEVEL ? config.logLevel : 'warn', secrets: config.secrets },
    { write: (line: string) => void process.stderr.write(line) },
  );
  try {
    return command === 'chat' ? await chat(config, log, user) : await report(command, rest, config, log);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(scrub(err.message, config.secrets));
      return 1;
    }
    throw err;
  }
}

async function report(command: string, rest: string[], config: Config, log: Logger): Promise<number> {
  if (command === 'reset' && !rest[0]) {
    console.error(
      `${USAGE}\n  reset needs the thread key, e.g. telegram:123456 (see the top chats in \`credits\`)`,
    );
    return 2;
  }
  await checkRedis(config.redisUrl);
  const services = createServices(config, {
    log,
    health: async () => ({ redis: { ok: true, detail: 'ok' } }),
  });
  try {
    if (command === 'credits') print(creditsText(await services.reports.credits()));
    else if (command === 'status') print(statusText(await services.reports.status()));
    else {
      const thread = rest[0] as string;
      const had = (await services.conversations.get(thread)) !== null;
      await services.conversations.reset(thread);
      print(had ? `Forgot the conversation of ${thread}.` : `${thread} had no conversation.`);
    }
    return 0;
  } finally {
    await services.close();
  }
}

async function chat(config: Config, log: Logger, user: string): Promise<number> {
  const thread = `cli:${user}`;
  let ended: () => void = () => {};
  const inputEnded = new Promise<void>((resolve) => {
    ended = resolve;
  });
  const terminal = createTerminalAdapter({
    input: process.stdin,
    output: process.stdout,
    user,
    onEnd: () => ended(),
  });
  const bridge = await startBridge(config, { log, extraAdapters: [terminal] });
  if (process.stdin.isTTY) print(`Talking to the agent as ${user} (Ctrl-D to quit; /reset starts over).`);
  await inputEnded;
  // Wait for the answers still on their way, as long as the retries may take.
  const deadline = Date.now() + config.aksitaTimeoutMs * config.aksitaMaxAttempts + config.aksitaRetryMaxMs;
  while ((await bridge.services.inbox.hasTurn(thread)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await bridge.stop();
  return 0;
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

process.exitCode = await main(process.argv.slice(2));
