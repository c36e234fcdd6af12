import { describe, expect, it } from 'vitest';
import { AdminNotifier } from '../../src/core/admin-notifier.ts';
import { Commands } from '../../src/core/commands.ts';
import type { Conversations } from '../../src/core/conversations.ts';
import type { Reports } from '../../src/core/reports.ts';
import { createLogger } from '../../src/logger.ts';
import { loadNotices } from '../../src/notices.ts';

const log = createLogger({ level: 'silent', secrets: [] });
const forgotten: string[] = [];
const conversations = {
  reset: async (thread: string) => void forgotten.push(thread),
} as unknown as Conversations;
const brokenReports = {
  credits: async () => {
    throw new Error('Redis went away');
  },
} as unknown as Reports;

function commands(language: 'en' | 'id' = 'en') {
  return new Commands({
    reports: brokenReports,
    conversations,
    admins: new AdminNotifier({ admins: [{ platform: 'discord', id: '42' }], log }),
    notices: loadNotices(language),
    log,
  });
}

describe('Commands', () => {
  const call = { userId: '7', thread: 'discord:1', chatType: 'group' as const };

  it('answers a failing command with a friendly notice in the bridge language, never an error', async () => {
    const admin = { ...call, userId: '42', name: 'credits' };
    await expect(commands().handle('discord', admin)).resolves.toBe(
      'Sorry, that command did not work this time. Please try again in a moment.',
    );
    await expect(commands('id').handle('discord', admin)).resolves.toMatch(
      /^Maaf, perintah itu belum berhasil/,
    );
  });

  it('refuses admin commands to others without running them', async () => {
    await expect(commands().handle('discord', { ...call, name: 'credits' })).resolves.toBe(
      "Sorry, you're not allowed to use that command.",
    );
    await expect(commands().handle('discord', { ...call, name: 'reset' })).resolves.toBe(
      "Sorry, you're not allowed to use that command.",
    );
    expect(forgotten).toEqual([]);
  });

  it('lets anyone reset a direct chat, and answers an unknown name with help', async () => {
    await expect(
      commands().handle('discord', { ...call, chatType: 'direct', name: 'RESET' }),
    ).resolves.toMatch(/^Done/);
    expect(forgotten).toEqual(['discord:1']);
    await expect(commands().handle('discord', { ...call, name: 'frobnicate' })).resolves.toMatch(
      /^I'm an AI assistant.*\nCommands: help \(what this bot does\)$/s,
    );
  });
});
