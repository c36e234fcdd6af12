/**
 * A platform is one descriptor in the registry: the test-only echo platform (`test/support/
 * echo-platform.ts`) is configured, checked and wired like the built-in ones, and a question sent
 * to its webhook reaches the agent (with its own key and name) and the answer reaches its user.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type AnyPlatform, PLATFORMS } from '../../src/platforms.ts';
import { startTestBridge } from '../support/bridge.ts';
import { ECHO_WEBHOOK_PATH, EchoWire, echoPlatform } from '../support/echo-platform.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture({ telegram: false });

describe('a platform added through the registry', () => {
  it('gets its variables, its own Aksita key, its secrets, its admins and the combination checks', () => {
    const platforms = [...PLATFORMS, echoPlatform(new EchoWire())];
    const config = loadConfig(
      {
        AKSITA_API_KEY: 'ak-shared',
        AKSITA_API_KEY_ECHO: 'ak-echo-key',
        ECHO_TOKEN: 'echo-token-value',
        ADMIN_USERS: 'echo:u1',
      },
      { platforms },
    );
    expect(config.platforms.map((p) => p.descriptor.id)).toEqual(['echo']);
    expect(config.aksitaKeys).toMatchObject({ echo: 'ak-echo-key', telegram: 'ak-shared', cli: 'ak-shared' });
    expect(config.secrets).toEqual(expect.arrayContaining(['ak-echo-key', 'echo-token-value']));
    expect(config.admins).toEqual([{ platform: 'echo', id: 'u1' }]);

    const problems = (env: Record<string, string>, list: readonly AnyPlatform[] = platforms) => {
      try {
        loadConfig({ AKSITA_API_KEY: 'ak-shared', ...env }, { platforms: list });
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    };
    expect(problems({ ECHO_SIGNATURE_HEADER: 'x-other' })).toContain(
      'ECHO_TOKEN is missing: ECHO_SIGNATURE_HEADER is set, but Echo stays off without its token',
    );
    expect(problems({})).toContain('ECHO_TOKEN for Echo');
    expect(problems({ ECHO_TOKEN: 'echo-token-value', ADMIN_USERS: 'line:1' })).toContain(
      'does not start with telegram:, discord:, slack:, whatsapp: or echo:',
    );
    // Without it in the list, its variables mean nothing and the bridge has no platform.
    expect(problems({ ECHO_TOKEN: 'echo-token-value' }, PLATFORMS)).toContain('no platform is configured');
  });

  it('answers a question sent to its webhook, with its own key and name, and refuses a forged call', async () => {
    fx.aksita.validKeys.add('ak-echo-key');
    fx.aksita.reply = (message) => [`re: ${message}`];
    const wire = new EchoWire();
    const env = fx.env({ ECHO_TOKEN: 'echo-token-value', AKSITA_API_KEY_ECHO: 'ak-echo-key' });
    const started = await startTestBridge(env, { platforms: [...PLATFORMS, echoPlatform(wire)] });
    fx.bridges.push(started);
    fx.secrets.push('echo-token-value', 'ak-echo-key');
    const url = `http://127.0.0.1:${started.bridge.port}${ECHO_WEBHOOK_PATH}`;
    const post = (token: string, body: unknown) =>
      fetch(url, { method: 'POST', headers: { 'x-echo-token': token }, body: JSON.stringify(body) });

    expect((await post('forged', { id: '0', chat: 'c1', user: 'u1', text: 'hi' })).status).toBe(403);
    for (const [id, text] of [
      ['1', 'first'],
      ['2', 'second'],
    ] as const) {
      expect((await post('echo-token-value', { id, chat: 'c1', user: 'u1', text })).status).toBe(200);
    }
    await fx.aksita.waitFor(() => wire.sentTo('c1').length === 2, 10_000, 'two answers');
    expect(wire.sentTo('c1')).toEqual(['re: first', 're: second']);
    expect(fx.aksita.chats.map((c) => c.apiKey)).toEqual(['ak-echo-key', 'ak-echo-key']);
    expect(fx.aksita.chats[0]?.additionalContext).toBe(
      'Platform: Echo; Chat type: private chat; User: "user u1"',
    );
  });
});
