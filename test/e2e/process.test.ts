/**
 * The bridge as a real process (`node --import tsx src/main.ts`, and `npm start`): nothing accepted
 * is lost across `kill -9`, the agent is not asked again because posting was interrupted, SIGTERM
 * stops it gracefully within 10 s (also when sent to `npm start`, as a supervisor does), and bad
 * configuration or an unreachable Redis gives one clear line.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../fakes/http.ts';
import { bridgeStarted, eventually, spawnBridge } from '../support/bridge.ts';
import { useBridgeFixture } from '../support/fixture.ts';
import { freePort } from '../support/net.ts';
import { processTree, running } from '../support/process-tree.ts';

const fx = useBridgeFixture();

describe('crash safety (kill -9)', () => {
  it('answers a message whose agent call was in flight when the process was killed', async () => {
    const env = fx.env();
    const gate = fx.aksita.gate();
    const first = spawnBridge(env);
    await bridgeStarted(first);
    fx.telegram.userMessage({ chatId: 1, text: 'survive this' });
    await fx.aksita.waitFor(() => fx.aksita.chats.length === 1, 10_000, 'agent call');
    first.child.kill('SIGKILL');
    await first.exited;
    gate.release();

    const second = spawnBridge(env);
    try {
      await fx.telegram.waitFor(() => fx.telegram.sentTo(1).length === 1, 20_000, 'reply after restart');
      expect(fx.telegram.sentTo(1)).toEqual(['echo: survive this']);
      expect(fx.aksita.chats.map((c) => c.message)).toEqual(['survive this', 'survive this']);
      expect(fx.aksita.sessions).toHaveLength(1);
    } finally {
      second.child.kill('SIGKILL');
      await second.exited;
    }
  });

  it('resumes posting from the first unposted chunk without asking the agent again', async () => {
    fx.aksita.reply = () => ['part 1', 'part 2', 'part 3'];
    fx.telegram.script({ pass: true }, { hold: true });
    const env = fx.env();
    const first = spawnBridge(env);
    await bridgeStarted(first);
    fx.telegram.userMessage({ chatId: 2, text: 'three parts please' });
    await fx.telegram.waitFor(() => fx.telegram.held === 1, 10_000, 'second chunk in flight');
    first.child.kill('SIGKILL');
    await first.exited;

    const second = spawnBridge(env);
    try {
      await fx.telegram.waitFor(() => fx.telegram.sentTo(2).length >= 3, 20_000, 'remaining parts');
      // The held send was never accepted by the platform, so nothing is doubled here.
      expect(fx.telegram.sentTo(2)).toEqual(['part 1', 'part 2', 'part 3']);
      expect(fx.aksita.chats).toHaveLength(1);
    } finally {
      second.child.kill('SIGKILL');
      await second.exited;
    }
  });
});

describe('graceful shutdown', () => {
  it('stops within 10 s on SIGTERM with turns in flight, and the next start answers them', async () => {
    fx.aksita.latencyMs = 4_000;
    const env = fx.env({ SHUTDOWN_GRACE_MS: '1000' });
    const first = spawnBridge(env);
    await bridgeStarted(first);
    for (const chatId of [10, 11, 12]) fx.telegram.userMessage({ chatId, text: `from ${chatId}` });
    await fx.aksita.waitFor(() => fx.aksita.chats.length === 3, 10_000, 'three agent calls');
    const signalledAt = Date.now();
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    expect(exit.code).toBe(0);
    expect(first.output()).toContain('"bridge stopped"');

    fx.aksita.latencyMs = 0;
    const second = spawnBridge(env);
    try {
      await fx.telegram.waitFor(() => fx.telegram.sent.length === 3, 20_000, 'three replies after restart');
      for (const chatId of [10, 11, 12]) expect(fx.telegram.sentTo(chatId)).toEqual([`echo: from ${chatId}`]);
    } finally {
      second.child.kill('SIGKILL');
      await second.exited;
    }
  });

  it('exits at once on a second signal', async () => {
    fx.aksita.latencyMs = 8_000;
    const env = fx.env({ SHUTDOWN_GRACE_MS: '8000' });
    const bridge = spawnBridge(env);
    await bridgeStarted(bridge);
    fx.telegram.userMessage({ chatId: 20, text: 'slow' });
    await fx.aksita.waitFor(() => fx.aksita.chats.length === 1, 10_000, 'agent call');
    bridge.child.kill('SIGTERM');
    await fx.telegram.waitFor(() => bridge.output().includes('"stopping"'), 5_000, 'stopping');
    const secondAt = Date.now();
    bridge.child.kill('SIGINT');
    const exit = await bridge.exited;
    expect(exit.code).toBe(130);
    expect(Date.now() - secondAt).toBeLessThan(2_000);
  });
});

/**
 * Runs `npm start` as an operator does, from a directory that holds the project (linked) but no
 * `.env`, so that a developer's own `.env` never leaks into the test.
 */
function npmStart(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'aksita-npm-start-'));
  for (const name of ['package.json', 'tsconfig.json', 'src', 'adapters', 'node_modules']) {
    symlinkSync(join(root, name), join(dir, name));
  }
  let output = '';
  const child = spawn('npm', ['start'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (d: Buffer) => {
      output += d.toString();
    });
  }
  return { child, output: () => output };
}

/** Whether a server could listen on `port` of every address right now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

describe('npm start under a supervisor', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s to the npm process stops the whole bridge gracefully and frees the port',
    async (signal) => {
      const port = await freePort();
      const npm = npmStart(fx.env({ HTTP_PORT: String(port) }));
      const exited = new Promise<number | null>((resolve) => npm.child.once('exit', (code) => resolve(code)));
      let tree: number[] = [];
      try {
        await waitFor(
          () => npm.output().includes('"bridge started"'),
          30_000,
          `bridge start; output:\n${npm.output()}`,
        );
        tree = processTree(npm.child.pid as number);
        // npm, and under it the bridge's node (with no shell or tsx process left in between).
        expect(tree.length).toBeGreaterThanOrEqual(2);
        expect(await portFree(port)).toBe(false);

        npm.child.kill(signal);
        // The bridge exits within 10 s of the signal; the margin is for a loaded machine.
        await eventually(
          async () => running(tree).length === 0,
          20_000,
          'every process of npm start to exit',
        );
        expect(await exited).toBe(0);
        expect(npm.output()).toContain('"stopping"');
        expect(npm.output()).toContain('"bridge stopped"');
        expect(await portFree(port)).toBe(true);
      } finally {
        // Whatever outlived npm (orphans are no longer under its pid).
        for (const pid of running([...tree, ...processTree(npm.child.pid as number)])) {
          process.kill(pid, 'SIGKILL');
        }
      }
    },
  );
});

describe('start-up errors', () => {
  it('names the missing variable and exits', async () => {
    const env = fx.env();
    delete env.AKSITA_API_KEY;
    const bridge = spawnBridge(env);
    const exit = await bridge.exited;
    expect(exit.code).toBe(1);
    expect(bridge.output()).toContain('AKSITA_API_KEY is required');
    expect(bridge.output()).not.toMatch(/\n\s+at /);
  });

  it('says in one line where it looked for Redis and how to start one', async () => {
    const bridge = spawnBridge(fx.env({ REDIS_URL: 'redis://:hunter2-password@127.0.0.1:1' }));
    const exit = await bridge.exited;
    expect(exit.code).toBe(1);
    const out = bridge.output().trim();
    expect(out.split('\n')).toHaveLength(1);
    expect(out).toMatch(/^Cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1.*redis-server/);
    expect(out).not.toContain('hunter2-password');
  });

  it('says so in one line when Telegram refuses the bot token, without printing it', async () => {
    const bridge = spawnBridge(fx.env({ TELEGRAM_BOT_TOKEN: '999999:WRONG-token-value' }));
    const exit = await bridge.exited;
    expect(exit.code).toBe(1);
    const out = bridge.output().trim();
    expect(out).toBe(
      'Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized): copy the token from @BotFather again',
    );
  });

  it('says so in one line when the Telegram Bot API cannot be reached', async () => {
    const bridge = spawnBridge(fx.env({ TELEGRAM_API_ROOT: 'http://127.0.0.1:1', LOG_LEVEL: 'error' }));
    const exit = await bridge.exited;
    expect(exit.code).toBe(1);
    expect(bridge.output().trim()).toMatch(
      /^Cannot reach the Telegram Bot API at http:\/\/127\.0\.0\.1:1 \(network error/,
    );
    expect(bridge.output()).not.toContain(fx.telegram.token);
  });

  it('never logs the bot token or the API key, even when Telegram calls fail', async () => {
    fx.telegram.script({ status: 500 }, { status: 500 });
    const env = fx.env({ LOG_LEVEL: 'debug' });
    const bridge = spawnBridge(env);
    await bridgeStarted(bridge);
    fx.telegram.userMessage({ chatId: 30, text: 'hello' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(30).length === 1, 15_000, 'reply');
    bridge.child.kill('SIGTERM');
    await bridge.exited;
    expect(bridge.output()).toContain('"message queued"');
    expect(bridge.output()).not.toContain(fx.telegram.token);
    expect(bridge.output()).not.toContain('test-key');
  });
});
