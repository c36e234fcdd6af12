/**
 * `npm run cli -- …`: the same reports from the terminal, reset of a thread, and a terminal chat with
 * the agent through the bridge's own pipeline, which never fights a bridge running on the same Redis:
 * it connects to no platform, no bridge worker takes its turns, it ends promptly, and a refused key
 * makes it exit non-zero.
 */
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { eventually, spawnBridge } from '../support/bridge.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture();

/** Runs the terminal tool with its own default log level (warnings and worse, none in the chat). */
async function cli(env: Record<string, string>, args: string[], stdin?: string) {
  const quiet = { ...env, LOG_LEVEL: '' };
  const run = spawnBridge(quiet, { entry: 'cli', args, ...(stdin !== undefined && { stdin }) });
  const exit = await run.exited;
  return { code: exit.code, output: run.output() };
}

const answers = (output: string) => output.split('\n').filter((line) => line.startsWith('agent> '));

async function keysUnder(pattern: string): Promise<string[]> {
  const redis = new Redis(inject('redisUrl'));
  try {
    return await redis.keys(pattern);
  } finally {
    redis.disconnect();
  }
}

describe('npm run cli -- chat', () => {
  it('chats with the agent through the pipeline, in order, with commands, and keeps the conversation', async () => {
    fx.aksita.reply = (message) => [`re: ${message}`, 'anything else?'];
    const env = fx.env();
    const first = await cli(env, ['chat'], 'hello\n/reset\nagain\n');
    expect(first.code).toBe(0);
    expect(answers(first.output)).toEqual([
      'agent> re: hello',
      'agent> anything else?',
      "agent> Done: I've forgotten our conversation. Your next message starts a new one.",
      'agent> re: again',
      'agent> anything else?',
    ]);
    expect(fx.aksita.sessions).toHaveLength(2);
    expect(fx.aksita.chats[0]?.additionalContext).toMatch(/^Platform: Terminal; Chat type: private chat/);
    // A configured platform is left alone: the chat connects to none.
    expect(fx.telegram.getUpdatesCalls).toBe(0);

    const credits = await cli(env, ['credits']);
    expect(credits.code).toBe(0);
    expect(credits.output).toMatch(/Balance: 9970 credits/);
    expect(credits.output).toMatch(/today: 30 \(cli 30\)/);

    const thread = credits.output.match(/^ {2}(cli:[^:]+): 30$/m)?.[1];
    expect(thread).toBeDefined();
    const reset = await cli(env, ['reset', thread as string]);
    expect(reset.output.trim()).toBe(`Forgot the conversation of ${thread}.`);
    const again = await cli(env, ['reset', thread as string]);
    expect(again.output.trim()).toBe(`${thread} had no conversation.`);
    // The chat's lane is gone with it.
    expect(await keysUnder(`${env.REDIS_PREFIX}:cli-chat*`)).toEqual([]);
  });

  it("renders the agent's Markdown as plain text when the output is not a terminal", async () => {
    fx.aksita.reply = () => [
      '## Steps\n\n1. Open **Settings**\n2. Press `Reset`\n\nSee [the guide](https://example.com/guide).\n\n```\nnpm start\n```',
    ];
    const run = await cli(fx.env(), ['chat'], 'how?\n');
    expect(run.code).toBe(0);
    const start = run.output.indexOf('agent> ');
    expect(run.output.slice(start).trimEnd()).toBe(
      [
        'agent> Steps',
        '',
        '       1. Open Settings',
        '       2. Press Reset',
        '',
        '       See the guide (https://example.com/guide).',
        '',
        '           npm start',
      ].join('\n'),
    );
    for (const markup of ['\x1b', '**', '`', 'thinking']) expect(run.output).not.toContain(markup);
  });

  it('runs beside a bridge on the same Redis without taking its platform or being taken by it', async () => {
    const running = await fx.start();
    fx.telegram.userMessage({ chatId: 7, text: 'from telegram' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(7).length === 1, 10_000, 'the bridge answers');
    const polls = fx.telegram.getUpdatesCalls;

    const env = fx.env({ REDIS_PREFIX: running.config.redisPrefix });
    const started = Date.now();
    const chat = await cli(env, ['chat'], 'from the terminal\nand once more\n');
    expect(chat.code).toBe(0);
    expect(answers(chat.output)).toEqual(['agent> echo: from the terminal', 'agent> echo: and once more']);
    expect(Date.now() - started).toBeLessThan(15_000);
    // The bridge took none of its turns, nor was its long poll cut off by a second poller.
    expect(running.logs.find('platform not configured: message kept for later')).toEqual([]);
    expect(running.logs.text).not.toContain('another process is polling this bot token');
    expect(fx.telegram.getUpdatesCalls - polls).toBeLessThanOrEqual(1);
    // The bridge still answers its own chats.
    fx.telegram.userMessage({ chatId: 7, text: 'still there?' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(7).length === 2, 10_000, 'the bridge answers again');
  });

  it('exits at once when its input is empty', async () => {
    const started = Date.now();
    const run = await cli(fx.env(), ['chat'], '');
    expect(run.code).toBe(0);
    expect(run.output).toBe('');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(fx.aksita.requests).toBe(0);
  });

  it('says so at once when Redis cannot be reached', async () => {
    const run = await cli(fx.env({ REDIS_URL: 'redis://127.0.0.1:1' }), ['chat'], 'hi\n');
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/^Cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
    expect(fx.aksita.requests).toBe(0);
  });

  it('ends promptly on Ctrl-C (SIGINT) while an answer is pending, and leaves nothing behind', async () => {
    const gate = fx.aksita.gate();
    const env = fx.env();
    const run = spawnBridge(env, { entry: 'cli', args: ['chat'], stdin: 'a slow question\n' });
    try {
      await fx.aksita.waitFor(() => fx.aksita.chats.length === 1, 20_000, 'the agent call');
      const interrupted = Date.now();
      run.child.kill('SIGINT');
      const exit = await run.exited;
      expect(exit.code).toBe(130);
      expect(Date.now() - interrupted).toBeLessThan(5_000);
      expect(answers(run.output())).toEqual([]);
      await eventually(
        async () => (await keysUnder(`${env.REDIS_PREFIX}:cli-chat*`)).length === 0,
        10_000,
        'the lane deleted',
      );
    } finally {
      gate.release();
    }
  });

  it('exits non-zero with what to do when the agent refuses the key (401) or has no credits (402)', async () => {
    const refused = await cli(fx.env({ AKSITA_API_KEY: 'revoked-key' }), ['chat'], 'hi\nanyone?\n');
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(
      'The Aksita API refused the chat (401 unauthorized): the Aksita API key is missing, invalid or revoked: create a new key in the dashboard and set AKSITA_API_KEY.',
    );
    expect(refused.output).not.toContain('revoked-key');
    expect(answers(refused.output)).toHaveLength(1);

    fx.aksita.balance = 0;
    const broke = await cli(fx.env(), ['chat'], 'hi\n');
    expect(broke.code).toBe(1);
    expect(broke.output).toContain('The Aksita API refused the chat (402 payment-required)');
  });
});

describe('npm run cli', () => {
  it('status lists the running bridge processes, not itself', async () => {
    const running = await fx.start();
    const env = fx.env({ REDIS_PREFIX: running.config.redisPrefix });
    const status = await cli(env, ['status']);
    expect(status.code).toBe(0);
    expect(status.output).toMatch(/^aksita-bridge \d+\.\d+\.\d+\n/);
    expect(status.output).toMatch(
      new RegExp(`^Bridge processes: 1\\n {2}all on \\S+, pid ${process.pid}: telegram, up \\d+ s$`, 'm'),
    );
    expect(status.output).toMatch(/Queue: 0 waiting/);
    expect((await running.bridge.services.reports.status()).processes).toMatchObject([
      { role: 'all', platforms: ['telegram'], pid: process.pid },
    ]);

    await running.bridge.stop();
    const after = await cli(env, ['status']);
    expect(after.output).toMatch(/^Bridge processes: none running$/m);
  });

  it('explains its usage', async () => {
    const run = await cli(fx.env(), ['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.output).toContain('Usage: npm run cli -- credits | status | reset <thread> | chat | doctor');
    const reset = await cli(fx.env(), ['reset']);
    expect(reset.code).toBe(2);
    expect(reset.output).toContain('reset needs the thread key');
  });
});
