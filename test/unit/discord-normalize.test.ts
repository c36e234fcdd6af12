import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DiscordBotContext,
  type DiscordChannelInfo,
  inspectDiscordMessage,
} from '../../adapters/discord/normalize.ts';

/** The message the adapter hands in for a payload, or `null` (the adapter calls `inspectDiscordMessage`). */
const normalizeDiscordMessage = (...args: Parameters<typeof inspectDiscordMessage>) =>
  inspectDiscordMessage(...args)?.message ?? null;

const BOT = '1100000000000000001';
const HELPERS = '1200000000000000002';
const OTHER_ROLE = '1200000000000000003';
const RESPOND = '1300000000000000003';
const GUILD = '1400000000000000004';
const CHANNEL = '1500000000000000005';
const DM = '1600000000000000006';
const bot: DiscordBotContext = { id: BOT, mentionRoles: [HELPERS], respondChannels: [RESPOND] };
const ana = {
  id: '1700000000000000007',
  username: 'ana',
  global_name: 'Ana Lim',
  discriminator: '0',
  avatar: null,
};
const botUser = { id: BOT, username: 'aksita_bot', global_name: 'Aksita', bot: true };
const at = '2025-11-24T10:00:00.000000+00:00';
const notThread: DiscordChannelInfo = { isThread: false, parentId: null };
const thread = (parentId: string): DiscordChannelInfo => ({ isThread: true, parentId });

function guildMessage(extra: Record<string, unknown> = {}) {
  return {
    id: '1800000000000000008',
    channel_id: CHANNEL,
    channel_type: 0,
    guild_id: GUILD,
    author: ana,
    member: { nick: null, roles: [], joined_at: at },
    content: 'just chatting',
    timestamp: at,
    type: 0,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    ...extra,
  };
}

function directMessage(extra: Record<string, unknown> = {}) {
  const { guild_id: _, member: __, ...rest } = guildMessage({ channel_id: DM, channel_type: 1, ...extra });
  return rest;
}

const normalized = (raw: unknown, channel?: DiscordChannelInfo) => {
  const message = normalizeDiscordMessage(raw, bot, channel);
  if (!message) throw new Error('expected a message');
  return message;
};

describe('normalizeDiscordMessage', () => {
  it('answers a direct message, keyed by its DM channel', () => {
    expect(normalized(directMessage({ content: 'hello bot' }))).toEqual({
      id: `discord:${DM}:1800000000000000008`,
      platform: 'discord',
      thread: `discord:${DM}`,
      address: { channel: DM },
      messageId: '1800000000000000008',
      chatType: 'direct',
      addressed: true,
      text: 'hello bot',
      user: { id: ana.id, displayName: 'Ana Lim' },
      sentAt: Date.parse(at),
    });
  });

  it('leaves guild chatter unaddressed', () => {
    expect(normalized(guildMessage(), notThread)).toMatchObject({
      chatType: 'group',
      addressed: false,
      thread: `discord:${CHANNEL}`,
      text: 'just chatting',
    });
    expect(normalized(guildMessage(), notThread).followUp).toBeUndefined();
  });

  it('is addressed by a mention of the bot, which is removed from the text', () => {
    const cases: Array<[string, string]> = [
      [`<@${BOT}> what is new?`, 'what is new?'],
      [`<@!${BOT}>, what is new?`, 'what is new?'],
      [`so <@${BOT}> what is new?`, 'so what is new?'],
      [`what is new? <@${BOT}>`, 'what is new?'],
      [`<@${BOT}>\nline two`, 'line two'],
    ];
    for (const [content, text] of cases) {
      const raw = guildMessage({ content, mentions: [botUser] });
      expect(inspectDiscordMessage(raw, bot, notThread)).toMatchObject({
        addressedBy: 'mention',
        message: { addressed: true, text },
      });
    }
    expect(normalized(guildMessage({ content: `<@${BOT}>`, mentions: [botUser] })).text).toBe('');
  });

  it('is addressed by a listed role, not by another role; the listed role is removed', () => {
    const listed = guildMessage({ content: `<@&${HELPERS}> my order is late`, mention_roles: [HELPERS] });
    expect(inspectDiscordMessage(listed, bot, notThread)).toMatchObject({
      addressedBy: 'role',
      message: { addressed: true, text: 'my order is late' },
    });
    const other = guildMessage({ content: `<@&${OTHER_ROLE}> lunch?`, mention_roles: [OTHER_ROLE] });
    expect(normalized(other, notThread)).toMatchObject({ addressed: false, text: '@role lunch?' });
  });

  it("is addressed by a mention of the bot's own managed role, which is removed from the text", () => {
    const BOT_ROLE = '1200000000000000009';
    const raw = guildMessage({ content: `<@&${BOT_ROLE}> is the shop open?`, mention_roles: [BOT_ROLE] });
    expect(inspectDiscordMessage(raw, bot, notThread, { botRoles: [BOT_ROLE] })).toMatchObject({
      addressedBy: 'mention',
      message: { addressed: true, text: 'is the shop open?' },
    });
    expect(normalized(raw, notThread).addressed).toBe(false);
  });

  it('is addressed by a reply to the bot, not by a reply to someone else', () => {
    const reply = (author: object) =>
      guildMessage({
        type: 19,
        content: 'and tomorrow?',
        message_reference: { message_id: '1', channel_id: CHANNEL },
        referenced_message: { id: '1', channel_id: CHANNEL, author, content: 'earlier', type: 0 },
      });
    expect(inspectDiscordMessage(reply(botUser), bot, notThread)?.addressedBy).toBe('reply');
    expect(normalized(reply(ana), notThread).addressed).toBe(false);
  });

  it('answers everything in a respond channel and in its threads', () => {
    const here = guildMessage({ channel_id: RESPOND, content: 'anyone?' });
    expect(inspectDiscordMessage(here, bot, notThread)?.addressedBy).toBe('channel');
    const inThread = guildMessage({
      channel_id: '1900000000000000009',
      channel_type: 11,
      content: 'and here?',
    });
    expect(inspectDiscordMessage(inThread, bot, thread(RESPOND))?.addressedBy).toBe('channel');
  });

  it('marks unaddressed messages in a thread as follow-ups, keyed by the thread channel', () => {
    const THREAD = '1900000000000000009';
    const raw = guildMessage({ channel_id: THREAD, channel_type: 11, content: 'it is order 42' });
    const message = normalized(raw, thread(CHANNEL));
    expect(message).toMatchObject({
      thread: `discord:${THREAD}`,
      address: { channel: THREAD },
      addressed: false,
      followUp: true,
    });
    // Without channel info, the payload's channel_type tells a thread.
    expect(normalized(raw).followUp).toBe(true);
    expect(normalized(guildMessage()).followUp).toBeUndefined();
    const mentioned = guildMessage({ channel_id: THREAD, content: `<@${BOT}> hi`, mentions: [botUser] });
    expect(inspectDiscordMessage(mentioned, bot, thread(CHANNEL))).toMatchObject({
      inThread: true,
      message: { addressed: true },
    });
    expect(normalized(mentioned, thread(CHANNEL)).followUp).toBeUndefined();
  });

  it('ignores bots (itself included), webhooks, system authors and system messages', () => {
    const mention = { content: `<@${BOT}> hi`, mentions: [botUser] };
    expect(
      normalizeDiscordMessage(guildMessage({ ...mention, author: { ...ana, bot: true } }), bot),
    ).toBeNull();
    expect(
      normalizeDiscordMessage(directMessage({ author: { ...botUser, bot: undefined } }), bot),
    ).toBeNull();
    expect(normalizeDiscordMessage(guildMessage({ ...mention, webhook_id: '1' }), bot)).toBeNull();
    expect(normalizeDiscordMessage(directMessage({ author: { ...ana, system: true } }), bot)).toBeNull();
    for (const type of [6, 7, 18, 21]) {
      expect(normalizeDiscordMessage(guildMessage({ ...mention, type }), bot)).toBeNull();
    }
  });

  it('gives a file without words a null text, and ignores a message with nothing in it', () => {
    const file = { id: '1', filename: 'photo.png', size: 10, url: 'https://cdn.example/photo.png' };
    expect(normalized(directMessage({ content: '', attachments: [file] })).text).toBeNull();
    expect(normalized(directMessage({ content: 'look', attachments: [file] })).text).toBe('look');
    expect(
      normalized(directMessage({ content: '', sticker_items: [{ id: '1', name: 'hi' }] })).text,
    ).toBeNull();
    expect(normalizeDiscordMessage(directMessage({ content: '' }), bot)).toBeNull();
  });

  it('names the user: guild nickname, then display name, then username', () => {
    const name = (raw: unknown) => normalized(raw).user.displayName;
    expect(name(guildMessage({ member: { nick: 'Nana', roles: [] } }))).toBe('Nana');
    expect(name(guildMessage())).toBe('Ana Lim');
    expect(name(directMessage({ author: { ...ana, global_name: null } }))).toBe('ana');
    expect(name(directMessage({ author: { id: ana.id } }))).toBe(`user ${ana.id}`);
  });

  it("writes other people's mentions as names, so the agent reads who is meant", () => {
    const budi = {
      id: '1700000000000000010',
      username: 'budi',
      global_name: 'Budi',
      member: { nick: 'Pak Budi' },
    };
    const raw = guildMessage({
      content: `<@${BOT}> what did <@${budi.id}> and <@!1700000000000000011> order?`,
      mentions: [botUser, budi],
    });
    expect(normalized(raw).text).toBe('what did @Pak Budi and @user order?');
  });

  it('writes emoji, channels, roles, slash commands and times as the client shows them', () => {
    const raw = directMessage({
      content:
        'so <:pepe_sad:123> <a:dance:456> in <#77> and <#78>, ask <@&79> or <@&80>; </imagine:81> <t:0:R>',
    });
    const names = { channels: { '77': 'general' }, roles: { '79': 'Helpers' } };
    expect(normalizeDiscordMessage(raw, bot, undefined, names)?.text).toBe(
      'so :pepe_sad: :dance: in #general and #channel, ask @Helpers or @role; /imagine 1970-01-01T00:00:00.000Z',
    );
  });

  it('asks about a forwarded message, marked as forwarded; a forward without words gets the notice', () => {
    const forward = (message: Record<string, unknown>) =>
      directMessage({
        content: '',
        message_reference: { type: 1, message_id: '1800000000000000020', channel_id: CHANNEL },
        message_snapshots: [{ message: { content: '', attachments: [], embeds: [], ...message } }],
      });
    expect(normalized(forward({ content: 'is this true?' })).text).toBe('Forwarded message:\nis this true?');
    expect(normalized(forward({ attachments: [{ id: '1' }] })).text).toBeNull();
    expect(normalizeDiscordMessage(forward({}), bot)).toBeNull();
  });

  it('gives a poll or a sticker without words a null text', () => {
    expect(
      normalized(directMessage({ content: '', poll: { question: { text: 'Lunch?' } } })).text,
    ).toBeNull();
    expect(normalized(directMessage({ content: '', stickers: [{ id: '1', name: 'wave' }] })).text).toBeNull();
  });

  it('reads a leading /command, after the mention', () => {
    expect(normalized(directMessage({ content: '/credits' })).command).toEqual({ name: 'credits', args: '' });
    const raw = guildMessage({ content: `<@${BOT}> /Status now`, mentions: [botUser] });
    expect(normalized(raw)).toMatchObject({ command: { name: 'status', args: 'now' }, text: 'now' });
    expect(normalized(directMessage({ content: 'a/b' })).command).toBeUndefined();
  });

  it('takes the time from the timestamp, or else from the snowflake', () => {
    expect(normalized(directMessage()).sentAt).toBe(Date.parse(at));
    // 175928847299117063 is 2016-04-30T11:18:25.796Z in Discord's documentation.
    const raw = directMessage({ id: '175928847299117063', timestamp: undefined });
    expect(normalized(raw).sentAt).toBe(Date.parse('2016-04-30T11:18:25.796Z'));
  });

  it('produces plain JSON', () => {
    const message = normalized(
      guildMessage({ content: `<@${BOT}> hi`, mentions: [botUser] }),
      thread(CHANNEL),
    );
    expect(JSON.parse(JSON.stringify(message))).toEqual(message);
  });

  it('never throws on malformed payloads', () => {
    const malformed: unknown[] = [
      null,
      undefined,
      42,
      'MESSAGE_CREATE',
      [],
      {},
      { id: 1, channel_id: CHANNEL, author: ana, content: 'x' },
      { ...directMessage(), author: null },
      { ...directMessage(), id: '12abc' },
      { ...directMessage(), content: 7 },
      { ...guildMessage(), mentions: 'everyone', mention_roles: {}, referenced_message: 'x' },
      { ...guildMessage(), member: [], timestamp: 'yesterday', type: '0' },
      { ...guildMessage(), attachments: null, sticker_items: 3, embeds: {} },
    ];
    for (const raw of malformed) expect(() => normalizeDiscordMessage(raw, bot, notThread)).not.toThrow();
    expect(normalizeDiscordMessage({ ...directMessage(), id: '12abc' }, bot)).toBeNull();
    fc.assert(
      fc.property(
        fc.anything(),
        fc.record({ content: fc.string(), mentions: fc.anything() }),
        (raw, part) => {
          normalizeDiscordMessage(raw, bot);
          normalizeDiscordMessage({ ...guildMessage(), ...part }, bot, notThread);
        },
      ),
      { numRuns: 300 },
    );
  });
});
