import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { ConfigError } from '../../src/core/errors.ts';

const base = { AKSITA_API_KEY: 'ak-shared-key', TELEGRAM_BOT_TOKEN: '123456:ABC-def_ghi' };

function configError(env: Record<string, string>, missingEnvFile?: string): string {
  try {
    loadConfig(env, missingEnvFile ? { missingEnvFile } : {});
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
      whatsapp: 'ak-shared-key',
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

describe('loadConfig for WhatsApp', () => {
  const whatsapp = {
    AKSITA_API_KEY: 'ak-shared-key',
    WHATSAPP_ACCESS_TOKEN: 'EAAG-system-user-token',
    WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
    WHATSAPP_APP_SECRET: 'app-secret-1',
    WHATSAPP_VERIFY_TOKEN: 'verify-token-1',
  };

  it('takes the four variables with the documented defaults, keeps the secrets for redaction, and names WhatsApp admins', () => {
    const config = loadConfig({ ...whatsapp, ADMIN_USERS: 'whatsapp:6281234567890' });
    expect(config.whatsapp).toEqual({
      accessToken: 'EAAG-system-user-token',
      phoneNumberId: '106540352242922',
      appSecret: 'app-secret-1',
      verifyToken: 'verify-token-1',
      apiRoot: 'https://graph.facebook.com',
      apiVersion: 'v23.0',
      format: 'markdown',
      pacing: true,
    });
    expect(config.secrets).toEqual(
      expect.arrayContaining(['EAAG-system-user-token', 'app-secret-1', 'verify-token-1']),
    );
    expect(config.admins).toEqual([{ platform: 'whatsapp', id: '6281234567890' }]);
    const own = loadConfig({ ...whatsapp, WHATSAPP_FORMAT: 'whatsapp', WHATSAPP_SEND_PACING: 'off' });
    expect(own.whatsapp).toMatchObject({ format: 'whatsapp', pacing: false });
  });

  it('names each variable missing beside the token, a phone number given for its id, and a wrong admin id', () => {
    const { WHATSAPP_APP_SECRET: _secret, WHATSAPP_VERIFY_TOKEN: _verify, ...half } = whatsapp;
    const message = configError(half);
    expect(message).toMatch(/WHATSAPP_APP_SECRET is required with WHATSAPP_ACCESS_TOKEN/);
    expect(message).toMatch(/WHATSAPP_VERIFY_TOKEN is required with WHATSAPP_ACCESS_TOKEN/);
    expect(configError({ ...whatsapp, WHATSAPP_PHONE_NUMBER_ID: '+62 812 3456' })).toMatch(
      /WHATSAPP_PHONE_NUMBER_ID must be the phone number id/,
    );
    expect(configError({ ...whatsapp, WHATSAPP_FORMAT: 'html' })).toMatch(
      /WHATSAPP_FORMAT must be markdown or whatsapp/,
    );
    expect(configError({ ...whatsapp, ADMIN_USERS: 'whatsapp:+62812' })).toMatch(/ADMIN_USERS/);
    expect(configError({ AKSITA_API_KEY: 'k', WHATSAPP_VERIFY_TOKEN: 'v' })).toMatch(/WHATSAPP_VERIFY_TOKEN/);
  });
});

describe('loadConfig reports every problem at once, each with its fix', () => {
  const aksita = { AKSITA_API_KEY: 'ak-shared-key' };

  it('names every bad variable and every half-configured platform in one round', () => {
    const message = configError({
      TELEGRAM_BOT_TOKEN: base.TELEGRAM_BOT_TOKEN,
      TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/telegram/webhook',
      HTTP_PORT: 'eighty',
      SLACK_SIGNING_SECRET: 'signing-secret',
      LOG_FORMAT: 'colourful',
    });
    expect(message).toMatch(/AKSITA_API_KEY is required/);
    expect(message).toMatch(/HTTP_PORT must be a whole number/);
    expect(message).toMatch(/LOG_FORMAT must be json or pretty/);
    expect(message).toMatch(/TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL/);
    expect(message).toMatch(/SLACK_BOT_TOKEN is missing: SLACK_SIGNING_SECRET is set/);
    expect(message.split('\n  - ')).toHaveLength(6);
  });

  it.each([
    ['SLACK_SIGNING_SECRET', 'signing-secret', 'SLACK_BOT_TOKEN', 'Slack'],
    ['SLACK_APP_TOKEN', 'xapp-1-abc', 'SLACK_BOT_TOKEN', 'Slack'],
    ['TELEGRAM_WEBHOOK_SECRET', 'hook-secret', 'TELEGRAM_BOT_TOKEN', 'Telegram'],
    ['DISCORD_MENTION_ROLES', '111', 'DISCORD_BOT_TOKEN', 'Discord'],
    ['AKSITA_API_KEY_DISCORD', 'ak-discord-key', 'DISCORD_BOT_TOKEN', 'Discord'],
  ])('refuses %s without its platform token, naming what is missing', (name, value, token, platform) => {
    // Another platform is on: the half-configured one must not be silently off.
    const other = platform === 'Telegram' ? { DISCORD_BOT_TOKEN: 'discord-token-value' } : base;
    const message = configError({ ...aksita, ...other, [name]: value });
    expect(message).toContain(
      `${token} is missing: ${name} is set, but ${platform} stays off without its token`,
    );
    expect(message).not.toContain(value);
  });

  it('with required variables missing and no .env, says so and how to make one', () => {
    const message = configError({ TELEGRAM_BOT_TOKEN: base.TELEGRAM_BOT_TOKEN }, '/srv/bridge/.env');
    expect(message).toContain('No .env file was found at /srv/bridge/.env');
    expect(message).toContain('cp .env.example .env');
    // With the required variables there, a missing .env is no problem worth a word.
    expect(configError({ ...base, HTTP_PORT: 'eighty' }, '/srv/bridge/.env')).not.toContain('.env');
  });

  it.each(['127.0.0.1:6379', 'localhost:6379', 'https://redis.example.com'])(
    'refuses REDIS_URL=%s with a Redis URL as the example',
    (value) => {
      expect(configError({ ...base, REDIS_URL: value })).toContain(
        'REDIS_URL must be a URL such as redis://127.0.0.1:6379',
      );
    },
  );

  it('gives each URL variable an example of its own kind', () => {
    const message = configError({
      ...base,
      AKSITA_BASE_URL: 'api.aksita.ai',
      TELEGRAM_API_ROOT: 'redis://127.0.0.1',
      TELEGRAM_WEBHOOK_URL: 'bot.example.com',
      TELEGRAM_WEBHOOK_SECRET: 'hook-secret',
    });
    expect(message).toContain('AKSITA_BASE_URL must be a URL such as https://api.aksita.ai');
    expect(message).toContain('TELEGRAM_API_ROOT must be a URL such as https://api.telegram.org');
    expect(message).toContain(
      'TELEGRAM_WEBHOOK_URL must be a URL such as https://bot.example.com/telegram/webhook',
    );
  });

  it('refuses a Redis password with unencoded reserved characters, without echoing it', () => {
    const message = configError({ ...base, REDIS_URL: 'redis://:p@ss#w/rd@redis.internal:6379' });
    expect(message).toMatch(
      /REDIS_URL has @ # \/ in its password or user name: percent-encode them \(@ is %40/,
    );
    expect(message).not.toContain('p@ss');
    expect(configError({ ...base, REDIS_URL: 'redis://:100%sure@redis.internal:6379' })).toMatch(
      /REDIS_URL has a % in its password or user name that is not percent-encoding: write it as %25/,
    );
  });

  it('takes a percent-encoded password and rediss://, and redacts the decoded password', () => {
    const config = loadConfig({
      ...base,
      REDIS_URL: 'rediss://bridge:p%40ss%23w%2Frd@redis.internal:6380/2',
    });
    expect(config.redisUrl).toBe('rediss://bridge:p%40ss%23w%2Frd@redis.internal:6380/2');
    expect(config.secrets).toContain('p@ss#w/rd');
  });

  it('binds HTTP on every interface by default, or on HTTP_HOST', () => {
    expect(loadConfig(base).httpHost).toBe('0.0.0.0');
    expect(loadConfig({ ...base, HTTP_HOST: '127.0.0.1' }).httpHost).toBe('127.0.0.1');
    expect(loadConfig({ ...base, HTTP_HOST: '::' }).httpHost).toBe('::');
    expect(configError({ ...base, HTTP_HOST: 'http://0.0.0.0' })).toMatch(
      /HTTP_HOST must be an address to listen on, such as 0.0.0.0/,
    );
  });

  it('logs JSON and refuses an evicting Redis unless told otherwise', () => {
    expect(loadConfig(base)).toMatchObject({ logFormat: 'json', redisAllowEviction: false });
    expect(loadConfig({ ...base, LOG_FORMAT: 'pretty', REDIS_ALLOW_EVICTION: 'true' })).toMatchObject({
      logFormat: 'pretty',
      redisAllowEviction: true,
    });
  });

  it('reports a broken notices file in the same round as the rest', () => {
    const message = configError({
      ...base,
      BRIDGE_NOTICES_FILE: '/nonexistent/notices.json',
      GROUP_MODE: 'x',
    });
    expect(message).toMatch(/GROUP_MODE must be mention or all/);
    expect(message).toMatch(/BRIDGE_NOTICES_FILE \/nonexistent\/notices.json could not be read/);
  });
});
