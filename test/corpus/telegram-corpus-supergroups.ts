/**
 * The Telegram corpus's updates from supergroups, forums and channels, each with what the bridge must
 * do. Part of `TELEGRAM_CASES`.
 */

import {
  budi,
  channel,
  channelBot,
  command,
  date,
  forum,
  groupAnonymousBot,
  mention,
  message,
  otherBot,
  replyToBot,
  supergroup,
  telegramService,
  text,
} from './telegram-corpus-world.ts';
import type { TelegramCase } from './telegram-payloads.ts';

export const TELEGRAM_SUPERGROUP_CASES: TelegramCase[] = [
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
