/**
 * The agent's real-world faults (issue 11): a hung agent, an outage of minutes, rate limits, replies
 * that are billed but cannot be used, and questions whose turn comes late. Each case checks what the
 * users see, how many agent calls each message cost, and what operators are told. Time is compressed
 * through configuration only (timeouts, retry and notice settings).
 */
import { describe, expect, it } from 'vitest';
import { monitor } from '../support/bridge.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture();

const ADMIN = 999;
const KEPT =
  'The assistant is unavailable right now. Your message is kept and will be answered as soon as it is back.';
const CANT = "Sorry, I can't answer right now. Please try again in a few minutes.";
const SLOW = 'Sorry, the assistant took too long to answer that message. Please send it again.';

/** Environment for a quick outage: probes every 50–400 ms, users told after one second. */
const QUICK = {
  ADMIN_USERS: `telegram:${ADMIN}`,
  OUTAGE_NOTICE_AFTER_SECONDS: '1',
  AKSITA_RETRY_BASE_MS: '50',
  AKSITA_RETRY_MAX_MS: '400',
};

function callsFor(message: string): number {
  return fx.aksita.chats.filter((c) => c.message === message).length;
}

async function metrics(port: number): Promise<string> {
  return (await monitor(port, '/metrics')).text();
}

describe('an agent outage is one incident', () => {
  it('keeps every question through minutes of 503s, tells each chat once, and answers them in order after', async () => {
    fx.aksita.down = { status: 503 };
    const { bridge } = await fx.start(QUICK);
    const chats = [41, 42, 43];
    for (const chatId of chats) {
      for (const n of [1, 2, 3]) fx.telegram.userMessage({ chatId, text: `q${n} of ${chatId}` });
    }
    // Every chat is told once that its messages are kept; the admins once that the agent is down.
    await fx.telegram.waitFor(
      () => chats.every((c) => fx.telegram.sentTo(c).length === 1),
      10_000,
      'notices',
    );
    await fx.telegram.waitFor(() => fx.telegram.sentTo(ADMIN).length === 1, 5_000, 'outage alert');
    expect(fx.telegram.sentTo(ADMIN)[0]).toContain('failing since');
    // The outage goes on a while; then the agent answers again.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const callsDuringOutage = fx.aksita.chats.length;
    fx.aksita.down = null;
    await fx.telegram.waitFor(
      () => chats.every((c) => fx.telegram.sentTo(c).length === 4),
      10_000,
      'every question answered',
    );
    for (const chatId of chats) {
      expect(fx.telegram.sentTo(chatId)).toEqual([
        KEPT,
        `echo: q1 of ${chatId}`,
        `echo: q2 of ${chatId}`,
        `echo: q3 of ${chatId}`,
      ]);
    }
    await fx.telegram.waitFor(() => fx.telegram.sentTo(ADMIN).length === 2, 10_000, 'recovery alert');
    expect(fx.telegram.sentTo(ADMIN)[1]).toContain('answers again');
    // While it was down: one failed call per chat that was in flight, then probes (sessions), not
    // questions times attempts; each question was answered by one call.
    expect(callsDuringOutage).toBeLessThanOrEqual(chats.length);
    for (const chatId of chats)
      for (const n of [1, 2, 3]) expect(callsFor(`q${n} of ${chatId}`)).toBeLessThanOrEqual(2);
    expect(fx.aksita.sessionFailures).toBeGreaterThan(0);
    const status = (await (await monitor(bridge.port, '/metrics')).text()) as string;
    // Every failed call is counted, the probes' included: here every one was a session (no chat call was made).
    expect(status).toContain(
      `aksita_bridge_agent_errors_total{kind="server"} ${fx.aksita.sessionFailures}\n`,
    );
    expect(status).toMatch(/aksita_bridge_agent_outage_seconds 0\b/);
  });

  it('says nothing about a two-second blip', async () => {
    fx.aksita.down = { status: 502 };
    await fx.start({ ...QUICK, OUTAGE_NOTICE_AFTER_SECONDS: '10' });
    fx.telegram.userMessage({ chatId: 44, text: 'hello' });
    await fx.aksita.waitFor(() => fx.aksita.sessionFailures >= 1, 5_000, 'first call');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    fx.aksita.down = null;
    await fx.telegram.waitFor(() => fx.telegram.sentTo(44).length === 1, 5_000, 'answer');
    expect(fx.telegram.sentTo(44)).toEqual(['echo: hello']);
    expect(fx.telegram.sentTo(ADMIN)).toEqual([]);
  });

  it('reports the outage in status and metrics while it lasts', async () => {
    fx.aksita.down = { status: 503 };
    const { bridge } = await fx.start({ ...QUICK, ADMIN_HTTP_TOKEN: 'admin-token-0123456789' });
    fx.telegram.userMessage({ chatId: 45, text: 'hello' });
    // Three failures in a row with no answer between: an outage.
    await fx.aksita.waitFor(() => fx.aksita.sessionFailures >= 3, 5_000, 'three failed calls');
    const res = await fetch(`http://127.0.0.1:${bridge.port}/admin/status`, {
      headers: { authorization: 'Bearer admin-token-0123456789' },
    });
    const status = (await res.json()) as { agentOutage: { code: string } | null };
    expect(status.agentOutage).toMatchObject({ code: 'server' });
    expect(await metrics(bridge.port)).toMatch(/aksita_bridge_agent_outage_seconds (?!0\n)[\d.]+/);
    fx.aksita.down = null;
    await fx.telegram.waitFor(() => fx.telegram.sentTo(45).length === 1, 5_000, 'answer');
  });
});

describe('a hung agent', () => {
  it('sends a question that timed out at most twice, then tells the user and moves on', async () => {
    fx.aksita.script({ hang: true }, { hang: true });
    const { logs } = await fx.start({ ...QUICK, AKSITA_TIMEOUT_MS: '1000' });
    fx.telegram.userMessage({ chatId: 46, text: 'slow one' });
    fx.telegram.userMessage({ chatId: 46, text: 'next one' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(46).includes('echo: next one'), 15_000, 'answers');
    expect(callsFor('slow one')).toBe(2);
    expect(callsFor('next one')).toBe(1);
    expect(fx.telegram.sentTo(46).filter((t) => t !== KEPT)).toEqual([SLOW, 'echo: next one']);
    expect(
      logs.find('agent call timed out again: giving up on message (it may have been answered upstream)'),
    ).toHaveLength(1);
  });

  it('sends no question more than twice while the agent hangs for everyone, and loses none', async () => {
    // Every call outlives the timeout, and is still answered (and billed) upstream after it.
    fx.aksita.latencyMs = 3_000;
    const { bridge } = await fx.start({ ...QUICK, AKSITA_TIMEOUT_MS: '1000' });
    for (const chatId of [47, 48]) {
      fx.telegram.userMessage({ chatId, text: `a${chatId}` });
      fx.telegram.userMessage({ chatId, text: `b${chatId}` });
    }
    await fx.aksita.waitFor(() => fx.aksita.chats.length >= 4, 10_000, 'four timed-out calls');
    fx.aksita.latencyMs = 0;
    await fx.telegram.waitFor(
      () => fx.telegram.sentTo(47).includes('echo: b47') && fx.telegram.sentTo(48).includes('echo: b48'),
      20_000,
      'answers after recovery',
    );
    for (const chatId of [47, 48]) {
      const seen = fx.telegram.sentTo(chatId).filter((t) => t !== KEPT);
      // The first question was answered, or (after its second timeout) the user was asked to send it again.
      expect([[`echo: a${chatId}`], [SLOW]]).toContainEqual(seen.slice(0, 1));
      expect(seen.slice(1)).toEqual([`echo: b${chatId}`]);
      for (const text of [`a${chatId}`, `b${chatId}`]) expect(callsFor(text)).toBeLessThanOrEqual(2);
    }
    // Timed-out calls may have been billed: operators see them next to the credits.
    expect(await metrics(bridge.port)).toMatch(
      /aksita_bridge_agent_calls_unknown_cost_total\{platform="telegram"\} [2-8]\b/,
    );
  });
});

describe('rate limits', () => {
  it('waits the Retry-After of a 429 and counts it as rate_limited', async () => {
    fx.aksita.script({ status: 429, reason: 'Too many requests', retryAfter: '1' });
    const { bridge, logs } = await fx.start(QUICK);
    fx.telegram.userMessage({ chatId: 50, text: 'hello' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(50).length === 1, 10_000, 'answer');
    expect(fx.telegram.sentTo(50)).toEqual(['echo: hello']);
    const [first, second] = fx.aksita.chats;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(logs.find('agent call failed, will retry')).toMatchObject([{ code: 'rate_limited', status: 429 }]);
    expect(await metrics(bridge.port)).toContain('aksita_bridge_agent_errors_total{kind="rate_limited"} 1');
    expect(await metrics(bridge.port)).toContain('aksita_bridge_agent_errors_total{kind="malformed"} 0');
  });

  it('waits the Retry-After of a 503 too', async () => {
    fx.aksita.script({ status: 503, retryAfter: '1' });
    await fx.start(QUICK);
    fx.telegram.userMessage({ chatId: 51, text: 'hello' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(51).length === 1, 10_000, 'answer');
    const [first, second] = fx.aksita.chats;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('never gives up a question while the agent stays rate-limited for everyone', async () => {
    fx.aksita.down = { status: 429 };
    await fx.start({ ...QUICK, AKSITA_MAX_ATTEMPTS: '2' });
    fx.telegram.userMessage({ chatId: 52, text: 'hello' });
    await fx.aksita.waitFor(() => fx.aksita.requests >= 8, 10_000, 'several probes');
    fx.aksita.down = null;
    await fx.telegram.waitFor(() => fx.telegram.sentTo(52).includes('echo: hello'), 10_000, 'answer');
    expect(fx.telegram.sentTo(52)).not.toContain(CANT);
  });
});

describe('every credit billed is recorded', () => {
  it('answers a response that is one string as one message', async () => {
    fx.aksita.script({ malformed: 'string-response' });
    await fx.start();
    fx.telegram.userMessage({ chatId: 53, text: 'hello' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(53).length === 1, 5_000, 'answer');
    expect(fx.telegram.sentTo(53)).toEqual(['echo: hello']);
    expect(fx.aksita.chats).toHaveLength(1);
  });

  it('records the credits of a billed reply it cannot use, and does not ask again', async () => {
    fx.aksita.script({ malformed: 'object-response' });
    const { bridge, logs } = await fx.start({ ADMIN_HTTP_TOKEN: 'admin-token-0123456789' });
    fx.telegram.userMessage({ chatId: 54, text: 'hello' });
    fx.telegram.userMessage({ chatId: 54, text: 'again' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(54).length === 2, 5_000, 'two replies');
    expect(fx.telegram.sentTo(54)).toEqual([CANT, 'echo: again']);
    expect(fx.aksita.chats).toHaveLength(2);
    const res = await fetch(`http://127.0.0.1:${bridge.port}/admin/credits`, {
      headers: { authorization: 'Bearer admin-token-0123456789' },
    });
    const credits = (await res.json()) as { today: { total: number }; balance: { remaining: number } };
    expect(credits.today.total).toBe(30);
    expect(credits.balance.remaining).toBe(fx.aksita.balance);
    expect(await metrics(bridge.port)).toContain('aksita_bridge_credits_used_total{platform="telegram"} 30');
    expect(logs.find('agent reply billed but unusable: not asked again')).toHaveLength(1);
  });
});

describe('late questions', () => {
  it('answers a question whose turn comes late with a short apology first (the default)', async () => {
    fx.aksita.down = { status: 503 };
    await fx.start({ ...QUICK, OUTAGE_NOTICE_AFTER_SECONDS: '60', STALE_AFTER_SECONDS: '1' });
    fx.telegram.userMessage({ chatId: 55, text: 'first' });
    fx.telegram.userMessage({ chatId: 55, text: 'second' });
    await fx.aksita.waitFor(() => fx.aksita.sessionFailures >= 1, 5_000, 'a failed probe');
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    fx.aksita.down = null;
    await fx.telegram.waitFor(() => fx.telegram.sentTo(55).length === 3, 10_000, 'answers');
    expect(fx.telegram.sentTo(55)).toEqual([
      'Sorry for the late reply. Here is my answer to your earlier message:',
      'echo: first',
      'echo: second',
    ]);
  });

  it('counts from when the question was asked, also when it reaches the bridge late (it was down)', async () => {
    const env = { STALE_AFTER_SECONDS: '1' };
    const first = await fx.start(env);
    await first.bridge.stop();
    fx.telegram.userMessage({ chatId: 57, text: 'anyone there?' });
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await fx.start({ ...env, REDIS_PREFIX: first.config.redisPrefix });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(57).length === 2, 10_000, 'answer');
    expect(fx.telegram.sentTo(57)).toEqual([
      'Sorry for the late reply. Here is my answer to your earlier message:',
      'echo: anyone there?',
    ]);
  });

  it('with STALE_POLICY=drop, asks the user to send it again instead of calling the agent', async () => {
    fx.aksita.down = { status: 503 };
    const { bridge } = await fx.start({
      ...QUICK,
      OUTAGE_NOTICE_AFTER_SECONDS: '60',
      STALE_AFTER_SECONDS: '1',
      STALE_POLICY: 'drop',
    });
    fx.telegram.userMessage({ chatId: 56, text: 'first' });
    fx.telegram.userMessage({ chatId: 56, text: 'second' });
    await fx.aksita.waitFor(() => fx.aksita.sessionFailures >= 1, 5_000, 'a failed probe');
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    fx.aksita.down = null;
    await fx.telegram.waitFor(() => fx.telegram.sentTo(56).length === 1, 10_000, 'notice');
    fx.telegram.userMessage({ chatId: 56, text: 'fresh' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(56).length === 2, 10_000, 'answer');
    expect(fx.telegram.sentTo(56)).toEqual([
      "Sorry, I couldn't answer your message in time. If you still need help, please send it again.",
      'echo: fresh',
    ]);
    expect(callsFor('second')).toBe(0);
    expect(await metrics(bridge.port)).toContain(
      'aksita_bridge_dropped_total{platform="telegram",what="question",reason="stale"} 2',
    );
  });
});
