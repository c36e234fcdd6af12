/**
 * `npm run cli -- doctor`: checks everything a first run needs and prints a checklist with the fix
 * for each failure: the configuration (every problem at once), Redis (reachable, version, eviction
 * policy, persistence), each configured platform's token, the Aksita key (one free session) and the
 * webhook URLs. Exit code 0 only when nothing failed (warnings pass). Never prints a secret: every
 * line is scrubbed of the values of the configuration's secret variables.
 */
import { type Config, loadConfig } from './config.ts';
import { ConfigError } from './core/errors.ts';
import { type Check, checkAksitaKeys, checkPlatforms, checkRedisServer } from './doctor-checks.ts';
import { scrub } from './logger.ts';

/** Telegram delivers webhooks to these ports only. */
const TELEGRAM_WEBHOOK_PORTS = new Set(['443', '80', '88', '8443']);
const SLACK_EVENTS_PATH = '/slack/events';

export interface DoctorOptions {
  /** Whether `.env` was found and read. */
  envFile: boolean;
  /** Colours and symbols (stdout is a terminal). */
  styled: boolean;
  /** Where the checklist goes. Default stdout. */
  write?: (text: string) => void;
}

/** Runs every check against `env`, prints the checklist, and returns the exit code. */
export async function doctor(env: NodeJS.ProcessEnv, options: DoctorOptions): Promise<number> {
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const secrets = secretsIn(env);
  const print = (check: Check) => write(scrub(format(check, options.styled), secrets));
  write('aksita-bridge doctor\n');
  let config: Config | undefined;
  const checks: Check[] = [];
  const add = (...more: Check[]) => {
    for (const check of more) {
      checks.push(check);
      print(check);
    }
  };
  try {
    config = loadConfig(env);
    add(configCheck(config, options.envFile));
    if (config.admins.length === 0) {
      add({
        name: 'Admins',
        status: 'warn',
        detail: 'ADMIN_USERS is empty: nobody is told when the key is refused or credits run low',
        fix: 'set ADMIN_USERS to your own user id, e.g. telegram:123456789 (see .env.example)',
      });
    }
    add(metricsCheck(config));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    add({
      name: 'Configuration',
      status: 'fail',
      detail: options.envFile ? err.message : `${err.message}\n(no .env in ${process.cwd()})`,
      fix: options.envFile
        ? 'correct each variable named above in .env (.env.example describes every one)'
        : 'cp .env.example .env, then set AKSITA_API_KEY and at least one platform’s token in it',
    });
  }
  // Every check at once (each has its own timeout); printed in this order as the results come.
  const redisUrl = config?.redisUrl ?? usableUrl(env.REDIS_URL?.trim() || 'redis://127.0.0.1:6379');
  const pending: Array<Promise<Check[]>> = [
    redisUrl
      ? checkRedisServer(redisUrl, {
          allowEviction: config?.redisAllowEviction ?? /^(true|1|yes)$/.test(env.REDIS_ALLOW_EVICTION ?? ''),
        })
      : Promise.resolve([
          { name: 'Redis', status: 'skip', detail: 'REDIS_URL is not a URL (see Configuration)' },
        ]),
  ];
  if (config)
    pending.push(checkPlatforms(config), checkAksitaKeys(config), Promise.resolve(webhookChecks(config)));
  else {
    pending.push(
      Promise.resolve([
        { name: 'Platforms and Aksita key', status: 'skip', detail: 'need a valid configuration first' },
      ]),
    );
  }
  for (const result of pending) add(...(await result));
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  const warnings = warned > 0 ? ` (${warned} warning${warned > 1 ? 's' : ''})` : '';
  write(
    failed === 0
      ? `\nEverything a first run needs is in place${warnings}: npm start\n`
      : `\n${failed} check${failed > 1 ? 's' : ''} failed${warnings}: fix ${failed > 1 ? 'them' : 'it'} and run npm run cli -- doctor again.\n`,
  );
  return failed === 0 ? 0 : 1;
}

function configCheck(config: Config, envFile: boolean): Check {
  const platforms = config.platforms.map((p) => p.descriptor.id);
  const from = envFile ? '.env and the environment' : 'the environment (no .env here)';
  return {
    name: 'Configuration',
    status: 'ok',
    detail: `read from ${from}; platforms: ${platforms.join(', ')}; role ${config.role}`,
  };
}

/** Where Prometheus can read `/metrics`, and with what (monitoring.ts). */
export function metricsCheck(config: Config): Check {
  const token = config.metricsToken ? 'with METRICS_TOKEN as its bearer token' : undefined;
  if (config.metricsPort !== undefined) {
    return {
      name: 'Metrics',
      status: 'ok',
      detail: `/metrics on its own listener ${config.metricsHost}:${config.metricsPort}, ${token ?? 'open to whoever reaches that address'}`,
    };
  }
  if (token || config.adminHttpToken) {
    return {
      name: 'Metrics',
      status: 'ok',
      detail: `/metrics on HTTP_PORT ${config.httpPort}, ${token ?? 'with ADMIN_HTTP_TOKEN as its bearer token'}`,
    };
  }
  return {
    name: 'Metrics',
    status: 'warn',
    detail: '/metrics answers 401 to everyone: no METRICS_TOKEN, ADMIN_HTTP_TOKEN or METRICS_PORT is set',
    fix: 'to scrape it with Prometheus, set METRICS_TOKEN (its bearer token) or METRICS_PORT (a private listener)',
  };
}

/** The webhook URLs' shape: Telegram's must be https with a path on a port it delivers to; Slack's hint. */
export function webhookChecks(config: Config): Check[] {
  const checks: Check[] = [];
  if (config.telegram) {
    const name = 'Telegram webhook';
    const raw = config.telegram.webhookUrl;
    if (!raw) {
      checks.push({
        name,
        status: 'ok',
        detail:
          'none: long polling (one process per bot token may poll; set TELEGRAM_WEBHOOK_URL for webhooks)',
      });
    } else {
      const url = new URL(raw);
      const port = url.port || (url.protocol === 'https:' ? '443' : '80');
      const problem =
        url.protocol !== 'https:'
          ? 'is not https: Telegram delivers webhooks over HTTPS only'
          : url.pathname === '/' || url.pathname === ''
            ? 'has no path: the bridge serves the webhook at the URL’s path, e.g. /telegram/webhook'
            : !TELEGRAM_WEBHOOK_PORTS.has(port)
              ? `uses port ${port}: Telegram delivers webhooks to ports 443, 80, 88 and 8443 only`
              : /^(localhost|127\.|10\.|192\.168\.|\[::1\])/.test(url.hostname)
                ? 'is a local address: Telegram must reach it from the internet'
                : null;
      checks.push(
        problem
          ? {
              name,
              status: 'fail',
              detail: `TELEGRAM_WEBHOOK_URL ${raw} ${problem}`,
              fix: 'set TELEGRAM_WEBHOOK_URL to the public https URL that reaches HTTP_PORT, e.g. https://bot.example.com/telegram/webhook, or leave it empty for long polling',
            }
          : {
              name,
              status: 'ok',
              detail: `${raw} (served on HTTP_PORT ${config.httpPort} at ${url.pathname})`,
            },
      );
    }
  }
  if (config.slack) {
    checks.push(
      config.slack.appToken
        ? {
            name: 'Slack events',
            status: 'ok',
            detail: 'Socket Mode (SLACK_APP_TOKEN): no Request URL needed',
          }
        : {
            name: 'Slack events',
            status: 'ok',
            detail: `Events API over HTTP: in your Slack app, set the Request URL of Event Subscriptions (and of the slash command) to https://<your public host>${SLACK_EVENTS_PATH}, reaching HTTP_PORT ${config.httpPort}`,
          },
    );
  }
  return checks;
}

const MARKS = {
  plain: { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' },
  styled: {
    ok: '\x1b[32m✔\x1b[39m',
    warn: '\x1b[33m!\x1b[39m',
    fail: '\x1b[31m✘\x1b[39m',
    skip: '\x1b[90m-\x1b[39m',
  },
};

function format(check: Check, styled: boolean): string {
  const mark = (styled ? MARKS.styled : MARKS.plain)[check.status];
  const indent = ' '.repeat(styled ? 4 : 7);
  const detail = check.detail.replaceAll('\n', `\n${indent}`);
  const name = styled ? `\x1b[1m${check.name}\x1b[22m` : check.name;
  const fix = check.fix && check.status !== 'ok' ? `\n${indent}fix: ${check.fix}` : '';
  return `  ${mark} ${name}: ${detail}${fix}\n`;
}

/** The values of every variable that holds a secret, and the Redis password, to scrub from output. */
function secretsIn(env: NodeJS.ProcessEnv): string[] {
  const secrets = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.trim().length < 6) continue;
    if (/(TOKEN|KEY|SECRET|PASSWORD)/.test(name)) secrets.add(value.trim());
    if (name === 'REDIS_URL') {
      const password = usableUrl(value) && new URL(value).password;
      if (password) secrets.add(decodeURIComponent(password)).add(password);
    }
  }
  return [...secrets].sort((a, b) => b.length - a.length);
}

function usableUrl(value: string): string | undefined {
  return URL.canParse(value) ? value : undefined;
}
