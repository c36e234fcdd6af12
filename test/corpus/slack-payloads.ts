/**
 * Slack Events API payloads as Slack posts them to the Request URL, written from Slack's documented
 * shapes (the `event_callback` envelope with `authorizations` and `event_context`, the `message` event
 * and its subtypes, `app_mention`, Enterprise Grid and Slack Connect fields), each with what the
 * bridge must do with it in `GROUP_MODE=mention`: answer with this exact question, ignore it, or post
 * a notice. The bot is `U0BOT0001` (`B0BOT0001`) installed in workspace `T0CORP001`.
 */
import type { SlackNames } from '../../adapters/slack/normalize.ts';

export const CORPUS_BOT = { userId: 'U0BOT0001', botId: 'B0BOT0001', teamId: 'T0CORP001' };

/** What the bridge must do with a payload. */
export type SlackExpectation =
  /** Ask the agent exactly this, in this thread key (when given). */
  | { answer: string; thread?: string }
  /** Nothing reaches the agent and nothing is posted. */
  | { ignore: true }
  /** The "I can only read text" notice. */
  | { notice: 'textOnly' };

export interface SlackCorpusCase {
  name: string;
  /** The JSON body of the Events API request. */
  body: Record<string, unknown>;
  /** The names the adapter has learned (from `users.info` / `conversations.info`). */
  names?: SlackNames;
  /** The thread already has an agent conversation (a follow-up continues it). */
  inConversation?: boolean;
  expect: SlackExpectation;
}

const TEAM = CORPUS_BOT.teamId;
const DM = 'D0CORPDM1';
const CHANNEL = 'C0GENERAL';
const PARENT = '1764100000.000100';
let clock = 1_764_100_100;

/** A fresh ts, strictly increasing over the corpus. */
function nextTs(): string {
  clock += 1;
  return `${clock}.000200`;
}

interface EnvelopeExtras {
  enterprise?: string;
  extShared?: boolean;
}

/** The `event_callback` envelope, with the authorization of this app's bot. */
function envelope(event: Record<string, unknown>, extras: EnvelopeExtras = {}): Record<string, unknown> {
  const enterprise = extras.enterprise ?? null;
  return {
    token: 'ZZZZZZWSxiZZZ2yIvs3peJ',
    team_id: TEAM,
    ...(enterprise && { enterprise_id: enterprise }),
    context_team_id: TEAM,
    context_enterprise_id: enterprise,
    api_app_id: 'A0CORPAPP',
    event,
    type: 'event_callback',
    event_id: `Ev0${String(clock).slice(-8)}`,
    event_time: clock,
    authorizations: [
      {
        enterprise_id: enterprise,
        team_id: TEAM,
        user_id: CORPUS_BOT.userId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: extras.extShared ?? false,
    event_context: `4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUMENPUlAwMDEiLCJjaWQiOiIke${clock}`,
  };
}

/** A person's `message` in the bot's DM (`im`). */
function dm(text: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  const ts = nextTs();
  return envelope({
    client_msg_id: `5f0e4c1a-0000-4000-8000-${String(clock).padStart(12, '0')}`,
    type: 'message',
    text,
    user: 'U0ANA0001',
    ts,
    blocks: [],
    team: TEAM,
    channel: DM,
    event_ts: ts,
    channel_type: 'im',
    ...fields,
  });
}

/** A person's `message` in a public channel. */
function channelMessage(text: string, fields: Record<string, unknown> = {}, extras?: EnvelopeExtras) {
  const ts = nextTs();
  return envelope(
    {
      type: 'message',
      text,
      user: 'U0ANA0001',
      ts,
      team: TEAM,
      channel: CHANNEL,
      event_ts: ts,
      channel_type: 'channel',
      ...fields,
    },
    extras,
  );
}

/** The `app_mention` event of a message naming the bot. */
function appMention(text: string, fields: Record<string, unknown> = {}, extras?: EnvelopeExtras) {
  const ts = nextTs();
  return envelope(
    {
      type: 'app_mention',
      user: 'U0ANA0001',
      text,
      ts,
      team: TEAM,
      channel: CHANNEL,
      event_ts: ts,
      ...fields,
    },
    extras,
  );
}

const known: SlackNames = {
  users: new Map([['U0BUDI001', 'Budi Santoso']]),
  channels: new Map([['C0RANDOM1', 'random']]),
};

export const slackCorpus: SlackCorpusCase[] = [
  // Direct messages.
  {
    name: 'DM: plain text',
    body: dm('what is the capital of Peru?'),
    expect: { answer: 'what is the capital of Peru?' },
  },
  {
    name: 'DM: escaped entities',
    body: dm('is 1 &lt; 2 &amp;&amp; 3 &gt; 2?'),
    expect: { answer: 'is 1 < 2 && 3 > 2?' },
  },
  {
    name: 'DM: /me (me_message)',
    body: dm('waves hello', { subtype: 'me_message', client_msg_id: undefined }),
    expect: { answer: 'waves hello' },
  },
  {
    name: 'DM: file_share with text',
    body: dm('what is in this picture?', {
      subtype: 'file_share',
      files: [{ id: 'F0PHOTO01', name: 'photo.png', mimetype: 'image/png', filetype: 'png' }],
      upload: false,
      display_as_bot: false,
    }),
    expect: { answer: 'what is in this picture?' },
  },
  {
    name: 'DM: file_share without text',
    body: dm('', { subtype: 'file_share', files: [{ id: 'F0PHOTO02', name: 'scan.pdf' }], upload: false }),
    expect: { notice: 'textOnly' },
  },
  // Markup.
  {
    name: 'markup: a labelled link',
    body: dm('summarize <https://example.com/a?b=1|this page>'),
    expect: { answer: 'summarize this page (https://example.com/a?b=1)' },
  },
  {
    name: 'markup: a bare link with an escaped query',
    body: dm('what is at <https://example.com/search?q=a&amp;page=2>'),
    expect: { answer: 'what is at https://example.com/search?q=a&page=2' },
  },
  {
    name: 'markup: a mailto link',
    body: dm('write to <mailto:a@b.c|a@b.c>'),
    expect: { answer: 'write to a@b.c' },
  },
  {
    name: 'markup: a person the bridge knows',
    body: appMention('<@U0BOT0001> what did <@U0BUDI001> say?'),
    names: known,
    expect: { answer: 'what did @Budi Santoso say?' },
  },
  {
    name: 'markup: a person the bridge does not know',
    body: appMention('<@U0BOT0001> ask <@U0OTHER1> instead'),
    expect: { answer: 'ask @user instead' },
  },
  {
    name: 'markup: broadcasts',
    body: appMention('<!here> <@U0BOT0001> why do people write <!channel> and <!everyone>?'),
    expect: { answer: '@here why do people write @channel and @everyone?' },
  },
  {
    name: 'markup: channels, labelled, cached and unknown',
    body: appMention('<@U0BOT0001> compare <#C0GENERAL|general>, <#C0RANDOM1> and <#C0SECRET1>'),
    names: known,
    expect: { answer: 'compare #general, #random and #channel' },
  },
  {
    name: 'markup: a user group and a date',
    body: appMention(
      '<@U0BOT0001> remind <!subteam^S0DESIGN1|@design> of <!date^1764115200^{date_short}|Nov 26, 2025>',
    ),
    expect: { answer: 'remind @design of Nov 26, 2025' },
  },
  // Mentions in channels and their twin message events.
  {
    name: 'mention: top level opens a thread under it',
    body: appMention('<@U0BOT0001> what is new?', { ts: '1764100050.000300', event_ts: '1764100050.000300' }),
    expect: { answer: 'what is new?', thread: `slack:${TEAM}:${CHANNEL}:1764100050.000300` },
  },
  {
    name: 'mention: its twin message event',
    body: channelMessage('<@U0BOT0001> what is new?', { ts: '1764100050.000300' }),
    expect: { ignore: true },
  },
  {
    name: 'mention: inside a thread answers in that thread',
    body: appMention('<@U0BOT0001> can you help?', { thread_ts: PARENT, parent_user_id: 'U0BUDI001' }),
    expect: { answer: 'can you help?', thread: `slack:${TEAM}:${CHANNEL}:${PARENT}` },
  },
  {
    name: 'mention: the twin of a mention inside a thread',
    body: channelMessage('<@U0BOT0001> can you help?', { thread_ts: PARENT, parent_user_id: 'U0BUDI001' }),
    expect: { ignore: true },
  },
  { name: 'channel: chatter', body: channelMessage('lunch anyone?'), expect: { ignore: true } },
  {
    name: 'thread: a reply in a thread the bot talks in',
    body: channelMessage('and tomorrow?', { thread_ts: PARENT, parent_user_id: 'U0ANA0001' }),
    inConversation: true,
    expect: { answer: 'and tomorrow?', thread: `slack:${TEAM}:${CHANNEL}:${PARENT}` },
  },
  {
    name: 'thread: a reply in a thread the bot is not in',
    body: channelMessage('indeed', { thread_ts: PARENT, parent_user_id: 'U0ANA0001' }),
    expect: { ignore: true },
  },
  {
    name: 'thread: thread_broadcast in a thread the bot talks in',
    body: channelMessage('sharing this with everyone', {
      subtype: 'thread_broadcast',
      thread_ts: PARENT,
      root: { type: 'message', user: 'U0ANA0001', text: 'we have a problem', ts: PARENT, thread_ts: PARENT },
    }),
    inConversation: true,
    expect: { answer: 'sharing this with everyone', thread: `slack:${TEAM}:${CHANNEL}:${PARENT}` },
  },
  {
    name: 'thread: the twin of a thread_broadcast mentioning the bot',
    body: channelMessage('<@U0BOT0001> look', { subtype: 'thread_broadcast', thread_ts: PARENT }),
    expect: { ignore: true },
  },
  {
    name: 'channel: file_share mentioning the bot arrives as app_mention',
    body: appMention('<@U0BOT0001> read this', { files: [{ id: 'F0DOC0001', name: 'notes.txt' }] }),
    expect: { answer: 'read this' },
  },
  {
    name: 'channel: file_share without a mention',
    body: channelMessage('', { subtype: 'file_share', files: [{ id: 'F0DOC0002' }] }),
    expect: { ignore: true },
  },
  // Bots and service subtypes.
  {
    name: 'bot: bot_message',
    body: channelMessage('deploy finished', {
      subtype: 'bot_message',
      bot_id: 'B0CI00001',
      user: undefined,
      username: 'ci',
    }),
    expect: { ignore: true },
  },
  {
    name: 'bot: an app posting with a user id',
    body: dm('hello from an app', {
      bot_id: 'B0OTHER01',
      app_id: 'A0OTHER01',
      bot_profile: { id: 'B0OTHER01' },
    }),
    expect: { ignore: true },
  },
  {
    name: 'bot: its own message',
    body: dm('echo', { user: 'U0BOT0001', bot_id: 'B0BOT0001' }),
    expect: { ignore: true },
  },
  {
    name: 'edit: message_changed',
    body: dm('', {
      subtype: 'message_changed',
      hidden: true,
      user: undefined,
      message: {
        type: 'message',
        user: 'U0ANA0001',
        text: 'edited question',
        ts: PARENT,
        edited: { user: 'U0ANA0001', ts: '1764100300.000000' },
      },
      previous_message: { type: 'message', user: 'U0ANA0001', text: 'question', ts: PARENT },
    }),
    expect: { ignore: true },
  },
  {
    name: 'delete: message_deleted',
    body: dm('', { subtype: 'message_deleted', hidden: true, user: undefined, deleted_ts: PARENT }),
    expect: { ignore: true },
  },
  {
    name: 'service: channel_join',
    body: channelMessage('<@U0ANA0001> has joined the channel', { subtype: 'channel_join' }),
    expect: { ignore: true },
  },
  // Enterprise Grid and Slack Connect.
  {
    name: 'grid: a DM from a Grid user (W… id)',
    body: {
      ...dm('hello from the grid', {
        user: 'W0GRID001',
        team: 'T0CORP001',
        user_team: 'T0CORP001',
        source_team: 'T0CORP001',
      }),
      enterprise_id: 'E0ENTERP1',
    },
    expect: { answer: 'hello from the grid', thread: `slack:${TEAM}:${DM}` },
  },
  {
    name: 'grid: a mention in an org-wide channel',
    body: appMention(
      '<@U0BOT0001> ping <@W0GRID002>',
      { user: 'W0GRID001', team: 'T0SISTER1' },
      { enterprise: 'E0ENTERP1' },
    ),
    names: { users: new Map([['W0GRID002', 'Dewi']]) },
    expect: { answer: 'ping @Dewi' },
  },
  {
    name: 'connect: a mention by a user of another organization',
    body: appMention(
      '<@U0BOT0001> hi from our side',
      {
        user: 'U0EXTERN1',
        team: 'T0PARTNER',
        user_team: 'T0PARTNER',
        source_team: 'T0PARTNER',
        channel: 'C0SHARED1',
        ts: '1764100060.000400',
        event_ts: '1764100060.000400',
      },
      { extShared: true },
    ),
    expect: { answer: 'hi from our side', thread: `slack:${TEAM}:C0SHARED1:1764100060.000400` },
  },
];
