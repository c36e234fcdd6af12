/** The shared suite's Slack: Bolt over the signed Events API of the fake; user `n` is `U0USER00n` in DM `D0DM0000n`. */
import { SLACK_MAX_MESSAGE } from '../../../../adapters/slack/format.ts';
import { type PostStep, startFakeSlack } from '../../../fakes/slack.ts';
import type { PlatformDriver, SendFault } from '../driver.ts';

const userOf = (chat: number) => `U0USER00${chat}`;
const dmOf = (chat: number) => `D0DM0000${chat}`;

const step = (fault: SendFault): PostStep =>
  fault === 'pass'
    ? { pass: true }
    : fault === 'connection-reset'
      ? { reset: true }
      : fault === 'server-error'
        ? { status: 503 }
        : { ratelimited: fault.rateLimitedSeconds };

export const slackDriver: PlatformDriver = {
  name: 'Slack',
  maxMessageLength: SLACK_MAX_MESSAGE,
  async open(fx) {
    const slack = await startFakeSlack();
    fx.adopt(slack, [slack.token, slack.signingSecret, slack.appToken]);
    let events = '';
    const deliver = async (event: Parameters<typeof slack.sendEvent>[1], retry = false) => {
      // A retry comes seconds later, signed anew: not the replay of a request the bridge already took.
      const options = retry ? { retryNum: 1, timestamp: Math.floor(Date.now() / 1000) + 2 } : {};
      const status = await slack.sendEvent(events, event, options);
      if (status !== 200) throw new Error(`the bridge answered Slack's event with ${status}`);
    };
    return {
      async start(env = {}) {
        const started = await fx.start({
          SLACK_BOT_TOKEN: slack.token,
          SLACK_SIGNING_SECRET: slack.signingSecret,
          SLACK_API_URL: `${slack.url}/api`,
          ...env,
        });
        events = `http://127.0.0.1:${started.bridge.port}/slack/events`;
        return started;
      },
      async say(chat, text) {
        const event = slack.dm({ user: userOf(chat), channel: dmOf(chat), text });
        await deliver(event);
        // Slack sends an event again, marked as a retry, when it saw no answer in time.
        return { redeliver: () => deliver(event, true) };
      },
      async sayWithoutText(chat, caption) {
        await deliver(
          slack.dm({ user: userOf(chat), channel: dmOf(chat), text: caption ?? '', files: true }),
        );
      },
      seen: (chat) => slack.postedTo(dmOf(chat)),
      sendAttempts: () => slack.postAttempts.map((a) => ({ ok: a.status === 200 && !a.error, at: a.at })),
      failSends: (...faults) => slack.script(...faults.map(step)),
    };
  },
};
