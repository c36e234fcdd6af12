/**
 * The conversation controls' pure parts: the `platform:id` lists and durations of the configuration,
 * their errors (naming the variable, never echoing a value), and who they match.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import {
  listsChat,
  listsPerson,
  parseChats,
  parseDuration,
  parsePeople,
} from '../../src/core/controls/lists.ts';

const base = { AKSITA_API_KEY: 'k', TELEGRAM_BOT_TOKEN: '123456:abcdefghijklmnopqrstuvwxyz012345' };

describe('lists of people', () => {
  it('reads platform ids, Slack ones in any workspace or in one', () => {
    const list = parsePeople(
      ' telegram:123 , discord:456,slack:U0ABC, slack:T0XYZ:U0DEF,whatsapp:6281234567890,',
    );
    expect(list).toEqual([
      { platform: 'telegram', id: '123' },
      { platform: 'discord', id: '456' },
      { platform: 'slack', id: 'U0ABC' },
      { platform: 'slack', id: 'U0DEF', team: 'T0XYZ' },
      { platform: 'whatsapp', id: '6281234567890' },
    ]);
    expect(listsPerson(list, { platform: 'slack', id: 'U0ABC', team: 'T0ANY' })).toBe(true);
    expect(listsPerson(list, { platform: 'slack', id: 'U0DEF', team: 'T0XYZ' })).toBe(true);
    expect(listsPerson(list, { platform: 'slack', id: 'U0DEF', team: 'T0OTHER' })).toBe(false);
    expect(listsPerson(list, { platform: 'discord', id: '123' })).toBe(false);
  });

  it('matches chats as the start of thread keys, not as any prefix of the id', () => {
    const chats = parseChats('telegram:-100123,slack:T0XYZ:C0AB');
    expect(listsChat(chats, 'telegram:-100123')).toBe(true);
    expect(listsChat(chats, 'telegram:-100123:7')).toBe(true);
    expect(listsChat(chats, 'telegram:-1001234')).toBe(false);
    expect(listsChat(chats, 'slack:T0XYZ:C0AB:1700000000.000100')).toBe(true);
    expect(listsChat(chats, 'slack:T0XYZ:C0ABC')).toBe(false);
  });

  it('reads durations in seconds, minutes, hours and days, a bare number as minutes', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('30')).toBe(1_800_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('0m')).toBeUndefined();
  });
});

describe('configuration', () => {
  it('names the variable and the entry of a wrong list, without echoing a pasted token', () => {
    const token = 'xoxb-1234567890-abcdefghijklmnop';
    expect(() => loadConfig({ ...base, ALLOWED_USERS: `telegram:1,${token}` })).toThrow(
      /ALLOWED_USERS has entry 2 of 2 does not start with/,
    );
    try {
      loadConfig({ ...base, BLOCKED_USERS: token, ALLOWED_CHATS: 'telegram', HANDOFF_PAUSE: 'forever' });
    } catch (err) {
      const text = (err as Error).message;
      expect(text).not.toContain(token);
      expect(text).toMatch(/BLOCKED_USERS has entry 1 of 1/);
      expect(text).toMatch(/ALLOWED_CHATS has entry 1 of 1 is not a chat/);
      expect(text).toMatch(/HANDOFF_PAUSE must be a duration/);
      return;
    }
    expect.unreachable('the configuration was accepted');
  });

  it('has every control off or permissive by default', () => {
    expect(loadConfig(base).controls).toEqual({
      allowedUsers: [],
      allowedChats: [],
      blockedUsers: [],
      handoffUsers: [],
      handoffOnHumanReply: false,
      pauseMs: 4 * 3_600_000,
      userRateLimit: 0,
      accessNotice: 'once',
      coalesceWindowMs: 0,
    });
  });
});
