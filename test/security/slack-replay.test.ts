/**
 * A signed Slack request copied and sent again (issue 13): a signature stays valid for 5 minutes on
 * either side of its timestamp, so a copy must be refused for that long, whatever
 * `DEDUPE_TTL_SECONDS` says (it may be 60), and slash commands too, which have no message id to
 * dedupe by. A real bridge in this process against the Slack fake and the real Redis.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fakes/slack.ts';
import { signedHeaders } from '../fakes/slack-wire.ts';
import { deletePrefix } from '../support/bridge.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture({ telegram: false });
let slack: FakeSlack;

beforeEach(async () => {
  slack = await startFakeSlack();
  fx.adopt(slack, [slack.token, slack.signingSecret, slack.appToken]);
});

const USER = 'U0REPLAY1';

/** A bridge with Slack over HTTP and the shortest dedupe TTL the configuration allows. */
async function start(overrides: Record<string, string> = {}) {
  const started = await fx.start({
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: `${slack.url}/api`,
    DEDUPE_TTL_SECONDS: '60',
    ...overrides,
  });
  const events = `http://127.0.0.1:${started.bridge.port}/slack/events`;
  /** Sends exactly these bytes with exactly these headers: what a copy of a captured request is. */
  const replay = async (captured: { body: string; headers: Record<string, string> }) => {
    const res = await fetch(events, { method: 'POST', headers: captured.headers, body: captured.body });
    return { status: res.status, text: await res.text() };
  };
  return { ...started, events, replay };
}

/** A signed request as Slack would send it now, kept to be sent again. */
function capture(body: string, contentType?: string) {
  return { body, headers: signedHeaders(slack.signingSecret, body, {}, contentType) };
}

describe('a replayed signed Slack request', () => {
  it('is not processed again after its dedupe record expired', async () => {
    const { replay, redis, config } = await start();
    const event = capture(JSON.stringify(slack.envelope(slack.dm({ user: USER, text: 'pay me once' }))));
    expect((await replay(event)).status).toBe(200);
    await slack.waitFor(() => slack.dmsTo(USER).length === 1, 10_000, 'the reply');
    // DEDUPE_TTL_SECONDS (60) passes, the signature (valid for 5 minutes) does not.
    await deletePrefix(redis, `${config.redisPrefix}:seen`);
    expect((await replay(event)).status).toBe(200);
    const later = capture(JSON.stringify(slack.envelope(slack.dm({ user: USER, text: 'next' }))));
    expect((await replay(later)).status).toBe(200);
    await slack.waitFor(() => slack.dmsTo(USER).length === 2, 10_000, 'the reply to the next message');
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['pay me once', 'next']);
  });

  it('does not run a slash command twice: /aksita reset replayed forgets the conversation once', async () => {
    const { events, replay, logs } = await start();
    const dm = (text: string) => slack.sendEvent(events, slack.dm({ user: USER, text }));
    await dm('first');
    await slack.waitFor(() => slack.dmsTo(USER).length === 1, 10_000, 'the first reply');
    const payload = slack.slashPayload({
      command: '/aksita',
      text: 'reset',
      userId: USER,
      channelId: slack.imChannel(USER),
    });
    const reset = capture(new URLSearchParams(payload).toString(), 'application/x-www-form-urlencoded');
    const first = await replay(reset);
    expect(first.status).toBe(200);
    expect(first.text).toMatch(/Done: I've forgotten our conversation/);
    await dm('second');
    await slack.waitFor(() => slack.dmsTo(USER).length === 2, 10_000, 'the second reply');
    // The copy: answered, nothing run, nothing forgotten.
    expect(await replay(reset)).toEqual({ status: 200, text: '' });
    await dm('third');
    await slack.waitFor(() => slack.dmsTo(USER).length === 3, 10_000, 'the third reply');
    expect(fx.aksita.sessions).toHaveLength(2);
    expect(fx.aksita.chats.map((c) => c.conversationId)).toEqual([
      fx.aksita.sessions[0],
      fx.aksita.sessions[1],
      fx.aksita.sessions[1],
    ]);
    expect(logs.find('slack request replayed: answered, not processed again')).toHaveLength(1);
  });

  it('is refused by every process of the bridge, the claim being in Redis', async () => {
    const one = await start();
    const two = await start({ REDIS_PREFIX: one.config.redisPrefix });
    const event = capture(JSON.stringify(slack.envelope(slack.dm({ user: USER, text: 'once' }))));
    expect((await one.replay(event)).status).toBe(200);
    await slack.waitFor(() => slack.dmsTo(USER).length === 1, 10_000, 'the reply');
    // Sharing the dedupe records too, but they expired: only the claim is left.
    await deletePrefix(one.redis, `${one.config.redisPrefix}:seen`);
    expect((await two.replay(event)).status).toBe(200);
    const later = capture(JSON.stringify(slack.envelope(slack.dm({ user: USER, text: 'later' }))));
    expect((await two.replay(later)).status).toBe(200);
    await slack.waitFor(() => slack.dmsTo(USER).length === 2, 10_000, 'the reply to the later message');
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['once', 'later']);
    expect(two.logs.find('slack request replayed: answered, not processed again')).toHaveLength(1);
  });
});
