/**
 * Platform faults on the way out (issue 11): an answer already paid for is kept until it is posted
 * through minutes of 5xx; a refused bot token is visible (health, status, metrics, one admin alert
 * over another platform) and stops the spending; a message refused for its length is cut smaller; a
 * chat that refused the bot for good costs no more agent calls. Driven through the wire fakes.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DISCORD_REFUSALS, type FakeDiscord, startFakeDiscord } from '../fakes/discord.ts';
import { type FakeSlack, startFakeSlack } from '../fakes/slack.ts';
import { TELEGRAM_REFUSALS } from '../fakes/telegram-wire.ts';
import { monitor } from '../support/bridge.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture();
let slack: FakeSlack;

beforeEach(async () => {
  slack = await startFakeSlack();
  fx.adopt(slack, [slack.token, slack.signingSecret, slack.appToken]);
});

const ADMIN_TOKEN = 'admin-token-0123456789';
/** Quick send retries: 50 ms doubling to 200 ms. */
const QUICK_SENDS = { SEND_RETRY_BASE_MS: '50', SEND_RETRY_MAX_MS: '200' };

const slackEnv = (overrides: Record<string, string> = {}) => ({
  SLACK_BOT_TOKEN: slack.token,
  SLACK_SIGNING_SECRET: slack.signingSecret,
  SLACK_API_URL: `${slack.url}/api`,
  ADMIN_HTTP_TOKEN: ADMIN_TOKEN,
  ...overrides,
});

async function get(port: number, path: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
}

describe('an answer already paid for is kept until it is posted', () => {
  it('posts it once Telegram stops answering 502, with one agent call', async () => {
    fx.telegram.failSends(TELEGRAM_REFUSALS.badGatewayPage);
    const { bridge } = await fx.start(QUICK_SENDS);
    fx.telegram.userMessage({ chatId: 60, text: 'hello' });
    await fx.telegram.waitFor(
      () => fx.telegram.sendAttempts.filter((a) => a.chatId === '60').length >= 5,
      10_000,
      'failing sends',
    );
    fx.telegram.failSends(null);
    await fx.telegram.waitFor(() => fx.telegram.sentTo(60).length === 1, 10_000, 'answer');
    expect(fx.telegram.sentTo(60)).toEqual(['echo: hello']);
    expect(fx.aksita.chats).toHaveLength(1);
    const metrics = await (await monitor(bridge.port, '/metrics')).text();
    expect(metrics).toMatch(
      /aksita_bridge_send_failures_total\{platform="telegram",kind="transient"\} ([5-9]|\d\d)/,
    );
  });

  it('gives it up only after SEND_RETRY_FOR_SECONDS, counted, and goes on with the next message', async () => {
    fx.telegram.failSends({ status: 500 });
    const { bridge, logs } = await fx.start({ ...QUICK_SENDS, SEND_RETRY_FOR_SECONDS: '1' });
    fx.telegram.userMessage({ chatId: 61, text: 'first' });
    await fx.telegram.waitFor(
      () => logs.find('reply could not be posted for too long; answer dropped').length === 1,
      10_000,
      'given up',
    );
    fx.telegram.failSends(null);
    fx.telegram.userMessage({ chatId: 61, text: 'second' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(61).length === 1, 10_000, 'next answer');
    expect(fx.telegram.sentTo(61)).toEqual(['echo: second']);
    const metrics = await (await monitor(bridge.port, '/metrics')).text();
    expect(metrics).toContain(
      'aksita_bridge_dropped_total{platform="telegram",what="answer",reason="send_gave_up"} 1',
    );
  });

  it('cuts a message Slack refuses for its length smaller, and posts all of it', async () => {
    slack.maxTextLength = 1_000;
    const long = Array.from({ length: 60 }, (_, i) => `Sentence number ${i} of a long answer.`).join(' ');
    fx.aksita.reply = () => [long];
    const { bridge } = await fx.start(slackEnv());
    await slack.sendEvent(`http://127.0.0.1:${bridge.port}/slack/events`, slack.dm({ text: 'tell me' }));
    await slack.waitFor(() => slack.postedTo('D0DM00001').join(' ').length >= long.length, 10_000, 'answer');
    const posted = slack.postedTo('D0DM00001');
    expect(posted.length).toBeGreaterThan(1);
    expect(posted.every((text) => text.length <= 1_000)).toBe(true);
    expect(posted.join(' ')).toBe(long);
    expect(fx.aksita.chats).toHaveLength(1);
  });
});

describe('refusals are visible and stop the spending', () => {
  it('a revoked Slack token turns health red, shows in status and metrics, alerts admins once over Telegram, and stops agent calls', async () => {
    const { bridge, logs } = await fx.start(
      slackEnv({ ...QUICK_SENDS, ADMIN_USERS: 'telegram:999,slack:U0ADMIN1' }),
    );
    const events = `http://127.0.0.1:${bridge.port}/slack/events`;
    slack.revokeToken('token_revoked');
    await slack.sendEvent(events, slack.dm({ text: 'first' }));
    await fx.telegram.waitFor(() => fx.telegram.sentTo(999).length === 1, 10_000, 'admin alert');
    expect(fx.telegram.sentTo(999)[0]).toContain('token_revoked');
    const health = await monitor(bridge.port, '/healthz');
    expect(health.status).toBe(503);
    const { checks } = (await health.json()) as { checks: Record<string, { ok: boolean; detail: string }> };
    expect(checks.slack).toMatchObject({
      ok: false,
      detail: expect.stringContaining('token_revoked'),
    });
    const status = (await (await get(bridge.port, '/admin/status')).json()) as {
      lastHour: { errors: Record<string, number> };
    };
    expect(status.lastHour.errors['slack:unauthorized']).toBeGreaterThan(0);
    expect(await (await monitor(bridge.port, '/metrics')).text()).toMatch(
      /aksita_bridge_send_failures_total\{platform="slack",kind="unauthorized"\} [1-9]/,
    );
    // Other questions wait instead of being paid for and dropped.
    await slack.sendEvent(events, slack.mention({ channel: 'C0OTHER01', text: 'second' }).appMention);
    await slack.sendEvent(events, slack.dm({ user: 'U0USER003', channel: 'D0DM00003', text: 'third' }));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['first']);
    expect(logs.find('platform refused the bot credentials')).toHaveLength(1);
    // A new token (here: the old one accepted again) and everything kept is answered.
    slack.revokeToken(null);
    await slack.waitFor(
      () => slack.postedTo('D0DM00001').length === 1 && slack.postedTo('D0DM00003').length === 1,
      10_000,
      'answers after the fix',
    );
    expect(slack.postedTo('D0DM00001')).toEqual(['echo: first']);
    expect(fx.telegram.sentTo(999)).toHaveLength(1);
    expect((await monitor(bridge.port, '/healthz')).status).toBe(200);
  });

  it('a Slack channel that is gone costs no agent call for what is still queued', async () => {
    const gate = fx.aksita.gate();
    const { bridge, logs } = await fx.start(slackEnv());
    const events = `http://127.0.0.1:${bridge.port}/slack/events`;
    slack.refuseChannel('D0DM00001', { error: 'channel_not_found' });
    for (const text of ['one', 'two', 'three']) await slack.sendEvent(events, slack.dm({ text }));
    await fx.aksita.waitFor(() => fx.aksita.chats.length === 1, 5_000, 'first call');
    gate.release();
    await slack.waitFor(
      () => logs.find('chat refused the bot: queued message dropped unanswered').length === 2,
      10_000,
      'queued messages dropped',
    );
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['one']);
    expect(await (await monitor(bridge.port, '/metrics')).text()).toContain(
      'aksita_bridge_dropped_total{platform="slack",what="question",reason="chat_refused"} 2',
    );
  });
});

describe('Discord', () => {
  let discord: FakeDiscord;
  beforeEach(async () => {
    discord = await startFakeDiscord();
    fx.adopt(discord, [discord.token]);
  });

  it('a user who accepts no messages from the bot (50007) costs no agent call for what is still queued', async () => {
    const gate = fx.aksita.gate();
    const { logs } = await fx.start({ DISCORD_BOT_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl });
    const DM = '900000000000000001';
    discord.refuseChannel(DM, DISCORD_REFUSALS.cannotDm);
    for (const content of ['one', 'two', 'three']) discord.userMessage({ channelId: DM, content });
    await fx.aksita.waitFor(() => fx.aksita.chats.length === 1, 5_000, 'first call');
    await discord.waitFor(() => logs.find('message queued').length === 3, 5_000, 'all stored');
    gate.release();
    await discord.waitFor(
      () => logs.find('chat refused the bot: queued message dropped unanswered').length === 2,
      10_000,
      'queued messages dropped',
    );
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['one']);
    expect(discord.sentTo(DM)).toEqual([]);
  });
});
