/**
 * A sample of the Slack corpus (`test/corpus/slack-payloads.ts`) end to end: signed Events API
 * requests from the Slack fake into a real bridge, answered (or not) as the corpus says, with the
 * names of people looked up through the fake's `users.info`.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { slackCorpus } from '../corpus/slack-payloads.ts';
import { type FakeSlack, startFakeSlack } from '../fakes/slack.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture({ telegram: false });
let slack: FakeSlack;

beforeEach(async () => {
  slack = await startFakeSlack({ teamId: 'T0CORP001', botUserId: 'U0BOT0001', botId: 'B0BOT0001' });
  fx.adopt(slack, [slack.token, slack.signingSecret, slack.appToken]);
});

const pick = (name: string) => {
  const found = slackCorpus.find((c) => c.name === name);
  if (!found) throw new Error(`no corpus case ${name}`);
  return found;
};

describe('the Slack corpus, end to end', () => {
  it('answers /me, markup, a mention (once for its twin), Grid and Connect; ignores bots and edits', async () => {
    slack.users.set('U0BUDI001', 'Budi Santoso');
    const started = await fx.start({
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: slack.signingSecret,
      SLACK_API_URL: `${slack.url}/api`,
    });
    const events = `http://127.0.0.1:${started.bridge.port}/slack/events`;
    const sample = [
      'DM: /me (me_message)',
      'markup: a labelled link',
      'bot: bot_message',
      'edit: message_changed',
      'mention: its twin message event',
      'mention: top level opens a thread under it',
      'markup: a person the bridge knows',
      'connect: a mention by a user of another organization',
      'grid: a DM from a Grid user (W… id)',
    ].map(pick);
    for (const c of sample)
      expect(await slack.post(events, JSON.stringify(c.body)).then((r) => r.status)).toBe(200);
    const answers = sample.flatMap((c) => ('answer' in c.expect ? [c.expect.answer] : []));
    await slack.waitFor(
      () => fx.aksita.chats.length >= answers.length && slack.posted.length >= answers.length,
      15_000,
      'answers',
    );
    // Each thread answers in order; across threads the order is free.
    expect(fx.aksita.chats.map((chat) => chat.message).sort()).toEqual([...answers].sort());
    expect(slack.calls.get('users.info')).toBe(1);
  });
});
