import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSlashCommand } from '../../adapters/slack/commands.ts';
import { SLACK_NAMES_MAX, SlackNameCache } from '../../adapters/slack/names.ts';
import {
  normalizeSlackEvent,
  type SlackBotIdentity,
  slackReferences,
} from '../../adapters/slack/normalize.ts';
import { createLogger } from '../../src/logger.ts';

const bot: SlackBotIdentity = { userId: 'U0BOT0001', botId: 'B0BOT0001', teamId: 'T0TEAM001' };
const TS = '1764000000.000100';

/** An `event_callback` envelope as Slack sends it. */
function envelope(event: Record<string, unknown>, team = 'T0TEAM001') {
  return {
    token: 'x',
    team_id: team,
    api_app_id: 'A0APP0001',
    type: 'event_callback',
    event_id: 'Ev0001',
    event_time: 1_764_000_000,
    authorizations: [{ team_id: team, user_id: bot.userId, is_bot: true }],
    event,
  };
}

const dm = (fields: Record<string, unknown> = {}) =>
  envelope({
    type: 'message',
    channel: 'D0DM00001',
    channel_type: 'im',
    user: 'U0USER001',
    text: 'hello bot',
    ts: TS,
    event_ts: TS,
    ...fields,
  });
const inChannel = (fields: Record<string, unknown> = {}) =>
  envelope({
    type: 'message',
    channel: 'C0CHAN001',
    channel_type: 'channel',
    user: 'U0USER001',
    text: 'just chatting',
    ts: TS,
    ...fields,
  });
const mention = (fields: Record<string, unknown> = {}) =>
  envelope({
    type: 'app_mention',
    channel: 'C0CHAN001',
    user: 'U0USER001',
    text: '<@U0BOT0001> what is new?',
    ts: TS,
    ...fields,
  });

const normalize = (raw: unknown) => normalizeSlackEvent(raw, bot);

describe('normalizeSlackEvent', () => {
  it('answers a DM in the DM, keyed by team and channel', () => {
    expect(normalize(dm({ user_profile: { display_name: 'ana', real_name: 'Ana Lim' } }))).toEqual({
      id: `slack:T0TEAM001:D0DM00001:${TS}`,
      platform: 'slack',
      thread: 'slack:T0TEAM001:D0DM00001',
      address: { channel: 'D0DM00001' },
      messageId: TS,
      chatType: 'direct',
      addressed: true,
      text: 'hello bot',
      user: { id: 'U0USER001', displayName: 'ana' },
      sentAt: 1_764_000_000_000,
    });
  });

  it('keeps a DM written in a thread in that thread', () => {
    const message = normalize(dm({ thread_ts: '1764000000.000001' }));
    expect(message).toMatchObject({
      thread: 'slack:T0TEAM001:D0DM00001:1764000000.000001',
      address: { channel: 'D0DM00001', thread: '1764000000.000001' },
      chatType: 'direct',
    });
  });

  it('names the user by real name, then by id, when the event carries no display name', () => {
    expect(
      normalize(dm({ user_profile: { display_name: '', real_name: 'Ana Lim' } }))?.user.displayName,
    ).toBe('Ana Lim');
    expect(normalize(dm())?.user.displayName).toBe('U0USER001');
  });

  it('opens a thread under a top-level mention, with the mention stripped', () => {
    expect(normalize(mention())).toMatchObject({
      id: `slack:T0TEAM001:C0CHAN001:${TS}`,
      thread: `slack:T0TEAM001:C0CHAN001:${TS}`,
      address: { channel: 'C0CHAN001', thread: TS },
      messageId: TS,
      chatType: 'group',
      addressed: true,
      text: 'what is new?',
    });
  });

  it('answers a mention inside a thread in that thread', () => {
    expect(normalize(mention({ thread_ts: '1764000000.000001' }))).toMatchObject({
      id: `slack:T0TEAM001:C0CHAN001:${TS}`,
      thread: 'slack:T0TEAM001:C0CHAN001:1764000000.000001',
      address: { channel: 'C0CHAN001', thread: '1764000000.000001' },
      addressed: true,
    });
  });

  it('strips every form of the mention and unescapes Slack entities', () => {
    const text = (raw: string) => normalize(mention({ text: raw }))?.text;
    expect(text('hey <@U0BOT0001>, is 1 &lt; 2 &amp;&amp; 3 &gt; 2?')).toBe('hey is 1 < 2 && 3 > 2?');
    expect(text('<@U0BOT0001|aksita>: ping')).toBe('ping');
    expect(text('ask <@U0OTHER01> not me')).toBe('ask @user not me');
    expect(text('<@U0BOT0001>')).toBe('');
  });

  it('reads Slack markup as a person does: links, people, channels, broadcasts, groups, dates', () => {
    const names = { users: new Map([['U0OTHER01', 'Budi']]), channels: new Map([['C0RANDOM1', 'random']]) };
    const text = (raw: string) => normalizeSlackEvent(dm({ text: raw }), bot, names)?.text;
    expect(text('see <https://example.com/a?b=1&amp;c=2|this page>')).toBe(
      'see this page (https://example.com/a?b=1&c=2)',
    );
    expect(text('<https://x.io> and <http://y.io|y.io>')).toBe('https://x.io and y.io');
    expect(text('mail <mailto:a@b.c|a@b.c> or <mailto:d@e.f|Dee>')).toBe('mail a@b.c or Dee (d@e.f)');
    expect(text('ask <@U0OTHER01>, <@U0NOBODY1> or <@W0GRID001|ana>')).toBe('ask @Budi, @user or @ana');
    expect(text('<!here> <!channel> <!everyone> <!here|here>')).toBe('@here @channel @everyone @here');
    expect(text('in <#C0GENERAL|general>, <#C0RANDOM1>, <#C0UNKNOWN> and <#C0EMPTY01|>')).toBe(
      'in #general, #random, #channel and #channel',
    );
    expect(text('<!subteam^S0123|@design> and <!subteam^S0456>')).toBe('@design and @team');
    expect(text('due <!date^1392734382^{date} at {time}|Feb 18, 2014 at 6:39 AM PST>')).toBe(
      'due Feb 18, 2014 at 6:39 AM PST',
    );
    expect(text('due <!date^1392734382^{date}>')).toBe('due 2014-02-18T14:39:42.000Z');
    expect(text('1 &lt; 2 &amp;&amp; &amp;lt;b&amp;gt; is code')).toBe('1 < 2 && &lt;b&gt; is code');
    // A label is shown as it was written, never read as markup again.
    expect(text('<https://x.io|a &lt;b&gt;>')).toBe('a <b> (https://x.io)');
  });

  it('lists the people and channels a text names without a name, leaving out the bot', () => {
    expect(
      slackReferences(
        mention({ text: '<@U0BOT0001> ask <@U0OTHER01>, <@U0LABEL01|x> in <#C0ONE0001> <#C0TWO0001|two>' }),
        bot,
      ),
    ).toEqual({ users: ['U0OTHER01'], channels: ['C0ONE0001'] });
    for (const raw of [null, {}, { event: { text: 42 } }])
      expect(slackReferences(raw, bot)).toEqual({ users: [], channels: [] });
  });

  it('answers a /me message like any other', () => {
    expect(normalize(dm({ subtype: 'me_message', text: 'waves at the bot' }))).toMatchObject({
      chatType: 'direct',
      text: 'waves at the bot',
    });
  });

  it('marks a plain thread reply as a follow-up of that thread, not addressed', () => {
    expect(normalize(inChannel({ thread_ts: '1764000000.000001', text: 'and then?' }))).toMatchObject({
      thread: 'slack:T0TEAM001:C0CHAN001:1764000000.000001',
      address: { channel: 'C0CHAN001', thread: '1764000000.000001' },
      chatType: 'group',
      addressed: false,
      followUp: true,
      text: 'and then?',
    });
  });

  it('leaves top-level channel chatter unaddressed and not a follow-up', () => {
    const message = normalize(inChannel());
    expect(message).toMatchObject({ chatType: 'group', addressed: false, text: 'just chatting' });
    expect(message?.followUp).toBeUndefined();
    // A thread's parent carries its own ts as thread_ts: still top level.
    expect(normalize(inChannel({ thread_ts: TS }))?.followUp).toBeUndefined();
  });

  it('skips the message copy of a channel mention (its app_mention carries it), with the same id', () => {
    expect(normalize(inChannel({ text: '<@U0BOT0001> what is new?' }))).toBeNull();
    expect(normalize(inChannel({ text: 'thanks <@U0BOT0001>', thread_ts: '1764000000.000001' }))).toBeNull();
    // In a DM the message event is the one that counts; a stray app_mention there is the copy.
    expect(normalize(dm({ text: '<@U0BOT0001> hi' }))?.text).toBe('hi');
    expect(normalize(mention({ channel: 'D0DM00001' }))).toBeNull();
  });

  it('gives both copies of a mention the same id, whatever the event type', () => {
    const copy = normalize(inChannel({ text: 'what is new?', thread_ts: '1764000000.000001' }));
    expect(copy?.id).toBe(normalize(mention({ thread_ts: '1764000000.000001' }))?.id);
    expect(copy?.thread).toBe(normalize(mention({ thread_ts: '1764000000.000001' }))?.thread);
  });

  it('gives a redelivered event the same id and thread', () => {
    expect(normalize(structuredClone(mention()))?.id).toBe(normalize(mention())?.id);
    expect(normalize(dm())?.id).not.toBe(normalize(dm({ ts: '1764000000.000200' }))?.id);
  });

  it('ignores bots, itself, edits, deletes and other service messages', () => {
    expect(normalize(inChannel({ subtype: 'bot_message', bot_id: 'B0OTHER01', user: undefined }))).toBeNull();
    expect(normalize(dm({ bot_id: 'B0OTHER01' }))).toBeNull();
    expect(normalize(dm({ user: bot.userId, bot_id: bot.botId }))).toBeNull();
    expect(normalize(dm({ user: bot.userId }))).toBeNull();
    expect(normalize(mention({ bot_id: 'B0OTHER01' }))).toBeNull();
    for (const subtype of [
      'message_changed',
      'message_deleted',
      'channel_join',
      'channel_topic',
      'bot_message',
    ])
      expect(normalize(dm({ subtype }))).toBeNull();
    expect(normalize(envelope({ type: 'reaction_added', user: 'U0USER001', item: {} }))).toBeNull();
  });

  it('takes the text of a file share, and gives a file without text a null text', () => {
    expect(normalize(dm({ subtype: 'file_share', text: 'what is this?', files: [{}] }))?.text).toBe(
      'what is this?',
    );
    expect(normalize(dm({ subtype: 'file_share', text: '', files: [{}] }))?.text).toBeNull();
  });

  it('uses the envelope team, then the authorization, then the event, then the bot', () => {
    expect(normalize(dm())?.thread).toBe('slack:T0TEAM001:D0DM00001');
    const { team_id: _t, authorizations: _a, ...bare } = dm({ team: 'T0EVENT01' });
    expect(normalize(bare)?.thread).toBe('slack:T0EVENT01:D0DM00001');
    const { event } = dm();
    expect(normalize({ event })?.thread).toBe('slack:T0TEAM001:D0DM00001');
  });

  it('never throws on malformed or random payloads', () => {
    const malformed: unknown[] = [
      null,
      42,
      'text',
      [],
      {},
      { event: null },
      { event: [] },
      envelope({ type: 'message' }),
      envelope({ type: 'message', channel: 'C1', user: 'U1', ts: 'not-a-ts', text: 'x' }),
      envelope({ type: 'message', channel: { id: 'C1' }, user: 'U1', ts: TS, text: 'x' }),
      envelope({ type: 'message', channel: 'C0CHAN001', user: 'U0USER001', ts: TS, text: 42 }),
      dm({ user_profile: 'weird', thread_ts: 17 }),
      { ...dm(), authorizations: 'x', team_id: 42 },
    ];
    for (const raw of malformed) expect(() => normalize(raw)).not.toThrow();
    expect(normalize(malformed[8])).toBeNull();
    expect(normalize(malformed[10])?.text).toBeNull();
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        normalize(raw);
        normalize({ event: raw });
      }),
      { numRuns: 300 },
    );
  });

  it('turns a DM that is exactly a command word into that command, in any case, with or without a slash', () => {
    for (const [text, name] of [
      ['credits', 'credits'],
      ['  Status ', 'status'],
      ['/reset', 'reset'],
      ['HELP', 'help'],
    ] as const) {
      expect(normalize(dm({ text }))).toMatchObject({ command: { name, args: '' }, chatType: 'direct' });
    }
    // In a thread of the DM too: `reset` there forgets that thread's conversation.
    expect(normalize(dm({ text: 'reset', thread_ts: '1764000000.000001' }))?.command?.name).toBe('reset');
  });

  it('leaves other DM texts, and command words in channels, to the agent', () => {
    for (const text of ['credits please', 'what are my credits?', 'start', '/ help', 'help!']) {
      expect(normalize(dm({ text }))?.command).toBeUndefined();
    }
    expect(normalize(dm({ text: '', subtype: 'file_share', files: [{}] }))?.command).toBeUndefined();
    expect(normalize(mention({ text: '<@U0BOT0001> credits' }))).toMatchObject({ text: 'credits' });
    expect(normalize(mention({ text: '<@U0BOT0001> credits' }))?.command).toBeUndefined();
    expect(normalize(inChannel({ text: 'help' }))?.command).toBeUndefined();
  });

  it('produces plain JSON', () => {
    for (const raw of [dm(), mention(), inChannel({ thread_ts: '1764000000.000001' })]) {
      const message = normalize(raw);
      expect(JSON.parse(JSON.stringify(message))).toEqual(message);
    }
  });
});

describe('readSlashCommand', () => {
  const payload = (fields: Record<string, unknown> = {}) => ({
    command: '/aksita',
    text: 'credits',
    user_id: 'U0USER001',
    channel_id: 'D0DM00001',
    channel_name: 'directmessage',
    team_id: 'T0TEAM001',
    response_url: 'https://hooks.slack.com/commands/T0TEAM001/1/abc',
    ...fields,
  });
  const read = (fields: Record<string, unknown> = {}) => readSlashCommand(payload(fields), 'T0BOT0001');

  it('takes the first word as the command, lower case, and help when there is none', () => {
    expect(read()).toEqual({
      request: {
        name: 'credits',
        userId: 'U0USER001',
        thread: 'slack:T0TEAM001:D0DM00001',
        chatType: 'direct',
      },
      responseUrl: 'https://hooks.slack.com/commands/T0TEAM001/1/abc',
    });
    expect(read({ text: '  Status  now ' })?.request.name).toBe('status');
    expect(read({ text: '' })?.request.name).toBe('help');
    expect(read({ text: '   ' })?.request.name).toBe('help');
    expect(read({ text: undefined })?.request.name).toBe('help');
  });

  it('keys the thread like a message in that channel, and tells DMs from channels', () => {
    expect(read({ channel_id: 'C0CHAN001', channel_name: 'general' })?.request).toMatchObject({
      thread: 'slack:T0TEAM001:C0CHAN001',
      chatType: 'group',
    });
    // A DM is known by its channel name or by its D… id.
    expect(read({ channel_name: 'privategroup' })?.request.chatType).toBe('direct');
    expect(read({ channel_id: 'C0CHAN001', channel_name: 'directmessage' })?.request.chatType).toBe('direct');
    expect(read({ channel_id: 'G0GROUP01', channel_name: 'mpdm-ana--ben-1' })?.request.chatType).toBe(
      'group',
    );
    expect(read({ team_id: undefined })?.request.thread).toBe('slack:T0BOT0001:D0DM00001');
  });

  it('refuses a payload without a user or channel, and ignores a response_url that is not http', () => {
    expect(read({ user_id: undefined })).toBeNull();
    expect(read({ channel_id: 'not an id' })).toBeNull();
    expect(read({ response_url: 'file:///etc/passwd' })?.responseUrl).toBeUndefined();
    expect(() => readSlashCommand({}, '')).not.toThrow();
  });
});

describe('SlackNameCache', () => {
  const log = createLogger({ level: 'silent', secrets: [] });
  function api(users: Record<string, string>, delayMs = 0) {
    const calls: string[] = [];
    const slow = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), delayMs));
    return {
      calls,
      users: {
        info: async ({ user }: { user: string }) => {
          calls.push(user);
          if (!(user in users)) throw new Error('user_not_found');
          return slow({ user: { name: 'handle', profile: { display_name: '', real_name: users[user] } } });
        },
      },
      conversations: {
        info: async ({ channel }: { channel: string }) => {
          calls.push(channel);
          return slow({ channel: { name: 'random' } });
        },
      },
    };
  }

  it('names people and channels once, and remembers who could not be named', async () => {
    const fake = api({ U0BUDI001: 'Budi Santoso' });
    const cache = new SlackNameCache({ api: fake, log });
    const refs = { users: ['U0BUDI001', 'U0GONE001'], channels: ['C0RANDOM1'] };
    expect(await cache.names(refs)).toEqual({
      users: new Map([['U0BUDI001', 'Budi Santoso']]),
      channels: new Map([['C0RANDOM1', 'random']]),
    });
    await cache.names(refs);
    expect(fake.calls).toEqual(['U0BUDI001', 'U0GONE001', 'C0RANDOM1']);
  });

  it('lets a message wait only briefly; a slow look-up names the next one', async () => {
    const fake = api({ U0BUDI001: 'Budi' }, 200);
    const cache = new SlackNameCache({ api: fake, log, waitMs: 20 });
    const started = Date.now();
    expect((await cache.names({ users: ['U0BUDI001'], channels: [] })).users?.size).toBe(0);
    expect(Date.now() - started).toBeLessThan(150);
    await expect
      .poll(async () => (await cache.names({ users: ['U0BUDI001'], channels: [] })).users?.get('U0BUDI001'), {
        timeout: 2_000,
      })
      .toBe('Budi');
    expect(fake.calls).toEqual(['U0BUDI001']);
  });

  it(`keeps at most ${SLACK_NAMES_MAX} names`, async () => {
    const users = Object.fromEntries(
      Array.from({ length: SLACK_NAMES_MAX + 5 }, (_, i) => [`U${i}`, `n${i}`]),
    );
    const fake = api(users);
    const cache = new SlackNameCache({ api: fake, log });
    await cache.names({ users: Object.keys(users), channels: [] });
    await cache.names({ users: ['U0', `U${SLACK_NAMES_MAX + 4}`], channels: [] });
    // The oldest were let go and asked for again; the newest were kept.
    expect(fake.calls.slice(SLACK_NAMES_MAX + 5)).toEqual(['U0']);
  });
});
