/**
 * `npm run cli -- doctor`: a checklist of what a first run needs, with the fix for each failure, exit
 * code 0 only when nothing failed, and no secret in its output. Against the fakes and the real Redis.
 */
import { describe, expect, it } from 'vitest';
import { doctor as runDoctor } from '../../src/doctor.ts';
import { startFakeDiscord } from '../fakes/discord.ts';
import { startFakeSlack } from '../fakes/slack.ts';
import { spawnBridge } from '../support/bridge.ts';
import { useBridgeFixture } from '../support/fixture.ts';
import { startOwnRedis } from '../support/redis-server.ts';

const fx = useBridgeFixture();

/**
 * Runs the doctor against `env`: as `npm run cli -- doctor` in a child process (`spawned`), or in this
 * process (quicker: no start-up of its own).
 */
async function doctor(env: Record<string, string>, options: { spawned?: boolean } = {}) {
  let code: number | null;
  let output = '';
  if (options.spawned) {
    const run = spawnBridge({ ...env, LOG_LEVEL: '' }, { entry: 'cli', args: ['doctor'] });
    code = (await run.exited).code;
    output = run.output();
  } else {
    code = await runDoctor(env, {
      envFile: false,
      styled: false,
      write: (text) => {
        output += text;
      },
    });
  }
  for (const secret of [fx.telegram.token, env.AKSITA_API_KEY ?? 'test-key'])
    expect(output).not.toContain(secret);
  return { code, output };
}

/** The checklist line of `name` (and its detail and fix lines). */
function item(output: string, name: string): string {
  const lines = output.split('\n');
  const at = lines.findIndex((line) => line.includes(` ${name}: `));
  if (at === -1) return '';
  const rest = lines.slice(at + 1);
  const end = rest.findIndex((line) => !line.startsWith('       '));
  return [lines[at], ...rest.slice(0, end === -1 ? rest.length : end)].join('\n');
}

describe('npm run cli -- doctor', () => {
  it('passes with exit code 0 when everything a first run needs is in place', async () => {
    const run = await doctor(fx.env({ ADMIN_USERS: 'telegram:42' }), { spawned: true });
    expect(run.code).toBe(0);
    expect(item(run.output, 'Configuration')).toMatch(
      /^ {2}ok {3}Configuration: read from the environment \(no \.env here\); platforms: telegram/,
    );
    expect(item(run.output, 'Redis')).toMatch(/^ {2}ok {3}Redis: redis:\/\/\S+ answers \(Redis \d+\.\d+/);
    expect(item(run.output, 'Redis eviction policy')).toMatch(/ok {3}Redis eviction policy: noeviction/);
    // The test Redis keeps nothing on disk: a warning, which does not fail the run.
    expect(item(run.output, 'Redis persistence')).toMatch(/^ {2}(ok |warn) /);
    expect(item(run.output, 'Telegram token')).toMatch(
      /ok {3}Telegram token: accepted: the bot is @aksita_test_bot/,
    );
    expect(item(run.output, 'Aksita key (AKSITA_API_KEY)')).toMatch(
      /ok {3}Aksita key \(AKSITA_API_KEY\): accepted/,
    );
    expect(item(run.output, 'Telegram webhook')).toMatch(/ok {3}Telegram webhook: none: long polling/);
    expect(run.output).toMatch(/Everything a first run needs is in place.*: npm start\n$/);
    // A session costs no credits, and no question was asked.
    expect(fx.aksita.sessions).toHaveLength(1);
    expect(fx.aksita.chats).toHaveLength(0);
  });

  it("checks every configured platform's token and each distinct Aksita key", async () => {
    const [slack, discord] = await Promise.all([startFakeSlack(), startFakeDiscord()]);
    fx.onCleanup.push(
      () => slack.close(),
      () => discord.close(),
    );
    fx.aksita.validKeys.add('discord-key-1');
    const run = await doctor(
      fx.env({
        ADMIN_USERS: 'telegram:42',
        SLACK_BOT_TOKEN: slack.token,
        SLACK_SIGNING_SECRET: slack.signingSecret,
        SLACK_API_URL: `${slack.url}/api`,
        DISCORD_BOT_TOKEN: discord.token,
        DISCORD_API_URL: discord.apiUrl,
        AKSITA_API_KEY_DISCORD: 'discord-key-1',
      }),
    );
    for (const secret of [slack.token, slack.signingSecret, discord.token, 'discord-key-1'])
      expect(run.output).not.toContain(secret);
    expect(run.code).toBe(0);
    expect(item(run.output, 'Discord token')).toMatch(/^ {2}ok {3}Discord token: accepted: the bot is @\S+/);
    expect(item(run.output, 'Slack token')).toMatch(
      /^ {2}ok {3}Slack token: accepted: the bot is in team \S+/,
    );
    expect(item(run.output, 'Aksita key (AKSITA_API_KEY)')).toMatch(
      /ok {3}Aksita key \(AKSITA_API_KEY\): accepted/,
    );
    expect(item(run.output, 'Aksita key (AKSITA_API_KEY_DISCORD)')).toMatch(/ok {3}.*: accepted/);
    expect(item(run.output, 'Slack events')).toMatch(
      /ok {3}Slack events: Events API over HTTP: .*Request URL .* to https:\/\/<your public host>\/slack\/events/,
    );
    expect(fx.aksita.sessions).toHaveLength(2);
  });

  it('fails on a wrong Aksita key, saying how to fix it', async () => {
    const run = await doctor(fx.env({ AKSITA_API_KEY: 'wrong-key-123' }), { spawned: true });
    expect(run.code).toBe(1);
    expect(item(run.output, 'Aksita key (AKSITA_API_KEY)')).toBe(
      [
        '  FAIL Aksita key (AKSITA_API_KEY): refused (401 Invalid API key)',
        '       fix: the key is missing, invalid or revoked: create a new key in the Aksita dashboard and set AKSITA_API_KEY',
      ].join('\n'),
    );
    expect(run.output).not.toContain('wrong-key-123');
    expect(run.output).toMatch(/1 check failed.*: fix it and run npm run cli -- doctor again\.\n$/);
  });

  it('fails when Redis cannot be reached', async () => {
    const run = await doctor(fx.env({ REDIS_URL: 'redis://127.0.0.1:1' }));
    expect(run.code).toBe(1);
    expect(item(run.output, 'Redis')).toMatch(
      /^ {2}FAIL Redis: Cannot reach Redis at redis:\/\/127\.0\.0\.1:1/,
    );
    // The checks that need no Redis still run.
    expect(item(run.output, 'Telegram token')).toMatch(/ok {3}Telegram token/);
  });

  it('fails on a Redis that may evict keys, and sees its append-only file', async () => {
    const redis = await startOwnRedis(['--maxmemory-policy', 'allkeys-lru', '--appendonly', 'yes']);
    try {
      const run = await doctor(fx.env({ REDIS_URL: redis.url }));
      expect(run.code).toBe(1);
      expect(item(run.output, 'Redis eviction policy')).toBe(
        [
          '  FAIL Redis eviction policy: allkeys-lru: Redis may delete keys when memory runs short, and an evicted key is a lost message',
          '       fix: set `maxmemory-policy noeviction` (redis.conf, `redis-cli CONFIG SET maxmemory-policy noeviction`, or your provider’s parameter group)',
        ].join('\n'),
      );
      expect(item(run.output, 'Redis persistence')).toBe(
        '  ok   Redis persistence: append-only file (AOF) on',
      );

      const accepted = await doctor(fx.env({ REDIS_URL: redis.url, REDIS_ALLOW_EVICTION: 'true' }));
      expect(accepted.code).toBe(0);
      expect(item(accepted.output, 'Redis eviction policy')).toMatch(
        /^ {2}warn .*accepted by REDIS_ALLOW_EVICTION=true/,
      );
    } finally {
      await redis.stop();
    }
  });

  it('fails when Telegram refuses the bot token', async () => {
    fx.telegram.revokeToken();
    const run = await doctor(fx.env());
    expect(run.code).toBe(1);
    expect(item(run.output, 'Telegram token')).toMatch(
      /^ {2}FAIL Telegram token: Telegram refused TELEGRAM_BOT_TOKEN \(401 .*\): copy the token from @BotFather again/,
    );
  });

  it('fails on a webhook URL Telegram cannot use', async () => {
    const run = await doctor(
      fx.env({
        TELEGRAM_WEBHOOK_URL: 'http://bot.example.com/hook',
        TELEGRAM_WEBHOOK_SECRET: 'webhook-secret-1',
      }),
    );
    expect(run.code).toBe(1);
    expect(item(run.output, 'Telegram webhook')).toMatch(
      /FAIL Telegram webhook: TELEGRAM_WEBHOOK_URL http:\/\/bot\.example\.com\/hook is not https.*\n {7}fix: set TELEGRAM_WEBHOOK_URL to the public https URL/,
    );
    expect(run.output).not.toContain('webhook-secret-1');
  });

  it('lists every configuration problem at once, and what it could still check', async () => {
    const run = await doctor(fx.env({ HTTP_PORT: 'eighty', GROUP_MODE: 'everyone' }));
    expect(run.code).toBe(1);
    const config = item(run.output, 'Configuration');
    expect(config).toMatch(/^ {2}FAIL Configuration: Invalid configuration:/);
    expect(config).toContain('HTTP_PORT');
    expect(config).toContain('GROUP_MODE');
    expect(config).toMatch(/fix: cp \.env\.example \.env/);
    expect(item(run.output, 'Redis')).toMatch(/ok {3}Redis: /);
    expect(item(run.output, 'Platforms and Aksita key')).toMatch(
      /skip Platforms and Aksita key: need a valid configuration first/,
    );
  });
});
