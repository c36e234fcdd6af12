/**
 * The bridge's commands on Slack, end to end: the slash command (`SLACK_COMMAND`, over HTTP and
 * Socket Mode), the same words in a DM, and admin alerts by DM. The real Bolt against the Slack fake,
 * the real worker against a real Redis, the fake agent. Commands never reach the agent.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../adapters/slack/index.ts';
import type { CommandRequest, HttpRoute } from '../../src/core/contract.ts';
import { createLogger } from '../../src/logger.ts';
import { loadNotices } from '../../src/notices.ts';
import { type FakeSlack, type SlashCommandInput, slackSignature, startFakeSlack } from '../fakes/slack.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const { commandFailed: FAILED_TEXT, commandWorking: WORKING_TEXT } = loadNotices('en');

const fx = useBridgeFixture({ telegram: false });
let slack: FakeSlack;

beforeEach(async () => {
  slack = await startFakeSlack();
  fx.adopt(slack, [slack.token, slack.signingSecret, slack.appToken]);
});

const ADMIN = 'U0ADMIN01';
const USER = 'U0USER001';
const CHANNEL = 'C0CHAN001';
const NOT_ALLOWED = "Sorry, you're not allowed to use that command.";

/** Starts a bridge with Slack over HTTP and one Slack admin; `events` is its request URL. */
async function start(overrides: Record<string, string> = {}) {
  const started = await fx.start({
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: `${slack.url}/api`,
    ADMIN_USERS: `slack:${ADMIN}`,
    ...overrides,
  });
  const events = `http://127.0.0.1:${started.bridge.port}/slack/events`;
  /** `/aksita <text>`, by default from the user in their DM with the app. */
  const command = (text: string, input: Partial<SlashCommandInput> = {}, options = {}) => {
    const userId = input.userId ?? USER;
    return slack.slashCommand(
      events,
      { command: '/aksita', text, userId, channelId: slack.imChannel(userId), ...input },
      options,
    );
  };
  return { ...started, events, command };
}

describe('the slash command', () => {
  it('shows an admin the credits report, to the admin only, without asking the agent', async () => {
    const { events, command } = await start();
    await slack.sendEvent(events, slack.dm({ user: ADMIN, text: 'hello' }));
    await slack.waitFor(() => slack.dmsTo(ADMIN).length === 1, 10_000, 'the reply');
    const answer = await command('credits', { userId: ADMIN });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ response_type: 'ephemeral' });
    const report = String(answer.body?.text);
    expect(report).toMatch(/^Balance: 9985 credits \(read \d+ s ago\)/);
    expect(report).toContain(`slack:${slack.teamId}:${slack.imChannel(ADMIN)}: 15`);
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['hello']);
    // Answered in the acknowledgement: nothing posted in the DM, nothing sent to response_url.
    expect(slack.dmsTo(ADMIN)).toHaveLength(1);
    expect(slack.responses).toEqual([]);
  });

  it('shows an admin the status in a channel too, and refuses both reports to everyone else', async () => {
    const { command } = await start();
    const status = await command('status', { userId: ADMIN, channelId: CHANNEL, channelName: 'general' });
    expect(status.body?.text).toMatch(/^aksita-bridge \d+\.\d+\.\d+, up \d+ s/);
    expect(status.body?.text).toContain('slack: ok (events API)');
    for (const word of ['credits', 'status', 'CREDITS please']) {
      expect((await command(word)).body).toEqual({ response_type: 'ephemeral', text: NOT_ALLOWED });
    }
    expect(fx.aksita.chats).toHaveLength(0);
  });

  it('answers no text or an unknown word with help listing the commands this user may use', async () => {
    const { command } = await start();
    for (const text of ['', '  ', 'frobnicate']) {
      const help = String((await command(text)).body?.text);
      expect(help).toMatch(/Commands: reset .*, help/);
      expect(help).not.toContain('credits');
    }
    const adminHelp = String((await command('', { userId: ADMIN })).body?.text);
    expect(adminHelp).toMatch(/Commands: credits .*status .*reset .*help/);
    expect(fx.aksita.chats).toHaveLength(0);
  });

  it('resets the conversation of a DM: the next DM starts a new Aksita session', async () => {
    const { events, command } = await start();
    await slack.sendEvent(events, slack.dm({ text: 'first' }));
    await slack.waitFor(() => slack.dmsTo(USER).length === 1, 10_000, 'the first reply');
    const reset = await command('reset');
    expect(reset.body?.text).toMatch(/^Done: I've forgotten our conversation/);
    await slack.sendEvent(events, slack.dm({ text: 'second' }));
    await slack.waitFor(() => slack.dmsTo(USER).length === 2, 10_000, 'the second reply');
    expect(fx.aksita.sessions).toHaveLength(2);
    expect(fx.aksita.chats.map((c) => c.conversationId)).toEqual(fx.aksita.sessions);
  });

  it('explains in a channel that every thread is its own conversation, forgetting none', async () => {
    const { events, command } = await start();
    const { appMention } = slack.mention({ user: ADMIN, text: 'hi' });
    await slack.sendEvent(events, appMention);
    const thread = appMention.ts as string;
    await slack.waitFor(() => slack.postedTo(CHANNEL, thread).length === 1, 10_000, 'the reply');
    const reset = await command('reset', { userId: ADMIN, channelId: CHANNEL });
    expect(reset.body?.text).toMatch(/every thread is its own conversation/);
    await slack.sendEvent(events, slack.threadReply({ threadTs: thread, user: ADMIN, text: 'still there?' }));
    await slack.waitFor(() => slack.postedTo(CHANNEL, thread).length === 2, 10_000, 'the follow-up');
    expect(fx.aksita.sessions).toHaveLength(1);
  });

  it('speaks the language of BRIDGE_LANGUAGE, as every notice does', async () => {
    const { command } = await start({ BRIDGE_LANGUAGE: 'id' });
    const reset = await command('reset', { userId: ADMIN, channelId: CHANNEL });
    expect(reset.body?.text).toBe(loadNotices('id').channelReset);
    expect(reset.body?.text).toMatch(/setiap utas adalah percakapan tersendiri/);
  });

  it('answers under the name SLACK_COMMAND gives it, and not under another', async () => {
    const { command } = await start({ SLACK_COMMAND: '/bot' });
    const help = await command('help', { command: '/bot' });
    expect(help.status).toBe(200);
    expect(help.body?.text).toMatch(/Commands: reset .*, help/);
    const other = await command('help', { command: '/aksita' });
    expect(other.status).toBe(404);
    expect(other.body).toBeNull();
  });

  it('refuses a slash command with a bad signature, another secret or a stale timestamp with 401', async () => {
    const { command } = await start();
    const admin = { userId: ADMIN };
    expect(await command('credits', admin, { badSignature: true })).toMatchObject({
      status: 401,
      body: null,
    });
    expect(await command('credits', admin, { signingSecret: 'not-the-secret' })).toMatchObject({
      status: 401,
      body: null,
    });
    const staleAt = Math.floor(Date.now() / 1000) - 6 * 60;
    expect(await command('credits', admin, { timestamp: staleAt })).toMatchObject({ status: 401 });
    expect((await command('credits', admin)).status).toBe(200);
  });

  it('answers over Socket Mode in the acknowledgement of the envelope', async () => {
    await fx.start({
      SLACK_BOT_TOKEN: slack.token,
      SLACK_APP_TOKEN: slack.appToken,
      SLACK_API_URL: `${slack.url}/api`,
      ADMIN_USERS: `slack:${ADMIN}`,
    });
    const { envelopeId } = slack.socketCommand({
      command: '/aksita',
      text: 'status',
      userId: ADMIN,
      channelId: slack.imChannel(ADMIN),
    });
    await slack.waitFor(() => slack.socketAckPayloads.has(envelopeId), 5_000, 'the ack');
    expect(slack.socketAckPayloads.get(envelopeId)).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('slack: ok (socket mode)'),
    });
  });
});

describe('the same words in a DM', () => {
  it('runs credits (for an admin) and help as commands, in order with the DM, without asking the agent', async () => {
    const { events } = await start();
    await slack.sendEvent(events, slack.dm({ user: ADMIN, text: 'hello' }));
    await slack.sendEvent(events, slack.dm({ user: ADMIN, text: ' Credits ' }));
    await slack.sendEvent(events, slack.dm({ text: '/help' }));
    await slack.waitFor(() => slack.dmsTo(ADMIN).length === 2, 10_000, 'the reply and the report');
    await slack.waitFor(() => slack.dmsTo(USER).length === 1, 10_000, 'the help');
    // The report comes after the reply to "hello", and counts its credits.
    const [reply, report] = slack.dmsTo(ADMIN);
    expect(reply).toBe('echo: hello');
    expect(report).toMatch(/^Balance: 9985 credits/);
    expect(report).toMatch(/today: 15 \(slack 15\)/);
    expect(slack.dmsTo(USER)[0]).toMatch(/Commands: reset .*, help/);
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['hello']);
  });

  it('sends the word credits in a channel mention to the agent, as any other text', async () => {
    const { events } = await start();
    const { appMention } = slack.mention({ user: ADMIN, text: 'credits' });
    await slack.sendEvent(events, appMention);
    await slack.waitFor(() => slack.postedTo(CHANNEL).length === 1, 10_000, 'the reply');
    expect(slack.postedTo(CHANNEL, appMention.ts as string)).toEqual(['echo: credits']);
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['credits']);
  });
});

describe('admin alerts', () => {
  it('alerts the Slack admin by DM once when the balance crosses a threshold going down', async () => {
    fx.aksita.balance = 1020;
    const { events, logs } = await start();
    for (const text of ['a', 'b', 'c']) await slack.sendEvent(events, slack.dm({ text }));
    // The alert is sent before the reply of the turn that crossed the threshold is posted.
    await slack.waitFor(() => slack.dmsTo(USER).length === 3, 10_000, 'three replies');
    const alerts = slack.posted.filter((p) => p.toUser === ADMIN);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ channel: slack.imChannel(ADMIN), mrkdwn: true });
    expect(alerts[0]?.text).toMatch(/^Aksita credits are running low: 990 left \(below 1000\)/);
    expect(logs.find('admin alert not delivered')).toHaveLength(0);
  });
});

describe('an answer that takes long', () => {
  /** Sends a signed slash command straight to the adapter's route; resolves with the JSON answer. */
  async function send(route: HttpRoute, input: SlashCommandInput): Promise<unknown> {
    const body = new URLSearchParams(slack.slashPayload(input)).toString();
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await route.handle(
      new Request('http://bridge.test/slack/events', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Slack-Request-Timestamp': String(timestamp),
          'X-Slack-Signature': slackSignature(slack.signingSecret, timestamp, body),
        },
        body,
      }),
    );
    expect(response.status).toBe(200);
    return response.json();
  }

  it('is acknowledged with "Working on it…" and posted to response_url once ready', async () => {
    const adapter = createSlackAdapter({
      botToken: slack.token,
      signingSecret: slack.signingSecret,
      apiUrl: slack.apiUrl,
      workingReaction: null,
      command: '/aksita',
      commandAckMs: 50,
      log: createLogger({ level: 'silent', secrets: [] }),
    });
    await adapter.init();
    let release = () => {};
    const ready = new Promise<void>((resolve) => {
      release = resolve;
    });
    const requests: CommandRequest[] = [];
    await adapter.start({
      message: async () => {},
      command: async (request) => {
        requests.push(request);
        if (request.name === 'status') throw new Error('redis is down');
        if (request.name === 'credits') await ready;
        return `**${request.name}** for <@${request.userId}>`;
      },
      menu: [],
      adminIds: [],
    });
    try {
      const route = adapter.routes.find((r) => r.path === '/slack/events');
      if (!route) throw new Error('no events route');
      const dm = { command: '/aksita', userId: USER, channelId: slack.imChannel(USER) };
      const responseUrl = `${slack.url}/commands/${slack.teamId}/1/late`;
      expect(await send(route, { ...dm, text: 'credits', responseUrl })).toEqual({
        response_type: 'ephemeral',
        text: WORKING_TEXT,
      });
      expect(slack.responses).toEqual([]);
      // Quick answers still go into the acknowledgement, rendered as mrkdwn; a failure is apologized for.
      expect(await send(route, { ...dm, text: 'help' })).toEqual({
        response_type: 'ephemeral',
        text: `*help* for &lt;@${USER}&gt;`,
      });
      expect(await send(route, { ...dm, text: 'status' })).toEqual({
        response_type: 'ephemeral',
        text: FAILED_TEXT,
      });
      release();
      await slack.waitFor(() => slack.responses.length === 1, 5_000, 'the late answer');
      expect(slack.responses[0]).toMatchObject({
        url: responseUrl,
        body: { response_type: 'ephemeral', text: `*credits* for &lt;@${USER}&gt;` },
      });
      expect(requests[0]).toEqual({
        name: 'credits',
        userId: USER,
        thread: `slack:${slack.teamId}:${slack.imChannel(USER)}`,
        chatType: 'direct',
      });
    } finally {
      release();
      await adapter.stop();
    }
  });
});
