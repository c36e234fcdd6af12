/**
 * The Telegram corpus's updates from private chats and basic groups, each with what the bridge must
 * do. Part of `TELEGRAM_CASES`.
 */

import {
  basicGroup,
  bot,
  budi,
  channel,
  command,
  date,
  groupAnonymousBot,
  mention,
  message,
  otherBot,
  sari,
  supergroup,
  text,
} from './telegram-corpus-world.ts';
import type { TelegramCase } from './telegram-payloads.ts';

export const TELEGRAM_CHAT_CASES: TelegramCase[] = [
  // Private chats.
  {
    name: 'private text',
    update: text('Apa ibu kota Indonesia?'),
    expect: { ask: 'Apa ibu kota Indonesia?', thread: 'telegram:4321' },
  },
  {
    name: 'private photo with a caption',
    update: message({
      photo: [{ file_id: 'AgAD', file_unique_id: 'AQAD', width: 90, height: 67, file_size: 1254 }],
      caption: 'what is in this picture?',
    }),
    expect: { ask: 'what is in this picture?' },
  },
  {
    name: 'private sticker',
    update: message({
      sticker: {
        file_id: 'CAAC',
        file_unique_id: 'AgAD',
        type: 'regular',
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
        emoji: '👍',
      },
    }),
    expect: { notice: 'textOnly' },
  },
  {
    name: 'private voice note',
    update: message({
      voice: { file_id: 'AwAC', file_unique_id: 'AgAD', duration: 3, mime_type: 'audio/ogg' },
    }),
    expect: { notice: 'textOnly' },
  },
  {
    name: 'private contact',
    update: message({ contact: { phone_number: '+628123', first_name: 'Sari' } }),
    expect: { notice: 'textOnly' },
  },
  { name: '/start', update: text('/start', { entities: command(6) }), expect: { notice: 'welcome' } },
  {
    name: 'deep link /start with a payload',
    update: text('/start ref_campaign42', { entities: command(6) }),
    expect: { notice: 'welcome' },
    remembers: 'ref_campaign42',
    issue: 3,
  },
  { name: '/help', update: text('/help', { entities: command(5) }), expect: { command: 'help' } },
  {
    name: '/credits from a person',
    update: text('/credits', { entities: command(8) }),
    expect: { command: 'credits' },
  },
  {
    name: 'a command the bridge does not know keeps its verb',
    update: text('/summarize the war of 1812', { entities: command(10) }),
    expect: { ask: '/summarize the war of 1812' },
    issue: 4,
  },
  {
    name: 'an unknown command alone',
    update: text('/imagine', { entities: command(8) }),
    expect: { ask: '/imagine' },
    issue: 4,
  },
  {
    name: '/ask with a question',
    update: text('/ask what is x?', { entities: command(4) }),
    expect: { ask: 'what is x?' },
  },
  { name: '/ask alone', update: text('/ask', { entities: command(4) }), expect: { notice: 'welcome' } },
  {
    name: 'forward from a channel',
    update: text('Rilis baru: Aksita 2.0', {
      forward_origin: { type: 'channel', chat: channel, message_id: 55, date },
      forward_from_chat: channel,
      forward_from_message_id: 55,
      forward_date: date,
    }),
    expect: { ask: 'Rilis baru: Aksita 2.0' },
  },
  {
    name: 'forward from a person who hides their account',
    update: text('can you check this?', {
      forward_origin: { type: 'hidden_user', sender_user_name: 'Anon', date },
      forward_sender_name: 'Anon',
      forward_date: date,
    }),
    expect: { ask: 'can you check this?' },
  },
  {
    name: 'sent through another bot (via_bot)',
    update: text('Jakarta weather: 31°C', { via_bot: otherBot }),
    expect: { ask: 'Jakarta weather: 31°C' },
  },
  {
    name: "the bot's own inline result",
    update: text('a result the bot made', { via_bot: bot }),
    expect: 'ignore',
  },
  {
    name: 'edited private message',
    update: message({ text: 'edited question', edit_date: date + 60 }, 'edited_message'),
    expect: 'ignore',
  },
  {
    name: 'button press (callback_query)',
    update: { update_id: 1, callback_query: { id: '42', from: budi, chat_instance: '-1', data: 'x' } },
    expect: 'ignore',
  },
  {
    name: 'bot added to a group (my_chat_member)',
    update: {
      update_id: 2,
      my_chat_member: {
        chat: basicGroup,
        from: budi,
        date,
        old_chat_member: { user: bot, status: 'left' },
        new_chat_member: { user: bot, status: 'member' },
      },
    },
    expect: 'ignore',
  },

  // Basic groups.
  { name: 'group chatter', update: text('makan siang di mana?', { chat: basicGroup }), expect: 'ignore' },
  {
    name: 'group chatter with GROUP_MODE=all',
    update: text('makan siang di mana?', { chat: basicGroup }),
    groupMode: 'all',
    expect: { ask: 'makan siang di mana?' },
  },
  {
    name: 'group mention',
    update: text('@aksita_test_bot what time is it in Jakarta?', {
      chat: basicGroup,
      entities: [mention(0)],
    }),
    expect: { ask: 'what time is it in Jakarta?', thread: 'telegram:-4012345678' },
  },
  {
    name: 'group mention by name (text_mention of the bot)',
    update: text('Aksita what is the weather?', {
      chat: basicGroup,
      entities: [{ type: 'text_mention', offset: 0, length: 6, user: bot }],
    }),
    expect: { ask: 'what is the weather?' },
    issue: 7,
  },
  {
    name: 'group: a command to the bot that the bridge does not know',
    update: text('/summarize@aksita_test_bot the war of 1812', { chat: basicGroup, entities: command(26) }),
    expect: { ask: '/summarize the war of 1812' },
    issue: 4,
  },
  {
    name: 'group: a command for another bot',
    update: text('/credits@helper_bot', { chat: basicGroup, entities: command(19) }),
    expect: 'ignore',
  },
  {
    name: 'group: members joined',
    update: message({
      chat: basicGroup,
      new_chat_members: [sari],
      new_chat_member: sari,
      new_chat_participant: sari,
    }),
    groupMode: 'all',
    expect: 'ignore',
  },
  {
    name: 'group: message pinned',
    update: message({
      chat: basicGroup,
      pinned_message: { message_id: 9, date, chat: basicGroup, from: bot, text: 'pinned' },
    }),
    groupMode: 'all',
    expect: 'ignore',
  },
  {
    name: 'group upgraded: migrate_to_chat_id',
    update: message({ chat: basicGroup, migrate_to_chat_id: supergroup.id }),
    groupMode: 'all',
    expect: 'ignore',
    moves: { from: 'telegram:-4012345678', to: 'telegram:-1001234567890' },
    issue: 8,
  },
  {
    name: 'supergroup created from a group: migrate_from_chat_id',
    update: message({
      chat: supergroup,
      from: groupAnonymousBot,
      sender_chat: supergroup,
      migrate_from_chat_id: basicGroup.id,
    }),
    groupMode: 'all',
    expect: 'ignore',
    moves: { from: 'telegram:-4012345678', to: 'telegram:-1001234567890' },
    issue: 8,
  },
];
