/**
 * The operator's terminal tool:
 *
 *   npm run cli -- credits          the credits report
 *   npm run cli -- status           the status report
 *   npm run cli -- reset <thread>   forget a thread's conversation (e.g. telegram:123456)
 *   npm run cli -- chat             talk to the agent through the bridge's own pipeline
 *   npm run cli -- doctor           check what a first run needs, with the fix for each failure
 *
 * It reads the same configuration as the bridge (environment or `.env`) but needs no platform.
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { chat } from './cli-chat.ts';
import { type Config, loadConfig } from './config.ts';
import { ConfigError } from './core/errors.ts';
import { creditsText, statusText } from './core/reports.ts';
import { doctor } from './doctor.ts';
import { createLogger, type Logger, scrub } from './logger.ts';
import { checkRedis } from './redis.ts';
import { createServices } from './services.ts';

const USAGE = 'Usage: npm run cli -- credits | status | reset <thread> | chat | doctor';
const COMMANDS = ['credits', 'status', 'reset', 'chat', 'doctor'];

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (!command || !COMMANDS.includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const envFile = existsSync('.env');
  if (envFile) process.loadEnvFile('.env');
  if (command === 'doctor') return doctor(process.env, { envFile, styled: Boolean(process.stdout.isTTY) });
  const user = userInfo().username || 'operator';
  let config: Config;
  try {
    const base = loadConfig(process.env, { requirePlatform: false });
    // The person at the terminal is the operator: an admin of their own terminal conversation, and
    // the only one the terminal can alert. The chat hands its agent calls back at once when stopped.
    config = { ...base, httpPort: 0, admins: [{ platform: 'cli', id: user }], shutdownGraceMs: 0 };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return 1;
  }
  // Logs go to stderr, so stdout holds only the answers: warnings and worse for the reports, only a
  // crash during the chat (which says itself what went wrong), unless LOG_LEVEL asks for more.
  const level = process.env.LOG_LEVEL ? config.logLevel : command === 'chat' ? 'fatal' : 'warn';
  const log = createLogger(
    { level, secrets: config.secrets },
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
  await checkRedis(config.redisUrl, { allowEviction: config.redisAllowEviction });
  const services = createServices(config, {
    log,
    health: async () => ({ redis: { ok: true, detail: 'ok' } }),
  });
  try {
    if (command === 'credits') print(creditsText(await services.reports.credits()));
    else if (command === 'status') print(statusText(await services.reports.status(), { from: 'terminal' }));
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

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Whatever a library may still hold open (a socket closing, stdin), the command is over.
setTimeout(() => process.exit(code), 2_000).unref();
