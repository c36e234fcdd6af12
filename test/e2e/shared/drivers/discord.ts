/** The shared suite's Discord: discord.js on the fake gateway and REST; user `n` writes in DM channel `9…0n`. */
import { DISCORD_MAX_MESSAGE } from '../../../../adapters/discord/format.ts';
import { type DiscordSendStep, startFakeDiscord } from '../../../fakes/discord.ts';
import type { PlatformDriver, SendFault } from '../driver.ts';

const dmOf = (chat: number) => String(900_000_000_000_000_000n + BigInt(chat));
const authorOf = (chat: number) => String(222_222_222_222_222_000n + BigInt(chat));

const step = (fault: SendFault): DiscordSendStep =>
  fault === 'pass'
    ? { pass: true }
    : fault === 'connection-reset'
      ? { reset: true }
      : fault === 'server-error'
        ? { status: 502 }
        : { status: 429, retryAfter: fault.rateLimitedSeconds };

export const discordDriver: PlatformDriver = {
  name: 'Discord',
  maxMessageLength: DISCORD_MAX_MESSAGE,
  async open(fx) {
    const discord = await startFakeDiscord();
    fx.adopt(discord, [discord.token]);
    return {
      start: (env = {}) =>
        fx.start({ DISCORD_BOT_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, ...env }),
      async say(chat, content) {
        const message = { channelId: dmOf(chat), authorId: authorOf(chat), content };
        const { id } = discord.userMessage(message);
        // The gateway replays a MESSAGE_CREATE with the same id (a resumed session).
        return { redeliver: async () => void discord.userMessage({ ...message, extra: { id } }) };
      },
      async sayWithoutText(chat, caption) {
        discord.userMessage({
          channelId: dmOf(chat),
          authorId: authorOf(chat),
          attachments: 1,
          content: caption ?? '',
        });
      },
      seen: (chat) => discord.sentTo(dmOf(chat)),
      sendAttempts: () => discord.sendAttempts.map((a) => ({ ok: a.status === 200, at: a.at })),
      failSends: (...faults) => discord.script(...faults.map(step)),
    };
  },
};
