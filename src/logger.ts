/**
 * The one root logger: pino JSON to stdout. Every secret of the configuration is scrubbed from each
 * line just before it is written, wherever it appears (fields, error messages, stacks, URLs such as
 * the Bot API's `/bot<token>/`), so no code path can leak one by accident.
 */
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Replaces every occurrence of each secret in `text` with `[redacted]`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  return out;
}

/** Creates the root logger. `destination` defaults to stdout (tests pass their own stream). */
export function createLogger(
  options: { level: string; secrets: readonly string[] },
  destination?: DestinationStream,
): Logger {
  const secrets = [...options.secrets].sort((a, b) => b.length - a.length);
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
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
