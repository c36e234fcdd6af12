/**
 * `ADMIN_USERS`: Slack admins may be named per workspace (`slack:T…:U…`, matched against the
 * message's workspace; `slack:U…` is an admin in any workspace), and a wrong entry is reported by
 * position and shape, never echoing a value that looks like a secret.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { secretShape } from '../../src/config-schema.ts';
import { AdminNotifier } from '../../src/core/admin-notifier.ts';
import { Commands } from '../../src/core/commands.ts';
import type { Conversations } from '../../src/core/conversations.ts';
import { ConfigError } from '../../src/core/errors.ts';
import type { Reports } from '../../src/core/reports.ts';
import { createLogger } from '../../src/logger.ts';
import { loadNotices } from '../../src/notices.ts';
import { type FakeSlack, startFakeSlack } from '../fakes/slack.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const base = { AKSITA_API_KEY: 'ak-shared-key', TELEGRAM_BOT_TOKEN: '123456:ABC-def_ghi' };
const log = createLogger({ level: 'silent', secrets: [] });

function configError(env: Record<string, string>): string {
  try {
    loadConfig({ ...base, ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('ADMIN_USERS', () => {
  it('reads Slack admins with and without a workspace', () => {
    const config = loadConfig({
      ...base,
      ADMIN_USERS: 'telegram:123456, discord:810000000000000001,slack:U0ABC,slack:T0XYZ:W0DEF',
    });
    expect(config.admins).toEqual([
      { platform: 'telegram', id: '123456' },
      { platform: 'discord', id: '810000000000000001' },
      { platform: 'slack', id: 'U0ABC' },
      { platform: 'slack', id: 'W0DEF', team: 'T0XYZ' },
    ]);
  });

  const SECRETS = [
    'xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
    'slack:xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
    'xapp-1-A0123ABCDEF-1234567890123-0123456789abcdef0123456789abcdef',
    'telegram:123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
    '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
    'discord:MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123',
    'ak_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  ];

  it('names a wrong entry by position and shape, never echoing one that looks like a secret', () => {
    for (const secret of SECRETS) {
      const message = configError({ ADMIN_USERS: `telegram:1,${secret}` });
      expect(message, secret).toMatch(
        /ADMIN_USERS has entry 2 of 2 that looks like (a|an) .+\(value not shown\)/,
      );
      for (const part of secret.split(/[:.-]/).filter((p) => p.length >= 8 && /\d/.test(p))) {
        expect(message, secret).not.toContain(part);
      }
    }
    expect(configError({ ADMIN_USERS: `xoxb-1-2-${'a1'.repeat(12)}` })).toContain('a Slack token');
    expect(configError({ ADMIN_USERS: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw' })).toContain(
      'a Telegram bot token',
    );
  });

  it('echoes a harmless wrong entry, saying what is wrong with it', () => {
    expect(configError({ ADMIN_USERS: 'telegram:1,telegram:@ana' })).toMatch(
      /ADMIN_USERS has entry 2 of 2 "telegram:@ana" that has a Telegram user id that is not a number: each entry must be telegram:123456, .* slack:T0XYZ:U0ABC/,
    );
    expect(configError({ ADMIN_USERS: 'line:1' })).toContain('"line:1" that does not start with');
    expect(configError({ ADMIN_USERS: 'whatsapp:+62' })).toContain(
      '"whatsapp:+62" that has a WhatsApp id that is not the phone number in digits',
    );
    expect(configError({ ADMIN_USERS: 'slack:t0xyz:U0ABC' })).toContain('workspace id that is not T…');
    expect(configError({ ADMIN_USERS: 'slack:ana' })).toContain('is not slack:U… or slack:T…:U…');
  });

  it('tells secrets from ids', () => {
    for (const id of ['telegram:123456789', 'discord:810000000000000001', 'slack:T0XYZ:U0123ABCDEF']) {
      expect(secretShape(id), id).toBeUndefined();
    }
  });
});

describe('Slack admins per workspace', () => {
  const reports = {
    credits: async () => ({ balance: null, spend: [] }),
  } as unknown as Reports;
  const commands = (admins: string) =>
    new Commands({
      reports,
      conversations: {} as Conversations,
      admins: new AdminNotifier({ admins: loadConfig({ ...base, ADMIN_USERS: admins }).admins, log }),
      notices: loadNotices('en'),
      log,
    });
  const call = (team: string) => ({
    name: 'credits' as const,
    platform: 'slack' as const,
    userId: 'U0ANA',
    thread: `slack:${team}:D0ANA`,
    chatType: 'direct' as const,
  });

  it('match an admin named with a workspace in that workspace only', () => {
    const scoped = commands('slack:T0HOME:U0ANA');
    expect(scoped.allowed(call('T0HOME'))).toBe(true);
    expect(scoped.allowed(call('T0OTHER'))).toBe(false);
  });

  it('match an admin named without one in every workspace', () => {
    const anywhere = commands('slack:U0ANA');
    expect(anywhere.allowed(call('T0HOME'))).toBe(true);
    expect(anywhere.allowed(call('T0OTHER'))).toBe(true);
  });
});

describe('a Slack admin of another workspace, through the bridge', () => {
  const fx = useBridgeFixture({ telegram: false });
  let slack: FakeSlack;

  beforeEach(async () => {
    slack = await startFakeSlack();
    fx.adopt(slack, [slack.token, slack.signingSecret, slack.appToken]);
  });

  it('gets the report only in the workspace named for them', async () => {
    const ADMIN = 'U0ADMIN01';
    const started = await fx.start({
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: slack.signingSecret,
      SLACK_API_URL: `${slack.url}/api`,
      ADMIN_USERS: `slack:T0OTHER1:${ADMIN}`,
    });
    const events = `http://127.0.0.1:${started.bridge.port}/slack/events`;
    const credits = (teamId: string) =>
      slack.slashCommand(events, {
        command: '/aksita',
        text: 'credits',
        userId: ADMIN,
        channelId: slack.imChannel(ADMIN),
        teamId,
      });
    expect((await credits(slack.teamId)).body?.text).toBe("Sorry, you're not allowed to use that command.");
    expect((await credits('T0OTHER1')).body?.text).toMatch(/^Balance: /);
  });
});
