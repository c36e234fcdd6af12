/**
 * Admin reports (`credits`, `status`) name other people's chats and their spend. Asked for by a
 * message in a shared chat, they go to the admin privately (a direct message), never into the chat;
 * the chat is told where the answer went, or that it could not be sent. Slash commands already
 * answer only the caller (ephemeral) and are left as they are.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { AdminNotifier } from '../../src/core/admin-notifier.ts';
import { Commands } from '../../src/core/commands.ts';
import type { Conversations } from '../../src/core/conversations.ts';
import type { CreditReport, Spend } from '../../src/core/credits.ts';
import type { Reports } from '../../src/core/reports.ts';
import { createLogger } from '../../src/logger.ts';
import { loadNotices } from '../../src/notices.ts';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord.ts';
import { TELEGRAM_REFUSALS } from '../fakes/telegram.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const SENT_PRIVATELY = 'I sent the report to you in a private message.';
const NOT_SENT =
  "I couldn't send you the report in a private message. Start a private chat with me and ask there.";

describe('an admin report asked for in a Telegram group', () => {
  const fx = useBridgeFixture();
  const ADMIN = 900;
  const GROUP = -300;
  const group = { chatId: GROUP, chatType: 'supergroup' as const };

  it('goes to the admin by DM; the group gets only a pointer', async () => {
    await fx.start({ ADMIN_USERS: `telegram:${ADMIN}` });
    // Someone's private chat, which the report will name.
    fx.telegram.userMessage({ chatId: 4242, text: 'hello' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(4242).length === 1, 10_000, 'reply');
    fx.telegram.userMessage({ ...group, fromId: ADMIN, text: '/credits@aksita_test_bot' });
    fx.telegram.userMessage({ ...group, fromId: ADMIN, text: '/status' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(GROUP).length === 2, 10_000, 'two pointers');
    await fx.telegram.waitFor(() => fx.telegram.sentTo(ADMIN).length === 2, 10_000, 'two reports');
    expect(fx.telegram.sentTo(GROUP)).toEqual([SENT_PRIVATELY, SENT_PRIVATELY]);
    const [credits, status] = fx.telegram.sentTo(ADMIN);
    expect(credits).toMatch(/^Balance: 9985 credits/);
    expect(credits).toContain('telegram:4242: 15');
    expect(status).toMatch(/^aksita-bridge \d+\.\d+\.\d+, up \d+ s/);
    expect(fx.telegram.sentTo(GROUP).join('\n')).not.toMatch(/4242|Balance|aksita-bridge/);
    expect(fx.aksita.chats.map((c) => c.message)).toEqual(['hello']);
  });

  it('is not posted in the group when the DM is refused: the group is told to ask privately', async () => {
    const { logs } = await fx.start({ ADMIN_USERS: `telegram:${ADMIN}` });
    fx.telegram.refuseChat(ADMIN, TELEGRAM_REFUSALS.notStarted);
    fx.telegram.userMessage({ ...group, fromId: ADMIN, text: '/credits' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(GROUP).length === 1, 10_000, 'the notice');
    expect(fx.telegram.sentTo(GROUP)).toEqual([NOT_SENT]);
    expect(fx.telegram.sentTo(ADMIN)).toEqual([]);
    expect(logs.find('admin report not sent privately')).toHaveLength(1);
  });

  it('still answers in the chat itself when asked in the private chat, and refuses others in the group', async () => {
    await fx.start({ ADMIN_USERS: `telegram:${ADMIN}` });
    fx.telegram.userMessage({ chatId: ADMIN, fromId: ADMIN, text: '/credits' });
    fx.telegram.userMessage({ ...group, fromId: 901, text: '/credits' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(ADMIN).length === 1, 10_000, 'the report');
    await fx.telegram.waitFor(() => fx.telegram.sentTo(GROUP).length === 1, 10_000, 'the refusal');
    expect(fx.telegram.sentTo(ADMIN)[0]).toMatch(/^Balance: /);
    expect(fx.telegram.sentTo(GROUP)).toEqual(["Sorry, you're not allowed to use that command."]);
  });
});

describe('an admin report asked for in a Discord channel message', () => {
  const fx = useBridgeFixture({ telegram: false });
  const ADMIN = '810000000000000001';
  let discord: FakeDiscord;

  beforeEach(async () => {
    discord = await startFakeDiscord();
    fx.adopt(discord, [discord.token]);
  });

  it('goes to the admin by DM; the channel gets only a pointer', async () => {
    await fx.start({
      DISCORD_BOT_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      ADMIN_USERS: `discord:${ADMIN}`,
    });
    const { general } = discord.guild.channels;
    discord.userMessage({ channelId: general, authorId: ADMIN, content: '/credits', mentionsBot: true });
    await discord.waitFor(() => discord.sentTo(general).length === 1, 10_000, 'the pointer');
    expect(discord.sentTo(general)).toEqual([SENT_PRIVATELY]);
    expect(discord.dmChannels.map((d) => d.userId)).toEqual([ADMIN]);
    const dm = discord.dmChannels[0]?.channelId ?? '';
    await discord.waitFor(() => discord.sentTo(dm).length === 1, 10_000, 'the report');
    expect(discord.sentTo(dm)[0]).toMatch(/^Balance: /);
  });
});

describe('Commands.run in a shared chat', () => {
  const log = createLogger({ level: 'silent', secrets: [] });
  const spend: Spend = { total: 0, byPlatform: {}, replies: {}, byAgent: {} };
  const report: CreditReport = {
    balance: null,
    agentBalances: {},
    today: spend,
    last7Days: spend,
    last30Days: spend,
    topChats: [],
  };
  const reports = { credits: async () => report } as unknown as Reports;
  const make = (sendDirect?: (platform: string, userId: string, text: string) => Promise<void>) =>
    new Commands({
      reports,
      conversations: {} as Conversations,
      admins: new AdminNotifier({ admins: [{ platform: 'discord', id: '42' }], log }),
      notices: loadNotices('id'),
      log,
      ...(sendDirect && { sendDirect }),
    });
  const call = { name: 'credits' as const, platform: 'discord' as const, userId: '42', thread: 'discord:1' };

  it('tells the chat, in the bridge language, where the report went or that it could not be sent', async () => {
    const sent: string[] = [];
    const commands = make(async (_platform, userId, text) => void sent.push(`${userId}: ${text}`));
    await expect(commands.run({ ...call, chatType: 'group' })).resolves.toMatch(
      /^Laporannya sudah saya kirim/,
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^42: /);
    await expect(make().run({ ...call, chatType: 'group' })).resolves.toMatch(/^Saya tidak bisa mengirim/);
    const refusing = make(async () => {
      throw new Error('DMs closed');
    });
    await expect(refusing.run({ ...call, chatType: 'group' })).resolves.toMatch(/^Saya tidak bisa mengirim/);
  });

  it('answers ephemeral slash commands in place, without a DM', async () => {
    const sent: string[] = [];
    const commands = make(async (_platform, _userId, text) => void sent.push(text));
    const answer = await commands.handle('discord', { ...call, chatType: 'group' });
    expect(answer).not.toMatch(/^Laporannya/);
    expect(sent).toEqual([]);
  });
});
