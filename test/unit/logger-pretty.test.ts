import { describe, expect, it } from 'vitest';
import { createLogger, routeConsoleWarnings } from '../../src/logger.ts';

describe('logger with LOG_FORMAT=pretty', () => {
  it('writes level names and the message for people, with every secret still redacted', () => {
    const lines: string[] = [];
    const secrets = ['123456:ABC-def_ghi', 'ak-live-0123456789'];
    const log = createLogger(
      { level: 'debug', secrets, format: 'pretty' },
      { write: (l: string) => void lines.push(l) },
    );
    const err = new Error('request to https://api.telegram.org/bot123456:ABC-def_ghi/getMe failed');
    log.error({ err, url: 'https://api.telegram.org/bot123456:ABC-def_ghi/sendMessage' }, 'send failed');
    log.info({ apiKey: 'ak-live-0123456789', thread: 'telegram:1' }, 'agent answered');
    log.warn('key ak-live-0123456789 in a message');
    const out = lines.join('');
    for (const secret of secrets) expect(out).not.toContain(secret);
    expect(out).toMatch(/ERROR.*: send failed/);
    expect(out).toMatch(/INFO.*: agent answered\n\s+apiKey: "\[redacted\]"\n\s+thread: "telegram:1"/);
    expect(out).toMatch(/WARN.*: key \[redacted\] in a message/);
    expect(out).toContain('/bot[redacted]/sendMessage');
    expect(out).not.toContain('"level":');
  });
});

describe('routeConsoleWarnings', () => {
  it("writes a library's console.warn into the log once per text, and drops what the bridge already said", () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', secrets: [] }, { write: (l: string) => void lines.push(l) });
    // biome-ignore lint/suspicious/noConsole: the test plays a library that warns on the console
    const original = console.warn;
    // biome-ignore lint/suspicious/noConsole: as above
    const libraryWarns = (text: string) => console.warn(text);
    try {
      routeConsoleWarnings(log, [/^IMPORTANT! Eviction policy is/]);
      for (let i = 0; i < 3; i++)
        libraryWarns('IMPORTANT! Eviction policy is allkeys-lru. It should be "noeviction"');
      libraryWarns('[WARN] Redis server does not require a password, but a password was supplied.');
      libraryWarns('[WARN] Redis server does not require a password, but a password was supplied.');
    } finally {
      console.warn = original;
    }
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'library warning',
        warning: '[WARN] Redis server does not require a password, but a password was supplied.',
      }),
    ]);
  });
});
