/**
 * Graph API failures → the core's `PlatformError` kinds, from Meta's codes and HTTP statuses as the
 * Cloud API sends them, with the wait a rate limit asks for, and descriptions without the token.
 */
import { describe, expect, it } from 'vitest';
import { GraphError, GraphUnreachable } from '../../adapters/whatsapp/api.ts';
import { codeKind, describe as describeError, toPlatformError } from '../../adapters/whatsapp/errors.ts';
import { graphError } from '../fakes/whatsapp-wire.ts';

/** The `GraphError` the client makes of Meta's answer for `code`. */
function refusal(code: number, status?: number): GraphError {
  const reply = graphError(code, status === undefined ? {} : { status });
  const e = reply.body.error;
  const details = (e.error_data as { details?: string } | undefined)?.details ?? '';
  return new GraphError(reply.status, code, String(e.message), details);
}

describe('WhatsApp error kinds', () => {
  it.each([
    [131047, 'chat_refused'],
    [131026, 'chat_refused'],
    [131030, 'chat_refused'],
    [131056, 'rate_limited'],
    [130429, 'rate_limited'],
    [80007, 'rate_limited'],
    [4, 'rate_limited'],
    [190, 'unauthorized'],
    [1, 'transient'],
    [2, 'transient'],
    [131000, 'transient'],
    [100, 'too_long'],
  ] as const)('code %i is %s', (code, kind) => {
    expect(toPlatformError(refusal(code), 'send').kind).toBe(kind);
  });

  it('keeps an invalid parameter that is not about length a refusal of this message', () => {
    expect(codeKind(100, 400, "The parameter text['body'] is required.")).toBe('rejected');
    expect(codeKind(131009, 400)).toBe('rejected');
  });

  it('falls back on the HTTP status when the answer carries no code', () => {
    expect(codeKind(undefined, 429)).toBe('rate_limited');
    expect(codeKind(undefined, 401)).toBe('unauthorized');
    expect(codeKind(undefined, 502)).toBe('transient');
    expect(codeKind(undefined, 408)).toBe('transient');
    expect(codeKind(undefined, 404)).toBe('rejected');
  });

  it('waits what each rate limit means, or what Retry-After says', () => {
    expect(toPlatformError(refusal(131056), 'send').options.retryAfterMs).toBe(6_000);
    expect(toPlatformError(refusal(130429), 'send').options.retryAfterMs).toBe(1_000);
    expect(toPlatformError(refusal(80007), 'send').options.retryAfterMs).toBe(60_000);
    expect(toPlatformError(refusal(4), 'send').options.retryAfterMs).toBe(60_000);
    const withHeader = new GraphError(429, undefined, 'HTTP 429', '', 30_000);
    expect(toPlatformError(withHeader, 'send').options).toEqual({
      kind: 'rate_limited',
      retryAfterMs: 30_000,
    });
    expect(toPlatformError(new GraphError(429, undefined, 'HTTP 429', ''), 'send').options.retryAfterMs).toBe(
      1_000,
    );
  });

  it('treats no answer as transient', () => {
    expect(toPlatformError(new GraphUnreachable(true, 'aborted'), 'send').kind).toBe('transient');
    expect(toPlatformError(new GraphUnreachable(false, 'ECONNREFUSED'), 'send').kind).toBe('transient');
    expect(toPlatformError(new Error('boom'), 'send').kind).toBe('transient');
  });

  it('describes a failure with its code and details, never the token', () => {
    const err = toPlatformError(refusal(131047), 'send');
    expect(err.message).toContain('131047');
    expect(err.message).toContain('24 hours');
    expect(describeError(new GraphUnreachable(true, 'x'))).toBe('no answer in time');
    expect(describeError(new GraphError(502, undefined, 'HTTP 502 without a JSON answer', ''))).toBe(
      '502 HTTP 502 without a JSON answer',
    );
  });
});
