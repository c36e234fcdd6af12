import { SLACK_MAX_MESSAGE } from '../../adapters/slack/format.ts';
import { createSlackAdapter } from '../../adapters/slack/index.ts';
import { normalizeSlackEvent } from '../../adapters/slack/normalize.ts';
import type { PlatformErrorKind } from '../../src/core/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { type PostStep, startFakeSlack } from '../fakes/slack.ts';
import { adapterContract } from './adapter-contract.ts';

const bot = { userId: 'U0BOT0001', botId: 'B0BOT0001', teamId: 'T0TEAM001' };
const envelope = (event: Record<string, unknown>) => ({
  token: 'x',
  team_id: bot.teamId,
  api_app_id: 'A0APP0001',
  type: 'event_callback',
  event_id: 'Ev0001',
  event_time: 1_764_000_000,
  authorizations: [{ team_id: bot.teamId, user_id: bot.userId, is_bot: true }],
  event,
});
const dm = { type: 'message', channel: 'D0DM00001', channel_type: 'im', user: 'U0USER001' };
const channel = { type: 'message', channel: 'C0CHAN001', channel_type: 'channel', user: 'U0USER001' };

adapterContract({
  platform: 'slack',
  normalize: (raw) => normalizeSlackEvent(raw, bot),
  maxMessageLength: SLACK_MAX_MESSAGE,
  fixtures: {
    directText: envelope({ ...dm, text: 'hello bot', ts: '1764000000.000100' }),
    groupUnaddressed: envelope({ ...channel, text: 'just chatting', ts: '1764000000.000200' }),
    groupMention: envelope({
      type: 'app_mention',
      channel: 'C0CHAN001',
      user: 'U0USER001',
      text: '<@U0BOT0001> what is new?',
      ts: '1764000000.000300',
    }),
    fromOtherBot: envelope({
      ...channel,
      subtype: 'bot_message',
      bot_id: 'B0OTHER01',
      text: 'hi',
      ts: '1764000000.000400',
    }),
    fromSelf: envelope({ ...dm, user: bot.userId, bot_id: bot.botId, text: 'echo', ts: '1764000000.000500' }),
    directNoText: envelope({
      ...dm,
      subtype: 'file_share',
      text: '',
      files: [{ id: 'F1' }],
      ts: '1764000000.000600',
    }),
    malformed: [
      null,
      42,
      'text',
      [],
      {},
      { event: null },
      envelope({ type: 'message' }),
      envelope({ ...dm, ts: 'x' }),
    ],
  },
  async live(options = {}) {
    const slack = await startFakeSlack();
    const log = createLogger({ level: 'silent', secrets: [slack.token] });
    const adapter = createSlackAdapter({
      botToken: slack.token,
      signingSecret: slack.signingSecret,
      apiUrl: slack.apiUrl,
      workingReaction: 'eyes',
      log,
      ...options,
    });
    await adapter.init();
    const failures: Record<PlatformErrorKind, PostStep> = {
      unauthorized: { error: 'token_revoked' },
      chat_refused: { error: 'is_archived' },
      too_long: { error: 'msg_too_long' },
      rejected: { error: 'no_text' },
      transient: { status: 503 },
      rate_limited: { ratelimited: 3 },
    };
    return {
      adapter,
      address: { channel: 'D0DM00001' },
      sentTexts: () => slack.postedTo('D0DM00001'),
      breakPlatform: () => slack.close(),
      failNext: (kind) => slack.script(failures[kind]),
      stallNext: () => slack.script({ hold: true }),
      async close() {
        await adapter.stop();
        await slack.close();
      },
    };
  },
});
