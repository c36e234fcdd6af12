/**
 * The one root logger: pino JSON to stdout, or the same lines made readable for people
 * (`LOG_FORMAT=pretty`, pino-pretty). Every secret of the configuration is scrubbed from each line
 * just before it is written (and so before it is made pretty), wherever it appears (fields, error
 * messages, stacks, URLs such as the Bot API's `/bot<token>/`), so no code path can leak one by
 * accident.
 */
import { format } from 'node:util';
import { type DestinationStream, type Logger, pino } from 'pino';
import { prettyFactory } from 'pino-pretty';

export type { Logger } from 'pino';

/** Replaces every occurrence of each secret in `text` with `[redacted]`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/**
 * Creates the root logger. `destination` defaults to stdout (tests pass their own stream); `format`
 * `pretty` writes each line for people: time, level name, message, fields. Default `json`.
 */
export function createLogger(
  options: { level: string; secrets: readonly string[]; format?: 'json' | 'pretty' },
  destination?: DestinationStream,
): Logger {
  const secrets = [...options.secrets].sort((a, b) => b.length - a.length);
  const out = destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level: options.level,
      base: { service: 'aksita-bridge' },
      redact: {
        paths: ['apiKey', 'token', '*.apiKey', '*.token', 'headers["x-api-key"]', 'headers.authorization'],
        censor: '[redacted]',
      },
      hooks: { streamWrite: (line) => scrub(line, secrets) },
    },
    options.format === 'pretty' ? prettyStream(out, !destination && process.stdout.isTTY) : out,
  );
}

/** Writes each (already scrubbed) JSON line to `out` as pino-pretty renders it, synchronously. */
function prettyStream(out: DestinationStream, colorize: boolean): DestinationStream {
  const pretty = prettyFactory({
    colorize,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    ignore: 'pid,hostname,service',
  });
  return { write: (line: string) => out.write(pretty(line)) };
}

/** At most this many distinct library warnings are remembered (and so written once each). */
const MAX_REMEMBERED_WARNINGS = 200;

/**
 * Routes what libraries print with `console.warn` (BullMQ, ioredis) into the log as one
 * `library warning` line per distinct text, so that a JSON log stays JSON. Warnings matching `drop`
 * are ones the bridge has already reported in its own words.
 */
export function routeConsoleWarnings(log: Logger, drop: readonly RegExp[] = []): void {
  const seen = new Set<string>();
  console.warn = (...args: unknown[]) => {
    const text = format(...args);
    if (seen.has(text) || drop.some((pattern) => pattern.test(text))) return;
    if (seen.size < MAX_REMEMBERED_WARNINGS) seen.add(text);
    log.warn({ warning: text }, 'library warning');
  };
}
