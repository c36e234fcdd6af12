import { TELEGRAM_MAX_MESSAGE } from '../../adapters/telegram/format.ts';
import { createTelegramAdapter } from '../../adapters/telegram/index.ts';
import { normalizeTelegramUpdate } from '../../adapters/telegram/normalize.ts';
import type { PlatformErrorKind } from '../../src/core/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { type SendStep, startFakeTelegram, TELEGRAM_REFUSALS } from '../fakes/telegram.ts';
import { adapterContract } from './adapter-contract.ts';

const bot = { id: 123456, username: 'aksita_test_bot' };
const user = {
  id: 555,
  is_bot: false,
  first_name: 'Ana',
  last_name: 'Lim',
  username: 'ana',
  language_code: 'id',
};
const privateChat = { id: 555, type: 'private', first_name: 'Ana', last_name: 'Lim', username: 'ana' };
const group = { id: -1001234567890, type: 'supergroup', title: 'Support' };

adapterContract({
  platform: 'telegram',
  normalize: (raw) => normalizeTelegramUpdate({ update_id: 1, message: raw }, bot),
  maxMessageLength: TELEGRAM_MAX_MESSAGE,
  fixtures: {
    directText: { message_id: 10, from: user, chat: privateChat, date: 1_764_000_000, text: 'hello bot' },
    groupUnaddressed: { message_id: 11, from: user, chat: group, date: 1_764_000_001, text: 'just chatting' },
    groupMention: {
      message_id: 12,
      from: user,
      chat: group,
      date: 1_764_000_002,
      text: '@aksita_test_bot what is new?',
      entities: [{ type: 'mention', offset: 0, length: 16 }],
    },
    fromOtherBot: {
      message_id: 13,
      from: { id: 999, is_bot: true, first_name: 'Other', username: 'other_bot' },
      chat: group,
      date: 1_764_000_003,
      text: '@aksita_test_bot hi',
    },
    fromSelf: {
      message_id: 14,
      from: { id: bot.id, is_bot: true, first_name: 'Aksita', username: bot.username },
      chat: privateChat,
      date: 1_764_000_004,
      text: 'echo',
    },
    directNoText: {
      message_id: 15,
      from: user,
      chat: privateChat,
      date: 1_764_000_005,
      sticker: {
        file_id: 'CAAD',
        file_unique_id: 'AgAD',
        type: 'regular',
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
      },
    },
    malformed: [
      null,
      42,
      'text',
      [],
      {},
      { chat: null },
      { message_id: '1', chat: { id: 'x' } },
      { from: user },
    ],
  },
  async live(options = {}) {
    const telegram = await startFakeTelegram();
    const log = createLogger({ level: 'silent', secrets: [telegram.token] });
    const adapter = createTelegramAdapter({
      token: telegram.token,
      apiRoot: telegram.apiRoot,
      log,
      ...options,
    });
    await adapter.init();
    const failures: Record<PlatformErrorKind, SendStep> = {
      unauthorized: TELEGRAM_REFUSALS.unauthorized,
      chat_refused: TELEGRAM_REFUSALS.blocked,
      too_long: TELEGRAM_REFUSALS.tooLong,
      rejected: TELEGRAM_REFUSALS.badRequest,
      transient: TELEGRAM_REFUSALS.badGatewayPage,
      rate_limited: { status: 429, retryAfter: 3 },
    };
    return {
      adapter,
      address: { channel: '555' },
      sentTexts: () => telegram.sentTo(555),
      breakPlatform: () => telegram.close(),
      failNext: (kind) => telegram.script(failures[kind]),
      stallNext: () => telegram.script({ hold: true }),
      async close() {
        await adapter.stop();
        await telegram.close();
      },
    };
  },
});
