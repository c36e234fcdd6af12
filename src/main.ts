/**
 * Entry point: reads `.env` (when present) and the environment, starts the bridge, and stops it on
 * SIGTERM/SIGINT within 10 s (a second signal exits at once). A problem at start-up is one line
 * saying what is wrong and how to fix it.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { type Bridge, startBridge } from './app.ts';
import { type Config, loadConfig } from './config.ts';
import { ConfigError } from './core/errors.ts';
import { createLogger, routeConsoleWarnings, scrub } from './logger.ts';

const EXIT_DEADLINE_MS = 10_000;

// A larger young generation: the bridge allocates many short-lived objects per message (requests,
// replies, Redis commands), and with V8's default 16 MB a fifth of its CPU went to scavenges. With
// 32 MB, about a fifth less CPU per message in the ceiling benchmark, for ~20 MB more at the peak.
setFlagsFromString('--max-semi-space-size=32');

const envFile = resolve('.env');
const hasEnvFile = existsSync(envFile);
const extraCaAtStart = process.env.NODE_EXTRA_CA_CERTS;
if (hasEnvFile) process.loadEnvFile(envFile);

let config: Config;
try {
  config = loadConfig(process.env, hasEnvFile ? {} : { missingEnvFile: envFile });
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}

const log = createLogger({ level: config.logLevel, secrets: config.secrets, format: config.logFormat });
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
// BullMQ's "IMPORTANT! Eviction policy is …" comes once per connection; start-up has already refused
// such a Redis, or warned once that REDIS_ALLOW_EVICTION lets it run.
routeConsoleWarnings(log, [/^IMPORTANT! Eviction policy is/]);
if (process.env.NODE_EXTRA_CA_CERTS !== extraCaAtStart) {
  log.warn(
    'NODE_EXTRA_CA_CERTS in .env has no effect: Node reads it before .env is loaded; set it in the environment that starts the bridge',
  );
}

// Installed before start-up, so that a signal that comes while the bridge starts stops it once started.
let bridge: Bridge | undefined;
let stopping = false;
const stop = (running: Bridge) =>
  running.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    },
  );
const shutdown = (signal: string) => {
  if (stopping) {
    log.warn({ signal }, 'second signal: exiting now');
    process.exit(130);
  }
  stopping = true;
  log.info({ signal }, 'stopping');
  setTimeout(() => {
    log.error('shutdown took too long: exiting');
    process.exit(1);
  }, EXIT_DEADLINE_MS).unref();
  if (bridge) void stop(bridge);
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

try {
  bridge = await startBridge(config, { log });
  if (stopping) void stop(bridge);
  const enabled = new Set<string>(config.platforms.map((p) => p.descriptor.id));
  if (!config.admins.some((admin) => enabled.has(admin.platform))) {
    log.warn(
      { admins: config.admins.length },
      'no admin can be alerted: set ADMIN_USERS (platform:user-id) on a configured platform, or nobody is told when the API key is refused, credits run out or the agent is down',
    );
  }
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(scrub(err.message, config.secrets));
  } else {
    log.fatal({ err }, 'bridge failed to start');
    log.flush();
  }
  process.exit(1);
}
