/**
 * The world the Telegram corpus (`telegram-payloads.ts`) is written in: the bot, its users (people,
 * other bots, Telegram's service account, the anonymous admin and channel senders), the chats (private,
 * basic group, supergroup, forum, channel) and builders of updates with increasing message ids.
 */
/** The bot the corpus talks to: the fake Bot API's default bot, so any entry can be replayed end to end. */
export const CORPUS_BOT = { id: 123_456, username: 'aksita_test_bot' };

export const date = 1_717_000_000;
export const bot = { id: CORPUS_BOT.id, is_bot: true, first_name: 'Aksita', username: CORPUS_BOT.username };
export const budi = {
  id: 4_321,
  is_bot: false,
  first_name: 'Budi',
  last_name: 'Santoso',
  username: 'budi',
  language_code: 'id',
};
export const sari = { id: 8_765, is_bot: false, first_name: 'Sari' };
export const privateChat = {
  id: 4_321,
  type: 'private',
  first_name: 'Budi',
  last_name: 'Santoso',
  username: 'budi',
};
export const basicGroup = {
  id: -4_012_345_678,
  type: 'group',
  title: 'Keluarga',
  all_members_are_administrators: true,
};
export const supergroup = {
  id: -1_001_234_567_890,
  type: 'supergroup',
  title: 'Komunitas Aksita',
  username: 'aksita_id',
};
export const forum = { id: -1_009_876_543_210, type: 'supergroup', title: 'Aksita Forum', is_forum: true };
export const channel = {
  id: -1_001_111_111_111,
  type: 'channel',
  title: 'Aksita News',
  username: 'aksita_news',
};
export const groupAnonymousBot = {
  id: 1_087_968_824,
  is_bot: true,
  first_name: 'Group',
  username: 'GroupAnonymousBot',
};
export const channelBot = { id: 136_817_688, is_bot: true, first_name: 'Channel', username: 'Channel_Bot' };
export const telegramService = { id: 777_000, is_bot: false, first_name: 'Telegram' };
export const otherBot = { id: 6_000_000_002, is_bot: true, first_name: 'Helper', username: 'helper_bot' };

let nextId = 100;
/** A `message` update: `fields` over a text-less message from Budi in his private chat. */
export function message(fields: Record<string, unknown>, kind = 'message'): Record<string, unknown> {
  nextId += 1;
  return {
    update_id: 900_000 + nextId,
    [kind]: { message_id: nextId, date, from: budi, chat: privateChat, ...fields },
  };
}
export function text(body: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return message({ text: body, ...fields });
}
export const mention = (offset: number) => ({
  type: 'mention',
  offset,
  length: CORPUS_BOT.username.length + 1,
});
export const command = (length: number) => [{ type: 'bot_command', offset: 0, length }];
export const replyToBot = {
  reply_to_message: { message_id: 7, date, from: bot, chat: supergroup, text: 'Halo!' },
};
