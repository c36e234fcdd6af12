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
      telegram: { token: '123456:ABC-def_ghi', apiRoot: 'https://api.telegram.org' },
    });
    expect(config.workerConcurrency).toBeGreaterThanOrEqual(100);
  });

  it('uses a per-platform key when given and falls back to the shared key', () => {
    const config = loadConfig({ ...base, AKSITA_API_KEY_TELEGRAM: 'ak-telegram-key' });
    expect(config.aksitaKeys).toEqual({
      telegram: 'ak-telegram-key',
      discord: 'ak-shared-key',
      slack: 'ak-shared-key',
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
    });
    expect(message).toMatch(/HTTP_PORT must be a whole number from 0 to 65535/);
    expect(message).toMatch(/GROUP_MODE must be mention or all/);
    expect(message).toMatch(/AKSITA_BASE_URL must be a URL/);
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
