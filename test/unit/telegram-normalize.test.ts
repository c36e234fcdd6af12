import type { Message } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { normalizeTelegramMessage } from '../../adapters/telegram/normalize.ts';

const bot = { id: 777, username: 'aksita_test_bot' };
const alice = { id: 1001, is_bot: false, first_name: 'Alice', last_name: 'Liddell', username: 'alice' };
const privateChat = { id: 1001, type: 'private', first_name: 'Alice' };
const group = { id: -100123, type: 'supergroup', title: 'Tea party' };
const forum = { id: -100555, type: 'supergroup', title: 'Forum', is_forum: true };

function message(fields: Record<string, unknown>): Message {
  return { message_id: 42, date: 1_700_000_000, from: alice, chat: group, ...fields } as unknown as Message;
}

function normalize(fields: Record<string, unknown>) {
  return normalizeTelegramMessage(message(fields), bot);
}

describe('normalizeTelegramMessage', () => {
  it('normalizes a private text message', () => {
    expect(normalize({ chat: privateChat, text: 'Hello there' })).toEqual({
      id: 'telegram:1001:42',
      platform: 'telegram',
      thread: 'telegram:1001',
      address: { channel: '1001' },
      messageId: '42',
      chatType: 'direct',
      addressed: true,
      text: 'Hello there',
      user: { id: '1001', displayName: 'Alice Liddell' },
      sentAt: 1_700_000_000_000,
    });
  });

  it('marks a plain group message as not addressed', () => {
    const result = normalize({ text: 'just chatting' });
    expect(result).toMatchObject({ chatType: 'group', addressed: false, text: 'just chatting' });
    expect(result?.thread).toBe('telegram:-100123');
    expect(result?.command).toBeUndefined();
  });

  it('treats a basic group like a supergroup', () => {
    expect(normalize({ chat: { id: -5, type: 'group', title: 'g' }, text: 'hi' })).toMatchObject({
      chatType: 'group',
      addressed: false,
      thread: 'telegram:-5',
    });
  });

  it('is addressed by a mention entity, which is removed from the text', () => {
    const text = 'hey @Aksita_Test_Bot what is the time?';
    const result = normalize({ text, entities: [{ type: 'mention', offset: 4, length: 16 }] });
    expect(result).toMatchObject({ addressed: true, text: 'hey what is the time?' });
  });

  it('keeps an empty text when the message was only the mention', () => {
    const result = normalize({
      text: '@aksita_test_bot',
      entities: [{ type: 'mention', offset: 0, length: 16 }],
    });
    expect(result).toMatchObject({ addressed: true, text: '' });
  });

  it('removes a leading address mention with its punctuation', () => {
    const result = normalize({
      text: '@aksita_test_bot, summarise this',
      entities: [{ type: 'mention', offset: 0, length: 16 }],
    });
    expect(result).toMatchObject({ addressed: true, text: 'summarise this' });
  });

  it('is not addressed by a mention of another user', () => {
    const text = '@alice_bob look at this, @aksita_test_botanist too';
    const result = normalize({
      text,
      entities: [
        { type: 'mention', offset: 0, length: 10 },
        { type: 'mention', offset: 25, length: 22 },
      ],
    });
    expect(result).toMatchObject({ addressed: false, text });
  });

  it('is addressed by a text_mention of the bot', () => {
    const result = normalize({
      text: 'Aksita help me',
      entities: [
        { type: 'text_mention', offset: 0, length: 6, user: { id: 777, is_bot: true, first_name: 'A' } },
      ],
    });
    expect(result?.addressed).toBe(true);
  });

  it('falls back to a word match when the entities are missing', () => {
    expect(normalize({ text: 'ok @AKSITA_TEST_BOT go' })).toMatchObject({ addressed: true, text: 'ok go' });
    expect(normalize({ text: 'mail me@aksita_test_bot' })).toMatchObject({ addressed: false });
  });

  it('computes entity substrings in UTF-16 units after emoji', () => {
    const text = '👨‍👩‍👧🇫🇷 @aksita_test_bot hi';
    const offset = text.indexOf('@'); // 13 UTF-16 units, 5 code points
    expect(offset).toBe(13);
    const result = normalize({ text, entities: [{ type: 'mention', offset, length: 16 }] });
    expect(result).toMatchObject({ addressed: true, text: '👨‍👩‍👧🇫🇷 hi' });
    // The same entity measured in code points would point elsewhere and not address the bot.
    expect(normalize({ text, entities: [{ type: 'mention', offset: 5, length: 16 }] })?.addressed).toBe(
      false,
    );
  });

  it('is addressed by a reply to one of the bot messages', () => {
    const reply_to_message = {
      message_id: 41,
      date: 1,
      chat: group,
      from: { id: 777, is_bot: true, first_name: 'A' },
    };
    expect(normalize({ text: 'and then?', reply_to_message })).toMatchObject({
      addressed: true,
      text: 'and then?',
    });
    const toAlice = { ...reply_to_message, from: alice };
    expect(normalize({ text: 'and then?', reply_to_message: toAlice })?.addressed).toBe(false);
  });

  it('parses a bare command, which addresses the bot in a group', () => {
    const result = normalize({ text: '/start', entities: [{ type: 'bot_command', offset: 0, length: 6 }] });
    expect(result).toMatchObject({ addressed: true, command: { name: 'start', args: '' }, text: '' });
  });

  it('parses a command addressed to this bot, with its arguments as the text', () => {
    const result = normalize({
      text: '/Ask@aksita_test_bot   hello  world ',
      entities: [{ type: 'bot_command', offset: 0, length: 20 }],
    });
    expect(result).toMatchObject({
      addressed: true,
      command: { name: 'ask', args: 'hello  world' },
      text: 'hello  world',
    });
  });

  it('ignores a command addressed to another bot', () => {
    const result = normalize({
      text: '/start@otherbot',
      entities: [{ type: 'bot_command', offset: 0, length: 15 }],
    });
    expect(result).not.toBeNull();
    expect(result?.command).toBeUndefined();
    expect(result?.addressed).toBe(false);
    expect(result?.text).toBe('/start@otherbot');
  });

  it('reads a command in a private chat', () => {
    const result = normalize({
      chat: privateChat,
      text: '/ask what is x',
      entities: [{ type: 'bot_command', offset: 0, length: 4 }],
    });
    expect(result).toMatchObject({
      chatType: 'direct',
      command: { name: 'ask', args: 'what is x' },
      text: 'what is x',
    });
  });

  it('gives a forum topic its own thread key and address', () => {
    const result = normalize({
      chat: forum,
      text: 'in a topic',
      is_topic_message: true,
      message_thread_id: 9,
    });
    expect(result).toMatchObject({
      id: 'telegram:-100555:42',
      thread: 'telegram:-100555:9',
      address: { channel: '-100555', thread: '9' },
    });
  });

  it('does not treat the topic creation message as a reply to the bot', () => {
    const root = { message_id: 9, date: 1, chat: forum, from: { id: 777, is_bot: true, first_name: 'A' } };
    const fields = { chat: forum, text: 'x', is_topic_message: true, message_thread_id: 9 };
    expect(
      normalize({ ...fields, reply_to_message: { ...root, forum_topic_created: { name: 't' } } })?.addressed,
    ).toBe(false);
    expect(normalize({ ...fields, reply_to_message: { ...root, message_id: 30 } })?.addressed).toBe(true);
  });

  it('keeps a reply in a non-forum group in the chat thread', () => {
    const reply_to_message = { message_id: 30, date: 1, chat: group, from: alice };
    const result = normalize({ text: 'replying', message_thread_id: 30, reply_to_message });
    expect(result?.thread).toBe('telegram:-100123');
    expect(result?.address).toEqual({ channel: '-100123' });
  });

  it('uses the caption as text, with caption entities', () => {
    const result = normalize({
      photo: [{ file_id: 'p', file_unique_id: 'u', width: 1, height: 1 }],
      caption: 'look @aksita_test_bot',
      caption_entities: [{ type: 'mention', offset: 5, length: 16 }],
    });
    expect(result).toMatchObject({ addressed: true, text: 'look' });
  });

  it('keeps content without text, with text null', () => {
    const sticker = {
      file_id: 's',
      file_unique_id: 'u',
      type: 'regular',
      width: 1,
      height: 1,
      is_animated: false,
    };
    const result = normalize({ chat: privateChat, sticker });
    expect(result).not.toBeNull();
    expect(result?.text).toBeNull();
    expect(
      normalize({ chat: privateChat, voice: { file_id: 'v', file_unique_id: 'u', duration: 2 } })?.text,
    ).toBeNull();
  });

  it('drops messages from bots, including itself', () => {
    expect(normalize({ text: 'beep', from: { id: 5, is_bot: true, first_name: 'Other' } })).toBeNull();
    expect(normalize({ text: 'echo', from: { id: 777, is_bot: true, first_name: 'Aksita' } })).toBeNull();
  });

  it('drops service messages', () => {
    expect(normalize({ new_chat_members: [alice] })).toBeNull();
    expect(normalize({ left_chat_member: alice })).toBeNull();
    expect(normalize({ new_chat_title: 'Renamed' })).toBeNull();
    expect(normalize({ pinned_message: { message_id: 1, date: 1, chat: group } })).toBeNull();
  });

  it('returns null for malformed input without throwing', () => {
    const inputs: unknown[] = [
      {},
      null,
      undefined,
      42,
      'text',
      [],
      { chat: null },
      { message_id: 1, date: 1, chat: group, text: 'no sender' },
      { message_id: 1, date: 1, from: alice, text: 'no chat' },
      { message_id: '1', date: 1, from: alice, chat: group, text: 'id as string' },
      { message_id: 1, date: 1, from: alice, chat: { ...group, id: '-100123' }, text: 'chat id as string' },
      { message_id: 1, date: 1, from: { ...alice, id: '1001' }, chat: group, text: 'user id as string' },
      { message_id: 1, date: 1, from: 'alice', chat: group, text: 'sender as string' },
    ];
    for (const input of inputs) {
      expect(() => normalizeTelegramMessage(input as Message, bot)).not.toThrow();
      expect(normalizeTelegramMessage(input as Message, bot)).toBeNull();
    }
  });

  it('survives malformed optional fields', () => {
    const result = normalize({
      text: '/ask hi',
      entities: [null, 'x', { type: 'bot_command', offset: 0, length: 99 }, { type: 'mention' }],
      reply_to_message: 'oops',
      date: 'yesterday',
      from: { id: 1001, first_name: 7 },
    });
    expect(result).toMatchObject({ addressed: false, text: '/ask hi', sentAt: 0 });
    expect(result?.command).toBeUndefined();
    expect(result?.user.displayName).toBe('user 1001');
    const getter = message({ text: 'hi' });
    Object.defineProperty(getter, 'entities', {
      get() {
        throw new Error('boom');
      },
    });
    expect(normalizeTelegramMessage(getter, bot)).toBeNull();
  });

  it('takes a message written as a chat to be from that chat, an anonymous user', () => {
    const anonymousAdmin = {
      id: 1087968824,
      is_bot: true,
      first_name: 'Group',
      username: 'GroupAnonymousBot',
    };
    const channel = { id: -100999, type: 'channel', title: 'News' };
    expect(normalize({ text: 'hi', from: anonymousAdmin, sender_chat: group })?.user).toEqual({
      id: '-100123',
      displayName: 'Tea party',
      anonymous: true,
    });
    const asChannel = normalize({
      text: 'hi',
      from: { ...anonymousAdmin, id: 136817688 },
      sender_chat: channel,
    });
    expect(asChannel?.user).toEqual({ id: '-100999', displayName: 'News', anonymous: true });
    expect(normalize({ text: 'hi', from: anonymousAdmin, sender_chat: { title: 'no id' } })).toBeNull();
  });

  it('removes a text_mention of the bot in the middle of the text, and keeps other people named', () => {
    const result = normalize({
      text: 'tell Alice, Aksita, what time it is',
      entities: [
        { type: 'text_mention', offset: 5, length: 5, user: alice },
        {
          type: 'text_mention',
          offset: 12,
          length: 6,
          user: { id: bot.id, is_bot: true, first_name: 'Aksita' },
        },
      ],
    });
    expect(result).toMatchObject({ addressed: true, text: 'tell Alice, what time it is' });
  });

  it('falls back from full name to username to the id for the display name', () => {
    const named = (from: Record<string, unknown>) =>
      normalize({ text: 'x', from: { id: 5, is_bot: false, ...from } });
    expect(named({ first_name: 'Ann' })?.user.displayName).toBe('Ann');
    expect(named({ first_name: 'Ann', last_name: 'Lee' })?.user.displayName).toBe('Ann Lee');
    expect(named({ first_name: ' ', username: 'ann_lee' })?.user.displayName).toBe('@ann_lee');
    expect(named({})?.user.displayName).toBe('user 5');
  });
});
