/**
 * `npm run cli -- …`: the same reports from the terminal, reset of a thread, and a terminal chat with
 * the agent through the bridge's own pipeline (no platform needed).
 */
import { describe, expect, it } from 'vitest';
import { spawnBridge } from '../support/bridge.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture({ telegram: false });

async function cli(env: Record<string, string>, args: string[], stdin?: string) {
  const run = spawnBridge(env, { entry: 'cli', args, ...(stdin !== undefined && { stdin }) });
  const exit = await run.exited;
  return { code: exit.code, output: run.output() };
}

describe('npm run cli', () => {
  it('chats with the agent through the pipeline, in order, with commands, and keeps the conversation', async () => {
    fx.aksita.reply = (message) => [`re: ${message}`, 'anything else?'];
    const env = fx.env();
    const first = await cli(env, ['chat'], 'hello\n/reset\nagain\n');
    expect(first.code).toBe(0);
    const answers = first.output.split('\n').filter((line) => line.startsWith('agent> '));
    expect(answers).toEqual([
      'agent> re: hello',
      'agent> anything else?',
      "agent> Done: I've forgotten our conversation. Your next message starts a new one.",
      'agent> re: again',
      'agent> anything else?',
    ]);
    expect(fx.aksita.sessions).toHaveLength(2);
    expect(fx.aksita.chats[0]?.additionalContext).toMatch(/^Platform: Terminal; Chat type: private chat/);

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
  });

  it('prints the status report', async () => {
    const status = await cli(fx.env(), ['status']);
    expect(status.code).toBe(0);
    expect(status.output).toMatch(/^aksita-bridge \d+\.\d+\.\d+, up/);
    expect(status.output).toMatch(/Queue: 0 waiting/);
  });

  it('explains its usage', async () => {
    const run = await cli(fx.env(), ['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.output).toContain('Usage: npm run cli -- credits | status | reset <thread> | chat');
    const reset = await cli(fx.env(), ['reset']);
    expect(reset.code).toBe(2);
    expect(reset.output).toContain('reset needs the thread key');
  });
});
