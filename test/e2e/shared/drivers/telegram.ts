/** The shared suite's Telegram: grammY long-polling the fake Bot API; user `n` is private chat `700 + n`. */

import { TELEGRAM_MAX_MESSAGE } from '../../../../adapters/telegram/format.ts';
import { type SendStep, startFakeTelegram } from '../../../fakes/telegram.ts';
import type { PlatformDriver, SendFault } from '../driver.ts';

const chatOf = (chat: number) => 700 + chat;

const step = (fault: SendFault): SendStep =>
  fault === 'pass'
    ? { pass: true }
    : fault === 'connection-reset'
      ? { reset: true }
      : fault === 'server-error'
        ? { status: 500 }
        : { status: 429, retryAfter: fault.rateLimitedSeconds };

export const telegramDriver: PlatformDriver = {
  name: 'Telegram',
  maxMessageLength: TELEGRAM_MAX_MESSAGE,
  async open(fx) {
    const telegram = await startFakeTelegram();
    fx.adopt(telegram, [telegram.token]);
    return {
      start: (env = {}) =>
        fx.start({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot, ...env }),
      async say(chat, text) {
        const { updateId } = telegram.userMessage({ chatId: chatOf(chat), text });
        return { redeliver: async () => telegram.redeliver(updateId) };
      },
      async sayWithoutText(chat, caption) {
        telegram.userMessage(
          caption === undefined
            ? { chatId: chatOf(chat), sticker: true }
            : { chatId: chatOf(chat), photo: true, caption },
        );
      },
      seen: (chat) => telegram.sentTo(chatOf(chat)),
      sendAttempts: () => telegram.sendAttempts.map((a) => ({ ok: a.status === 200, at: a.at })),
      failSends: (...faults) => telegram.script(...faults.map(step)),
    };
  },
};
