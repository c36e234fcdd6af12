/**
 * The conversation controls end to end, on Telegram and on Slack, through the wire fakes: access
 * (`ALLOWED_USERS`, `ALLOWED_CHATS`, `BLOCKED_USERS`), human takeover (`/pause`, `/resume`,
 * `HANDOFF_ON_HUMAN_REPLY`, the end of a pause announced once, a pause outliving a restart), flood
 * protection (`USER_RATE_LIMIT`, its count outliving a restart) and what `status` shows of them. What
 * a control holds back never reaches the agent.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fakes/slack.ts';
import { monitor } from '../support/bridge.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture();
const ADMIN = 900;
const PRIVATE = 'Sorry, this assistant is private.';
const BACK = "I'm back: I answer messages in this chat again.";

/** Waits until Telegram chat `chat` has received `n` messages, then returns them. */
async function received(chat: number, n: number): Promise<string[]> {
  await fx.telegram.waitFor(() => fx.telegram.sentTo(chat).length >= n, 10_000, `${n} messages in ${chat}`);
  return fx.telegram.sentTo(chat);
}

/** What the agent was asked, in order. */
const asked = () => fx.aksita.chats.map((c) => c.message);

/** Sends `text` as the user of private chat `chat` and waits for the bridge's `n`-th message there. */
async function say(chat: number, text: string, n: number): Promise<string[]> {
  fx.telegram.userMessage({ chatId: chat, text });
  return received(chat, n);
}

/** Waits until the current minute has at least `ms` left, so that a per-minute count stays in it. */
async function roomInThisMinute(ms: number): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < ms) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

describe('access', () => {
  it('tells someone not allowed once that the bot is private, and asks the agent only for the allowed', async () => {
    const { bridge } = await fx.start({ ALLOWED_USERS: 'telegram:10', ADMIN_USERS: `telegram:${ADMIN}` });
    expect(await say(20, 'hello?', 1)).toEqual([PRIVATE]);
    fx.telegram.userMessage({ chatId: 20, text: 'anyone there?' });
    expect(await say(10, 'hi', 1)).toEqual(['echo: hi']);
    // Admins are always allowed.
    expect(await say(ADMIN, 'admin here', 1)).toEqual(['echo: admin here']);
    expect(fx.telegram.sentTo(20)).toEqual([PRIVATE]);
    expect(asked()).toEqual(['hi', 'admin here']);
    // Operators see what the controls kept from the agent.
    const metrics = await (await monitor(bridge.port, '/metrics')).text();
    expect(metrics).toContain('aksita_bridge_held_back_total{platform="telegram",reason="private"} 2');
    expect(metrics).toContain('aksita_bridge_held_back_total{platform="telegram",reason="flood"} 0');
  });

  it('never lets a blocked user reach the agent, not even with a command, and says nothing', async () => {
    await fx.start({ BLOCKED_USERS: 'telegram:30' });
    fx.telegram.userMessage({ chatId: 30, text: 'let me in' });
    fx.telegram.userMessage({ chatId: 30, text: '/help' });
    expect(await say(31, 'hi', 1)).toEqual(['echo: hi']);
    expect(await say(31, 'again', 2)).toEqual(['echo: hi', 'echo: again']);
    expect(fx.telegram.sentTo(30)).toEqual([]);
    expect(asked()).toEqual(['hi', 'again']);
  });

  it('is silent with ACCESS_NOTICE=off', async () => {
    await fx.start({ ALLOWED_USERS: 'telegram:10', ACCESS_NOTICE: 'off' });
    fx.telegram.userMessage({ chatId: 21, text: 'hello?' });
    expect(await say(10, 'hi', 1)).toEqual(['echo: hi']);
    expect(fx.telegram.sentTo(21)).toEqual([]);
  });
});

describe('flood protection', () => {
  it('answers USER_RATE_LIMIT messages a minute, gives one notice, sends nothing more to the agent, and remembers across a restart', async () => {
    await roomInThisMinute(20_000);
    const env = { USER_RATE_LIMIT: '2' };
    const first = await fx.start(env);
    for (const text of ['one', 'two', 'three', 'four']) fx.telegram.userMessage({ chatId: 40, text });
    const replies = await received(40, 3);
    expect(replies).toEqual([
      'echo: one',
      'echo: two',
      "You're sending messages faster than I can answer. Please wait a minute, then write again.",
    ]);
    await first.bridge.stop();
    await fx.start({ ...env, REDIS_PREFIX: first.config.redisPrefix });
    // Another user is not limited by the first one's count; the first one still is, after the restart.
    fx.telegram.userMessage({ chatId: 40, text: 'five' });
    expect(await say(41, 'other', 1)).toEqual(['echo: other']);
    expect(await say(41, 'other again', 2)).toEqual(['echo: other', 'echo: other again']);
    expect(fx.telegram.sentTo(40)).toHaveLength(3);
    expect(asked()).toEqual(['one', 'two', 'other', 'other again']);
  });
});

describe('human takeover on Telegram', () => {
  it('pauses a chat for the given time, sends nothing to the agent meanwhile, and says once that it is back', async () => {
    await fx.start({ ADMIN_USERS: `telegram:${ADMIN}` });
    const group = { chatId: -500, chatType: 'supergroup' as const };
    fx.telegram.userMessage({ ...group, fromId: ADMIN, text: '/pause 3s' });
    const [paused] = await received(-500, 1);
    expect(paused).toMatch(
      /^Paused: I won't answer in this chat until \d{4}-\d\d-\d\d \d\d:\d\d UTC, or until \/resume\.$/,
    );
    fx.telegram.userMessage({
      ...group,
      fromId: 501,
      text: '@aksita_test_bot are you there?',
      replyToBot: true,
    });
    expect(await received(-500, 2)).toEqual([paused, BACK]);
    fx.telegram.userMessage({ ...group, fromId: 501, text: 'now?', replyToBot: true });
    expect(await received(-500, 3)).toEqual([paused, BACK, 'echo: now?']);
    expect(asked()).toEqual(['now?']);
  });

  it('announces the end of a pause given from another chat where someone wrote during it', async () => {
    await fx.start({ ADMIN_USERS: `telegram:${ADMIN}` });
    fx.telegram.userMessage({ chatId: ADMIN, text: '/pause telegram:70 3s' });
    await received(ADMIN, 1);
    fx.telegram.userMessage({ chatId: 70, text: 'hello?' });
    fx.telegram.userMessage({ chatId: 70, text: 'anyone?' });
    expect(await received(70, 1)).toEqual([BACK]);
    expect(await say(70, 'now?', 2)).toEqual([BACK, 'echo: now?']);
    expect(asked()).toEqual(['now?']);
  });

  it('keeps a pause across a restart until /resume, which only admins and HANDOFF_USERS may give', async () => {
    const env = { ADMIN_USERS: `telegram:${ADMIN}`, HANDOFF_USERS: 'telegram:777' };
    const first = await fx.start(env);
    // An admin pauses a customer's private chat from elsewhere (only admins may name another chat).
    fx.telegram.userMessage({ chatId: ADMIN, text: '/pause telegram:60 2h' });
    expect((await received(ADMIN, 1))[0]).toMatch(/^Paused: I won't answer in telegram:60 until /);
    await first.bridge.stop();
    await fx.start({ ...env, REDIS_PREFIX: first.config.redisPrefix });
    fx.telegram.userMessage({ chatId: 60, text: 'hello?' });
    // Someone else may not resume it; the handoff user may.
    fx.telegram.userMessage({ chatId: 61, text: '/resume' });
    expect(await received(61, 1)).toEqual(["Sorry, you're not allowed to use that command."]);
    fx.telegram.userMessage({ chatId: 777, text: '/resume telegram:60' });
    expect(await received(777, 1)).toEqual([BACK]);
    expect(await say(60, 'and now?', 1)).toEqual(['echo: and now?']);
    expect(asked()).toEqual(['and now?']);
    // status names no paused chat any more; while one is paused it lists it.
    fx.telegram.userMessage({ chatId: ADMIN, text: '/pause telegram:62 1h' });
    await received(ADMIN, 2);
    fx.telegram.userMessage({ chatId: ADMIN, text: '/status' });
    const status = (await received(ADMIN, 3))[2] ?? '';
    expect(status).toContain('Paused chats: 1');
    expect(status).toMatch(/telegram:62 until \d{4}-\d\d-\d\d \d\d:\d\d UTC \(by telegram:900\)/);
  });
});

describe('human takeover on Slack', () => {
  let slack: FakeSlack;
  beforeEach(async () => {
    slack = await startFakeSlack();
    fx.adopt(slack, [slack.token, slack.signingSecret, slack.appToken]);
  });

  it('pauses a thread when a person of the team replies in it, and only that thread', async () => {
    const { bridge } = await fx.start({
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: slack.signingSecret,
      SLACK_API_URL: `${slack.url}/api`,
      HANDOFF_USERS: 'slack:U0STAFF01',
      HANDOFF_ON_HUMAN_REPLY: 'true',
    });
    const events = `http://127.0.0.1:${bridge.port}/slack/events`;
    const channel = 'C0SUPPORT';
    const { appMention, message } = slack.mention({ channel, user: 'U0CUST001', text: 'help me' });
    await slack.sendEvent(events, appMention);
    await slack.sendEvent(events, message);
    const thread = String(appMention.ts);
    await slack.waitFor(() => slack.postedTo(channel, thread).length === 1, 10_000, 'the first answer');
    // The staff member answers the customer in the thread: the agent steps back there.
    await slack.sendEvent(
      events,
      slack.threadReply({ channel, threadTs: thread, user: 'U0STAFF01', text: 'I got this' }),
    );
    await slack.sendEvent(
      events,
      slack.threadReply({ channel, threadTs: thread, user: 'U0CUST001', text: 'thanks!' }),
    );
    // Another thread still gets answers.
    const other = slack.mention({ channel, user: 'U0CUST002', text: 'question' });
    await slack.sendEvent(events, other.appMention);
    await slack.sendEvent(events, other.message);
    await slack.waitFor(
      () => slack.postedTo(channel, String(other.appMention.ts)).length === 1,
      10_000,
      'other',
    );
    expect(slack.postedTo(channel, thread)).toEqual(['echo: help me']);
    expect(asked()).toEqual(['help me', 'question']);
  });

  it('limits a Slack workspace to ALLOWED_CHATS and tells others once', async () => {
    const { bridge } = await fx.start({
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: slack.signingSecret,
      SLACK_API_URL: `${slack.url}/api`,
      ALLOWED_CHATS: `slack:${slack.teamId}:C0ALLOWED`,
    });
    const events = `http://127.0.0.1:${bridge.port}/slack/events`;
    const allowed = slack.mention({ channel: 'C0ALLOWED', user: 'U0ANY0001', text: 'hi' });
    await slack.sendEvent(events, allowed.appMention);
    await slack.sendEvent(events, allowed.message);
    await slack.sendEvent(events, slack.dm({ user: 'U0ANY0001', text: 'in private' }));
    await slack.sendEvent(events, slack.dm({ user: 'U0ANY0001', text: 'again' }));
    await slack.waitFor(() => slack.dmsTo('U0ANY0001').length === 1, 10_000, 'the private notice');
    await slack.waitFor(
      () => slack.postedTo('C0ALLOWED', String(allowed.appMention.ts)).length === 1,
      10_000,
      'answer',
    );
    expect(slack.dmsTo('U0ANY0001')).toEqual([PRIVATE]);
    expect(asked()).toEqual(['hi']);
  });
});
