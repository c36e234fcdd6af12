/**
 * The operator's view, through Telegram and HTTP: admin commands (and "not allowed" for everyone
 * else), reset, daily budgets, low-balance alerts, Prometheus metrics and the token-protected
 * `/admin` routes. Commands never reach the agent.
 */
import { describe, expect, it } from 'vitest';
import { monitor } from '../support/bridge.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture();
const ADMIN = 900;
const admins = { ADMIN_USERS: `telegram:${ADMIN},discord:1`, ADMIN_HTTP_TOKEN: 'admin-token-0123456789' };

describe('commands', () => {
  it('shows credits to an admin, with balance and spend, and refuses everyone else', async () => {
    await fx.start(admins);
    fx.telegram.userMessage({ chatId: ADMIN, fromId: ADMIN, text: 'hello' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(ADMIN).length === 1, 10_000, 'reply');
    fx.telegram.userMessage({ chatId: ADMIN, fromId: ADMIN, text: '/credits' });
    fx.telegram.userMessage({ chatId: 901, fromId: 901, text: '/credits' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(ADMIN).length === 2, 10_000, 'credits report');
    await fx.telegram.waitFor(() => fx.telegram.sentTo(901).length === 1, 10_000, 'refusal');
    const report = fx.telegram.sentTo(ADMIN)[1] ?? '';
    expect(report).toMatch(/Balance: 9985 credits \(read \d+ s ago\)/);
    expect(report).toMatch(/today: 15 \(telegram 15\)/);
    expect(report).toContain(`telegram:${ADMIN}: 15`);
    expect(fx.telegram.sentTo(901)).toEqual(["Sorry, you're not allowed to use that command."]);
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['hello']);
  });

  it('shows status to an admin', async () => {
    await fx.start(admins);
    fx.telegram.userMessage({ chatId: ADMIN, fromId: ADMIN, text: '/status' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(ADMIN).length === 1, 10_000, 'status');
    const status = fx.telegram.sentTo(ADMIN)[0] ?? '';
    expect(status).toMatch(/^aksita-bridge \d+\.\d+\.\d+, up \d+ s/);
    expect(status).toContain('redis: ok');
    expect(status).toContain('telegram: ok (polling)');
    expect(status).toMatch(/Queue: \d+ waiting, \d+ active/);
  });

  it('lets anyone reset their own conversation in a private chat, in order with their messages', async () => {
    await fx.start();
    fx.telegram.userMessage({ chatId: 5, text: 'first' });
    fx.telegram.userMessage({ chatId: 5, text: '/reset' });
    fx.telegram.userMessage({ chatId: 5, text: 'second' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(5).length === 3, 10_000, 'three replies');
    expect(fx.telegram.sentTo(5)[1]).toMatch(/^Done: I've forgotten our conversation/);
    expect(fx.aksita.sessions).toHaveLength(2);
    expect(fx.aksita.chats.map((c) => c.conversationId)).toEqual(fx.aksita.sessions);
  });

  it('lets only admins reset a group conversation', async () => {
    await fx.start(admins);
    const group = { chatId: -300, chatType: 'supergroup' as const };
    fx.telegram.userMessage({ ...group, fromId: 901, text: '/reset' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(-300).length === 1, 10_000, 'refusal');
    fx.telegram.userMessage({ ...group, fromId: ADMIN, text: '/reset@aksita_test_bot' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(-300).length === 2, 10_000, 'reset');
    expect(fx.telegram.sentTo(-300)[0]).toBe("Sorry, you're not allowed to use that command.");
    expect(fx.telegram.sentTo(-300)[1]).toMatch(/^Done/);
  });

  it('lists in help only the commands this user may use', async () => {
    await fx.start(admins);
    fx.telegram.userMessage({ chatId: 7, fromId: 7, text: '/help' });
    fx.telegram.userMessage({ chatId: ADMIN, fromId: ADMIN, text: '/help' });
    await fx.telegram.waitFor(() => fx.telegram.sent.length === 2, 10_000, 'two help texts');
    expect(fx.telegram.sentTo(7)[0]).toMatch(/Commands: reset .*, help/);
    expect(fx.telegram.sentTo(7)[0]).not.toContain('credits');
    expect(fx.telegram.sentTo(ADMIN)[0]).toMatch(/Commands: credits .*status .*reset .*help/);
  });
});

describe('the Telegram command menu', () => {
  it('offers everyone the commands anyone may use, and each admin all of them in their own chat', async () => {
    await fx.start(admins);
    const scopes = Object.fromEntries(
      [...fx.telegram.commands].map(([scope, list]) => [scope, list.map((c) => c.command)]),
    );
    expect(Object.values(scopes)).toContainEqual(['reset', 'help']);
    const adminScope = Object.keys(scopes).find((scope) => scope.includes(String(ADMIN)));
    expect(adminScope).toBeDefined();
    expect(scopes[adminScope as string]).toEqual(['credits', 'status', 'reset', 'help']);
  });
});

describe('credit control', () => {
  it('stops a user at the daily budget without calling the agent, saying when to come back', async () => {
    await fx.start({ USER_DAILY_CREDIT_LIMIT: '30' });
    for (const text of ['one', 'two', 'three']) fx.telegram.userMessage({ chatId: 8, text });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(8).length === 3, 10_000, 'three replies');
    expect(fx.telegram.sentTo(8).slice(0, 2)).toEqual(['echo: one', 'echo: two']);
    expect(fx.telegram.sentTo(8)[2]).toMatch(
      /^You've reached today's message limit\. You can write again at 00:00 UTC \(in about \d+ hours?\)\.$/,
    );
    expect(fx.aksita.chats).toHaveLength(2);
  });

  it('alerts admins once when the balance crosses a threshold going down', async () => {
    fx.aksita.balance = 1020;
    const { logs } = await fx.start(admins);
    for (const text of ['a', 'b', 'c']) fx.telegram.userMessage({ chatId: 9, text });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(9).length === 3, 10_000, 'three replies');
    const alerts = logs.find('admin alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'low-balance' });
    expect(String(alerts[0]?.alert)).toMatch(/running low: 990 left \(below 1000\)/);
    // The Telegram admin gets it as a direct message (the Discord admin's platform is not running).
    await fx.telegram.waitFor(() => fx.telegram.sentTo(ADMIN).length === 1, 10_000, 'the alert by DM');
    expect(fx.telegram.sentTo(ADMIN)[0]).toMatch(/^Aksita credits are running low: 990 left \(below 1000\)/);
    expect(logs.find('admin alert not delivered')).toHaveLength(1);
  });

  it('alerts admins by DM once per incident when the API key is refused', async () => {
    fx.aksita.validKeys.clear();
    await fx.start(admins);
    for (const chatId of [11, 12]) fx.telegram.userMessage({ chatId, text: 'hello' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(ADMIN).length === 1, 10_000, 'the alert by DM');
    await fx.telegram.waitFor(() => fx.telegram.sentTo(12).length === 1, 10_000, 'the second notice');
    expect(fx.telegram.sentTo(ADMIN)).toHaveLength(1);
    expect(fx.telegram.sentTo(ADMIN)[0]).toMatch(
      /refused messages \(401\): the Aksita API key is missing, invalid or revoked/,
    );
  });
});

describe('over HTTP', () => {
  it('serves Prometheus metrics', async () => {
    const { bridge } = await fx.start();
    fx.telegram.userMessage({ chatId: 10, text: 'count me' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(10).length === 1, 10_000, 'reply');
    const res = await monitor(bridge.port, '/metrics');
    const text = await res.text();
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toMatch(/aksita_bridge_messages_in_total\{platform="telegram"\} 1/);
    expect(text).toMatch(/aksita_bridge_messages_out_total\{platform="telegram"\} 1/);
    expect(text).toMatch(/aksita_bridge_credits_used_total\{platform="telegram"\} 15/);
    expect(text).toMatch(/aksita_bridge_credits_remaining 9985/);
    expect(text).toMatch(/aksita_bridge_agent_latency_seconds_count\{platform="telegram"\} 1/);
    expect(text).toMatch(/aksita_bridge_queue_jobs\{state="waiting"\} \d+/);
    expect(text).toContain('aksita_bridge_process_resident_memory_bytes');
  });

  it('serves the reports as JSON behind the admin token, and refuses without it', async () => {
    const { bridge } = await fx.start(admins);
    const base = `http://127.0.0.1:${bridge.port}/admin`;
    for (const path of ['/credits', '/status']) {
      expect((await fetch(`${base}${path}`)).status).toBe(401);
      expect(
        (await fetch(`${base}${path}`, { headers: { Authorization: 'Bearer wrong-token-0123456789' } }))
          .status,
      ).toBe(401);
    }
    const auth = { headers: { Authorization: `Bearer ${admins.ADMIN_HTTP_TOKEN}` } };
    const credits = await (await fetch(`${base}/credits`, auth)).json();
    expect(credits).toMatchObject({ balance: null, today: { total: 0 }, topChats: [] });
    const status = await (await fetch(`${base}/status`, auth)).json();
    expect(status).toMatchObject({
      health: { redis: { ok: true }, telegram: { ok: true } },
      queue: { waiting: 0 },
    });
  });

  it('has no admin routes without ADMIN_HTTP_TOKEN', async () => {
    const { bridge } = await fx.start();
    expect((await fetch(`http://127.0.0.1:${bridge.port}/admin/credits`)).status).toBe(404);
  });
});
