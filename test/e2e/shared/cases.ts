/**
 * What every platform's users see alike, written once and run against each platform's driver by
 * `test/e2e/platforms.test.ts` (as hono runs `router/common.case.test.ts` against every router):
 * answers in order, a redelivery answered once, the text-only notice, a long answer split within the
 * platform's limit, a platform 429 waited out, the agent's errors, and commands that never reach the
 * agent. What only one platform does stays in its own test file.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../fakes/http.ts';
import { useBridgeFixture } from '../../support/fixture.ts';
import type { PlatformDriver, PlatformSession } from './driver.ts';

const TEXT_ONLY = 'Sorry, I can only read text messages. Please type your question.';

/** Registers the shared cases for `driver` in the current describe block. */
export function sharedCases(driver: PlatformDriver): void {
  const fx = useBridgeFixture({ telegram: false });
  let p: PlatformSession;
  beforeEach(async () => {
    p = await driver.open(fx);
  });
  const agentHeard = () => fx.aksita.chats.map((c) => c.message);

  describe('conversation', () => {
    it('answers quick messages in order, each response element its own message, one agent call at a time per chat, without holding up another chat', async () => {
      let inFlight = 0;
      let maxInFlight = 0;
      fx.aksita.reply = async (message) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        // The first takes longest: a bridge that ran a chat's messages in parallel would answer out of order.
        await new Promise((r) => setTimeout(r, message === 'm1' ? 400 : 50));
        inFlight--;
        return [`re: ${message}`, `that was ${message}`];
      };
      await p.start();
      for (const text of ['m1', 'm2', 'm3']) await p.say(1, text);
      await p.say(2, 'other chat');
      await waitFor(() => p.seen(1).length === 6 && p.seen(2).length === 2, 15_000, 'all replies');
      expect(p.seen(1)).toEqual(['re: m1', 'that was m1', 're: m2', 'that was m2', 're: m3', 'that was m3']);
      expect(p.seen(2)).toEqual(['re: other chat', 'that was other chat']);
      expect(agentHeard().filter((m) => m.startsWith('m'))).toEqual(['m1', 'm2', 'm3']);
      // The other chat's call ran alongside chat 1's first (slow) one; each chat kept one conversation.
      expect(maxInFlight).toBe(2);
      expect(fx.aksita.sessions).toHaveLength(2);
    });

    it('asks the agent once and answers once when the platform delivers a message twice', async () => {
      const { logs } = await p.start();
      const said = await p.say(1, 'hello');
      await waitFor(() => p.seen(1).length === 1, 10_000, 'the reply');
      await said.redeliver();
      await p.say(1, 'after');
      await waitFor(() => p.seen(1).length === 2, 10_000, 'the second reply');
      expect(p.seen(1)).toEqual(['echo: hello', 'echo: after']);
      expect(agentHeard()).toEqual(['hello', 'after']);
      expect(logs.find('redelivered message dropped')).toHaveLength(1);
    });

    it('never asks the agent about a message without text or a command: the text-only notice, the help, in order with the words of a file', async () => {
      await p.start();
      await p.sayWithoutText(1);
      await p.say(1, '/help');
      await p.sayWithoutText(1, 'what is in this picture?');
      await waitFor(() => p.seen(1).length === 3, 10_000, 'three replies');
      expect(p.seen(1)[0]).toBe(TEXT_ONLY);
      expect(p.seen(1)[1]).toMatch(/^I'm an AI assistant/);
      expect(p.seen(1)[2]).toBe('echo: what is in this picture?');
      expect(agentHeard()).toEqual(['what is in this picture?']);
    });

    it("splits a long answer into messages within the platform's limit, in order, losing nothing", async () => {
      const limit = driver.maxMessageLength;
      const words = 'lorem ipsum dolor sit amet '.repeat(Math.floor(limit / 135)).trim();
      const long = Array.from({ length: 12 }, (_, i) => `Paragraph ${i + 1}: ${words}`).join('\n\n');
      expect(long.length).toBeGreaterThan(limit * 2);
      fx.aksita.reply = () => [long];
      await p.start();
      await p.say(1, 'tell me a lot');
      await waitFor(() => p.seen(1).join('\n\n').length >= long.length, 10_000, 'all parts');
      const parts = p.seen(1);
      expect(parts.length).toBeGreaterThanOrEqual(3);
      for (const part of parts) expect(part.length).toBeLessThanOrEqual(limit);
      expect(parts.join('\n\n')).toBe(long);
      expect(p.sendAttempts().every((a) => a.ok)).toBe(true);
      expect(fx.aksita.chats).toHaveLength(1);
    });
  });

  describe('platform faults', () => {
    it('waits out a 429 as the platform asks and posts the answer once, with one agent call', async () => {
      await p.start();
      p.failSends({ rateLimitedSeconds: 1 });
      await p.say(1, 'hello');
      await waitFor(() => p.seen(1).length === 1, 15_000, 'the reply');
      const [limited, accepted, ...more] = p.sendAttempts();
      expect([limited?.ok, accepted?.ok, more]).toEqual([false, true, []]);
      expect((accepted?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(950);
      expect(p.seen(1)).toEqual(['echo: hello']);
      expect(fx.aksita.chats).toHaveLength(1);
    });

    it('does not ask the agent again when posting fails midway, and posts no chunk twice', async () => {
      fx.aksita.reply = () => ['part 1', 'part 2', 'part 3'];
      await p.start();
      // The first chunk goes through; the second fails twice (a server error, then a dropped connection).
      p.failSends('pass', 'server-error', 'connection-reset');
      await p.say(1, 'hello');
      await waitFor(() => p.seen(1).length === 3, 10_000, 'three parts');
      expect(p.seen(1)).toEqual(['part 1', 'part 2', 'part 3']);
      expect(p.sendAttempts().map((a) => a.ok)).toEqual([true, false, false, true, true]);
      expect(fx.aksita.chats).toHaveLength(1);
    });
  });

  describe('agent errors', () => {
    it('retries 5xx and connection resets with backoff, then answers once', async () => {
      fx.aksita.script({ status: 500 }, { status: 503 }, { reset: true });
      const { logs } = await p.start();
      await p.say(1, 'hello');
      await waitFor(() => p.seen(1).length === 1, 10_000, 'the reply');
      expect(p.seen(1)).toEqual(['echo: hello']);
      expect(fx.aksita.chats.map((c) => c.outcome)).toEqual([500, 503, 0, 200]);
      const delays = logs.find('agent call failed, will retry').map((e) => e.retryInMs as number);
      // Base 50 ms in tests: about 50, 100, 200 ms (±25 % jitter), each longer than the last but one.
      expect(delays).toHaveLength(3);
      expect(delays[2]).toBeGreaterThan(delays[0] as number);
    });

    it('retries no 400, 401, 402 or 403: each message gets its notice and the next one is answered', async () => {
      const refusals = [400, 401, 402, 403] as const;
      fx.aksita.script(...refusals.map((status) => ({ status, reason: 'refused by the fake' })));
      await p.start();
      for (const text of ['one', 'two', 'three', 'four', 'five']) await p.say(1, text);
      await waitFor(() => p.seen(1).length === 5, 10_000, 'five replies');
      // No ADMIN_USERS here: nobody was alerted, so nobody is said to have been.
      expect(p.seen(1)).toEqual([
        "Sorry, I couldn't process that message. Could you rephrase it?",
        'Sorry, the assistant is not available at the moment. Please try again later.',
        'Sorry, the assistant is taking a short break. Please try again later.',
        'Sorry, the assistant is not available at the moment. Please try again later.',
        'echo: five',
      ]);
      expect(fx.aksita.chats.map((c) => c.outcome)).toEqual([...refusals, 200]);
    });
  });
}
