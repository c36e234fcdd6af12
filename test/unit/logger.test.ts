import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';

describe('logger', () => {
  it('never writes a secret, wherever it hides', () => {
    const lines: string[] = [];
    const secrets = ['123456:ABC-def_ghi', 'ak-live-0123456789'];
    const log = createLogger({ level: 'debug', secrets }, { write: (l: string) => void lines.push(l) });
    const err = new Error('request to https://api.telegram.org/bot123456:ABC-def_ghi/getMe failed');
    log.error({ err, url: 'https://api.telegram.org/bot123456:ABC-def_ghi/sendMessage' }, 'send failed');
    log.info({ headers: { 'x-api-key': 'ak-live-0123456789' }, apiKey: 'ak-live-0123456789' }, 'request');
    log.warn('key ak-live-0123456789 in a message');
    const out = lines.join('');
    expect(lines).toHaveLength(3);
    for (const secret of secrets) expect(out).not.toContain(secret);
    expect(out).toContain('/bot[redacted]/sendMessage');
  });

  it('writes JSON with the message as a constant and data in fields', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', secrets: [] }, { write: (l: string) => void lines.push(l) });
    log.info({ thread: 'telegram:1' }, 'agent answered');
    log.debug({ text: 'hello' }, 'message queued');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      msg: 'agent answered',
      thread: 'telegram:1',
      level: 30,
    });
  });
});
