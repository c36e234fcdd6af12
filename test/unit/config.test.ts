import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { ConfigError } from '../../src/core/errors.ts';

const base = { AKSITA_API_KEY: 'ak-shared-key', TELEGRAM_BOT_TOKEN: '123456:ABC-def_ghi' };

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      aksitaBaseUrl: 'https://api.aksita.ai',
      aksitaTimeoutMs: 60_000,
      redisUrl: 'redis://127.0.0.1:6379',
      httpPort: 3000,
      role: 'all',
      language: 'en',
      groupMode: 'mention',
      sendUserContext: true,
      logLevel: 'info',
      telegram: { token: '123456:ABC-def_ghi', apiRoot: 'https://api.telegram.org', pacing: true },
    });
    // Agent calls take seconds: a worker must hold thousands of them at once.
    expect(config.workerConcurrency).toBeGreaterThanOrEqual(2_000);
  });

  it('uses a per-platform key when given and falls back to the shared key', () => {
    const config = loadConfig({ ...base, AKSITA_API_KEY_TELEGRAM: 'ak-telegram-key' });
    expect(config.aksitaKeys).toEqual({
      telegram: 'ak-telegram-key',
      discord: 'ak-shared-key',
      slack: 'ak-shared-key',
      cli: 'ak-shared-key',
    });
  });

  it('names the missing API key', () => {
    expect(configError({ TELEGRAM_BOT_TOKEN: base.TELEGRAM_BOT_TOKEN })).toMatch(
      /AKSITA_API_KEY is required/,
    );
  });

  it('names each invalid variable with what is wrong', () => {
    const message = configError({
      ...base,
      HTTP_PORT: 'eighty',
      GROUP_MODE: 'some',
      AKSITA_BASE_URL: 'not a url',
      TELEGRAM_SEND_PACING: 'fast',
    });
    expect(message).toMatch(/HTTP_PORT must be a whole number from 0 to 65535/);
    expect(message).toMatch(/GROUP_MODE must be mention or all/);
    expect(message).toMatch(/AKSITA_BASE_URL must be a URL/);
    expect(message).toMatch(/TELEGRAM_SEND_PACING must be on or off/);
  });

  it('refuses a token that is not a bot token, without echoing it', () => {
    const message = configError({ ...base, TELEGRAM_BOT_TOKEN: 'my-secret-but-wrong' });
    expect(message).toMatch(/TELEGRAM_BOT_TOKEN does not look like a bot token/);
    expect(message).not.toContain('my-secret-but-wrong');
  });

  it('refuses to start with no platform and says which variable enables one', () => {
    expect(configError({ AKSITA_API_KEY: 'ak-shared-key' })).toMatch(/TELEGRAM_BOT_TOKEN/);
  });

  it('requires a webhook secret in webhook mode', () => {
    expect(configError({ ...base, TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/telegram' })).toMatch(
      /TELEGRAM_WEBHOOK_SECRET is required/,
    );
  });

  it('lists every secret for redaction, including a Redis password', () => {
    const config = loadConfig({ ...base, REDIS_URL: 'redis://:s3cret-pass@redis:6379/2' });
    expect(config.secrets).toEqual(
      expect.arrayContaining(['ak-shared-key', '123456:ABC-def_ghi', 's3cret-pass']),
    );
  });
});

describe('loadConfig with a .env-style file', () => {
  it('treats empty variables as unset', () => {
    const config = loadConfig({
      ...base,
      GROUP_MODE: '',
      AKSITA_API_KEY_TELEGRAM: '',
      TELEGRAM_WEBHOOK_URL: ' ',
    });
    expect(config.groupMode).toBe('mention');
    expect(config.aksitaKeys.telegram).toBe('ak-shared-key');
    expect(config.telegram?.webhookUrl).toBeUndefined();
  });
});

describe('loadConfig for Discord and Slack', () => {
  const aksita = { AKSITA_API_KEY: 'ak-shared-key' };

  it('starts with any subset of platforms', () => {
    const discordOnly = loadConfig({ ...aksita, DISCORD_BOT_TOKEN: 'discord-token-value' });
    expect(discordOnly.telegram).toBeUndefined();
    expect(discordOnly.discord).toEqual({
      token: 'discord-token-value',
      apiUrl: 'https://discord.com/api',
      mentionRoles: [],
      respondChannels: [],
      autoThread: false,
    });
    const slackOnly = loadConfig({
      ...aksita,
      SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
      SLACK_SIGNING_SECRET: 'signing-secret',
    });
    expect(slackOnly.slack).toEqual({
      botToken: 'xoxb-1-2-abc',
      signingSecret: 'signing-secret',
      apiUrl: 'https://slack.com/api/',
      workingReaction: 'eyes',
    });
    expect(slackOnly.secrets).toEqual(expect.arrayContaining(['xoxb-1-2-abc', 'signing-secret']));
  });

  it('with no platform, says which variables enable which platform', () => {
    const message = configError(aksita);
    expect(message).toMatch(/TELEGRAM_BOT_TOKEN .* for Telegram/);
    expect(message).toMatch(/DISCORD_BOT_TOKEN .* for Discord/);
    expect(message).toMatch(/SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET .* for Slack/);
  });

  it('parses Discord id lists and the auto-thread switch, and names a bad list', () => {
    const config = loadConfig({
      ...aksita,
      DISCORD_BOT_TOKEN: 'discord-token-value',
      DISCORD_MENTION_ROLES: '111, 222',
      DISCORD_RESPOND_CHANNELS: '333',
      DISCORD_AUTO_THREAD: 'true',
    });
    expect(config.discord).toMatchObject({
      mentionRoles: ['111', '222'],
      respondChannels: ['333'],
      autoThread: true,
    });
    expect(configError({ ...aksita, DISCORD_BOT_TOKEN: 'x', DISCORD_MENTION_ROLES: 'admins' })).toMatch(
      /DISCORD_MENTION_ROLES must be a comma-separated list of numeric ids/,
    );
  });

  it('requires a signing secret or an app token with a Slack bot token, and checks token kinds', () => {
    expect(configError({ ...aksita, SLACK_BOT_TOKEN: 'xoxb-1' })).toMatch(/SLACK_SIGNING_SECRET is required/);
    expect(configError({ ...aksita, SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_SIGNING_SECRET: 's' })).toMatch(
      /SLACK_BOT_TOKEN must be a bot token starting with xoxb-/,
    );
    const socket = loadConfig({ ...aksita, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-abc' });
    expect(socket.slack?.appToken).toBe('xapp-1-abc');
  });

  it('turns the Slack working reaction off when SLACK_WORKING_REACTION is set but empty', () => {
    const slack = { ...aksita, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'signing-secret' };
    expect(loadConfig({ ...slack, SLACK_WORKING_REACTION: '' }).slack?.workingReaction).toBeNull();
    expect(loadConfig({ ...slack, SLACK_WORKING_REACTION: ':hourglass:' }).slack?.workingReaction).toBe(
      'hourglass',
    );
  });
});
