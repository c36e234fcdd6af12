/**
 * Telegram updates as the Bot API documents them (core.telegram.org/bots/api#update), one per kind of
 * message the bridge meets, each with what the bridge must do with it. `issue` names the case of
 * issue 14 an entry reproduces (it failed before that case was fixed).
 */
import type { CommandName } from '../../src/core/commands.ts';
import type { NoticeKey } from '../../src/notices.ts';

/** The bot the corpus talks to: the fake Bot API's default bot, so any entry can be replayed end to end. */
export const CORPUS_BOT = { id: 123_456, username: 'aksita_test_bot' };

/** What the bridge must do with an update. */
export type Expected =
  /** Ask the agent exactly this question, in this thread. */
  | { ask: string; thread?: string }
  /** Post this notice, without calling the agent. */
  | { notice: NoticeKey }
  /** Run this bridge command. */
  | { command: CommandName }
  /** Nothing at all. */
  | 'ignore';

export interface TelegramCase {
  name: string;
  update: Record<string, unknown>;
  expect: Expected;
  /** Default `mention`. */
  groupMode?: 'mention' | 'all';
  /** The `/start` payload kept as context for the chat's next question. */
  remembers?: string;
  /** The thread whose conversation moves to another (a group upgraded to a supergroup). */
  moves?: { from: string; to: string };
  /** The numbered case of issue 14 it reproduces. */
  issue?: number;
}

const date = 1_717_000_000;
const bot = { id: CORPUS_BOT.id, is_bot: true, first_name: 'Aksita', username: CORPUS_BOT.username };
const budi = {
  id: 4_321,
  is_bot: false,
  first_name: 'Budi',
  last_name: 'Santoso',
  username: 'budi',
  language_code: 'id',
};
const sari = { id: 8_765, is_bot: false, first_name: 'Sari' };
const privateChat = {
  id: 4_321,
  type: 'private',
  first_name: 'Budi',
  last_name: 'Santoso',
  username: 'budi',
};
const basicGroup = {
  id: -4_012_345_678,
  type: 'group',
  title: 'Keluarga',
  all_members_are_administrators: true,
};
const supergroup = {
  id: -1_001_234_567_890,
  type: 'supergroup',
  title: 'Komunitas Aksita',
  username: 'aksita_id',
};
const forum = { id: -1_009_876_543_210, type: 'supergroup', title: 'Aksita Forum', is_forum: true };
const channel = { id: -1_001_111_111_111, type: 'channel', title: 'Aksita News', username: 'aksita_news' };
const groupAnonymousBot = {
  id: 1_087_968_824,
  is_bot: true,
  first_name: 'Group',
  username: 'GroupAnonymousBot',
};
const channelBot = { id: 136_817_688, is_bot: true, first_name: 'Channel', username: 'Channel_Bot' };
const telegramService = { id: 777_000, is_bot: false, first_name: 'Telegram' };
const otherBot = { id: 6_000_000_002, is_bot: true, first_name: 'Helper', username: 'helper_bot' };

let nextId = 100;
/** A `message` update: `fields` over a text-less message from Budi in his private chat. */
function message(fields: Record<string, unknown>, kind = 'message'): Record<string, unknown> {
  nextId += 1;
  return {
    update_id: 900_000 + nextId,
    [kind]: { message_id: nextId, date, from: budi, chat: privateChat, ...fields },
  };
}
function text(body: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return message({ text: body, ...fields });
}
const mention = (offset: number) => ({ type: 'mention', offset, length: CORPUS_BOT.username.length + 1 });
const command = (length: number) => [{ type: 'bot_command', offset: 0, length }];
const replyToBot = { reply_to_message: { message_id: 7, date, from: bot, chat: supergroup, text: 'Halo!' } };

export const TELEGRAM_CASES: TelegramCase[] = [
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

  // Supergroups.
  {
    name: 'supergroup reply to the bot',
    update: text('and tomorrow?', { chat: supergroup, ...replyToBot }),
    expect: { ask: 'and tomorrow?', thread: 'telegram:-1001234567890' },
  },
  {
    name: 'supergroup photo with a caption mentioning the bot',
    update: message({
      chat: supergroup,
      photo: [{ file_id: 'AgAD', file_unique_id: 'AQAD', width: 90, height: 67 }],
      caption: 'what is this @aksita_test_bot',
      caption_entities: [mention(13)],
    }),
    expect: { ask: 'what is this' },
  },
  {
    name: 'supergroup sticker replying to the bot',
    update: message({
      chat: supergroup,
      sticker: {
        file_id: 'CAAC',
        file_unique_id: 'x',
        type: 'regular',
        width: 1,
        height: 1,
        is_animated: false,
        is_video: false,
      },
      ...replyToBot,
    }),
    expect: 'ignore',
  },
  {
    name: 'another bot mentioning the bot',
    update: text('@aksita_test_bot ping', { chat: supergroup, from: otherBot, entities: [mention(0)] }),
    expect: 'ignore',
  },
  {
    name: 'edited group message mentioning the bot',
    update: message(
      { chat: supergroup, text: '@aksita_test_bot hi', entities: [mention(0)], edit_date: date + 5 },
      'edited_message',
    ),
    expect: 'ignore',
  },
  {
    name: 'anonymous group admin mentioning the bot',
    update: text('@aksita_test_bot rangkum diskusi hari ini', {
      chat: supergroup,
      from: groupAnonymousBot,
      sender_chat: supergroup,
      author_signature: 'Moderator',
      entities: [mention(0)],
    }),
    expect: { ask: 'rangkum diskusi hari ini' },
    issue: 1,
  },
  {
    name: 'anonymous group admin asking for /credits',
    update: text('/credits@aksita_test_bot', {
      chat: supergroup,
      from: groupAnonymousBot,
      sender_chat: supergroup,
      entities: command(24),
    }),
    expect: { notice: 'anonymousAdmin' },
    issue: 1,
  },
  {
    name: 'anonymous group admin asking to /reset the group',
    update: text('/reset', {
      chat: supergroup,
      from: groupAnonymousBot,
      sender_chat: supergroup,
      entities: command(6),
    }),
    expect: { notice: 'anonymousAdmin' },
    issue: 1,
  },
  {
    name: 'anonymous group admin asking for /help',
    update: text('/help', {
      chat: supergroup,
      from: groupAnonymousBot,
      sender_chat: supergroup,
      entities: command(5),
    }),
    expect: { command: 'help' },
    issue: 1,
  },
  {
    name: 'a message sent as a channel, replying to the bot',
    update: text('Terima kasih! Bagaimana dengan besok?', {
      chat: supergroup,
      from: channelBot,
      sender_chat: channel,
      ...replyToBot,
    }),
    expect: { ask: 'Terima kasih! Bagaimana dengan besok?' },
    issue: 1,
  },
  {
    name: 'automatic forward of a linked channel post, GROUP_MODE=all',
    update: text('Rilis baru: Aksita 2.0', {
      chat: supergroup,
      from: telegramService,
      sender_chat: channel,
      is_automatic_forward: true,
      forward_origin: { type: 'channel', chat: channel, message_id: 56, date },
      forward_from_chat: channel,
      forward_from_message_id: 56,
      forward_date: date,
    }),
    groupMode: 'all',
    expect: 'ignore',
    issue: 2,
  },
  {
    name: 'automatic forward of a channel post that mentions the bot',
    update: text('Tanya @aksita_test_bot di grup diskusi!', {
      chat: supergroup,
      from: telegramService,
      sender_chat: channel,
      is_automatic_forward: true,
      entities: [mention(6)],
    }),
    expect: 'ignore',
    issue: 2,
  },
  {
    name: 'deep link into a group (startgroup)',
    update: text('/start@aksita_test_bot team_onboarding', { chat: supergroup, entities: command(22) }),
    expect: { notice: 'welcome' },
    remembers: 'team_onboarding',
    issue: 3,
  },

  // Forums.
  {
    name: 'forum General topic mention',
    update: text('@aksita_test_bot halo', { chat: forum, entities: [mention(0)] }),
    expect: { ask: 'halo', thread: 'telegram:-1009876543210' },
  },
  {
    name: 'forum topic mention',
    update: text('@aksita_test_bot halo', {
      chat: forum,
      message_thread_id: 12,
      is_topic_message: true,
      reply_to_message: {
        message_id: 12,
        date,
        chat: forum,
        from: budi,
        forum_topic_created: { name: 'Tanya', icon_color: 7322096 },
      },
      entities: [mention(0)],
    }),
    expect: { ask: 'halo', thread: 'telegram:-1009876543210:12' },
  },
  {
    name: 'forum topic chatter (its root is no reply to the bot)',
    update: text('siapa yang ikut?', {
      chat: forum,
      message_thread_id: 12,
      is_topic_message: true,
      reply_to_message: {
        message_id: 12,
        date,
        chat: forum,
        from: budi,
        forum_topic_created: { name: 'Tanya', icon_color: 7322096 },
      },
    }),
    expect: 'ignore',
  },
  {
    name: 'forum topic created',
    update: message({
      chat: forum,
      message_thread_id: 13,
      is_topic_message: true,
      forum_topic_created: { name: 'Baru', icon_color: 7322096 },
    }),
    groupMode: 'all',
    expect: 'ignore',
  },

  // Channels.
  {
    name: 'channel post',
    update: {
      update_id: 3,
      channel_post: {
        message_id: 77,
        date,
        chat: channel,
        sender_chat: channel,
        text: '@aksita_test_bot hello',
      },
    },
    expect: 'ignore',
  },
  {
    name: 'edited channel post',
    update: {
      update_id: 4,
      edited_channel_post: {
        message_id: 77,
        date,
        edit_date: date,
        chat: channel,
        sender_chat: channel,
        text: 'hi',
      },
    },
    expect: 'ignore',
  },
];
