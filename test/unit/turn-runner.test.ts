/**
 * The turn runner on the in-memory thread store, with a fake adapter and agent: order, one agent
 * call per question, notices and commands that never reach the agent, runs whose claim was taken
 * over, resuming after a crash mid-posting, and what the agent's and the platform's errors lead to.
 */
import { expect, it } from 'vitest';
import { AgentError, PlatformError } from '../../src/core/errors.ts';
import { loadNotices } from '../../src/notices.ts';
import { harness } from '../support/turn-harness.ts';

const notices = loadNotices('en');

it("answers a thread's questions in order, one agent call each, then ends the turn", async () => {
  const h = harness();
  const job = await h.accept('1', 1);
  await h.accept('1', 2);
  h.agent.script.push(['first part', 'second part']);
  expect(await h.runner.run('telegram:1', job as string, h.control)).toEqual({ kind: 'done' });
  expect(h.agent.asked).toEqual(['question 1', 'question 2']);
  expect(h.adapter.texts).toEqual(['first part', 'second part', 'answer to question 2']);
  expect(await h.store.hasTurn('telegram:1')).toBe(false);
  expect(h.observer.counts.get('posted')).toBe(3);
  expect(h.logs.find('agent answered')).toHaveLength(2);
});

it('posts notices and runs commands in order without asking the agent', async () => {
  const h = harness();
  const job = await h.accept('2', 1, '/start', 'notice');
  await h.accept('2', 2, '/help', 'command');
  await h.accept('2', 3, 'a real question');
  expect(await h.runner.run('telegram:2', job as string, h.control)).toEqual({ kind: 'done' });
  expect(h.agent.asked).toEqual(['a real question']);
  expect(h.adapter.texts).toEqual([
    ...h.adapter.render(notices.welcome),
    'ran help',
    'answer to a real question',
  ]);
});

it('does nothing for a job that is not the thread turn', async () => {
  const h = harness();
  await h.accept('3', 1);
  expect(await h.runner.run('telegram:3', 't-someone-else', h.control)).toEqual({ kind: 'stale' });
  expect(h.agent.asked).toEqual([]);
  expect(await h.store.hasTurn('telegram:3')).toBe(true);
});

it('stops a run whose claim was taken over mid-posting; the new run posts only the rest', async () => {
  const h = harness();
  const job = (await h.accept('4', 1)) as string;
  h.agent.script.push(['one', 'two', 'three']);
  // While the first chunk goes out, the queue hands the job to another run (a lost lock).
  h.adapter.onSent = async () => {
    h.adapter.onSent = undefined;
    await h.store.claim('telegram:4', job, 'another-run');
  };
  expect(await h.runner.run('telegram:4', job, h.control)).toEqual({ kind: 'stale' });
  expect(h.adapter.texts).toEqual(['one']);
  expect(await h.runner.run('telegram:4', job, h.control)).toEqual({ kind: 'done' });
  expect(h.adapter.texts).toEqual(['one', 'two', 'three']);
  expect(h.agent.asked).toHaveLength(1);
});

it('resumes after a crash mid-posting without asking the agent again', async () => {
  const h = harness();
  const job = (await h.accept('5', 1)) as string;
  await h.accept('5', 2);
  h.agent.script.push(['one', 'two', 'three']);
  // The process dies while posting the second chunk.
  h.adapter.onSent = async () => {
    h.adapter.onSent = undefined;
    h.adapter.failures.push(new Error('process killed'));
  };
  await expect(h.runner.run('telegram:5', job, h.control)).rejects.toThrow('process killed');
  expect(await h.runner.run('telegram:5', job, h.control)).toEqual({ kind: 'done' });
  expect(h.adapter.texts).toEqual(['one', 'two', 'three', 'answer to question 2']);
  expect(h.agent.asked).toEqual(['question 1', 'question 2']);
});

it('posts again at most the one chunk whose send was not recorded when the process died', async () => {
  const h = harness();
  const job = (await h.accept('10', 1)) as string;
  h.agent.script.push(['one', 'two']);
  // The process dies just after the platform accepted the first chunk, before it was recorded.
  h.adapter.onSent = async () => {
    h.adapter.onSent = undefined;
    throw new Error('process killed');
  };
  await expect(h.runner.run('telegram:10', job, h.control)).rejects.toThrow('process killed');
  expect(await h.runner.run('telegram:10', job, h.control)).toEqual({ kind: 'done' });
  expect(h.adapter.texts).toEqual(['one', 'one', 'two']);
  expect(h.agent.asked).toHaveLength(1);
});

it('retries a failing agent with backoff, then gives up with a notice and goes on', async () => {
  const h = harness();
  const job = (await h.accept('6', 1)) as string;
  await h.accept('6', 2);
  for (let i = 0; i < 3; i++) h.agent.script.push(new AgentError('server', 503, 'busy'));
  expect(await h.runner.run('telegram:6', job, h.control)).toEqual({ kind: 'wait', ms: 1_000 });
  expect(await h.runner.run('telegram:6', job, h.control)).toEqual({ kind: 'wait', ms: 2_000 });
  expect(h.adapter.texts).toEqual([]);
  expect(await h.runner.run('telegram:6', job, h.control)).toEqual({ kind: 'done' });
  expect(h.adapter.texts).toEqual([...h.adapter.render(notices.unavailable), 'answer to question 2']);
  expect(h.logs.find('agent call failed, will retry')).toHaveLength(2);
  expect(h.logs.find('agent call failed, giving up on message')).toHaveLength(1);
  expect(h.observer.counts.get('agentFailed:server')).toBe(3);
});

it('answers a refusal with its notice at once, never asking that question again', async () => {
  const h = harness();
  const job = (await h.accept('7', 1)) as string;
  h.agent.script.push(new AgentError('payment-required', 402, 'no credits'));
  expect(await h.runner.run('telegram:7', job, h.control)).toEqual({ kind: 'done' });
  expect(h.adapter.texts).toEqual(h.adapter.render(notices.outOfCredits));
  expect(h.agent.asked).toHaveLength(1);
  expect(h.logs.find('agent refused the message')).toHaveLength(1);
});

it("waits out a platform's rate limit and posts the rest of the answer already paid for", async () => {
  const h = harness();
  const job = (await h.accept('8', 1)) as string;
  h.agent.script.push(['one', 'two']);
  h.adapter.onSent = async () => {
    h.adapter.onSent = undefined;
    h.adapter.failures.push(new PlatformError('slow down', { retryAfterMs: 7_000 }));
  };
  expect(await h.runner.run('telegram:8', job, h.control)).toEqual({ kind: 'wait', ms: 7_000 });
  expect(h.adapter.texts).toEqual(['one']);
  expect(await h.runner.run('telegram:8', job, h.control)).toEqual({ kind: 'done' });
  expect(h.adapter.texts).toEqual(['one', 'two']);
  expect(h.agent.asked).toHaveLength(1);
  expect(h.observer.counts.get('sendFailed:rate_limited')).toBe(1);
});

it('hands a turn back at once when the process is stopping', async () => {
  const h = harness();
  const job = (await h.accept('9', 1)) as string;
  const stopping = new AbortController();
  stopping.abort();
  const control = { ...h.control, stopping: stopping.signal };
  expect(await h.runner.run('telegram:9', job, control)).toEqual({ kind: 'wait', ms: 0 });
  expect(h.agent.asked).toEqual([]);
  expect(await h.runner.run('telegram:9', job, h.control)).toEqual({ kind: 'done' });
});
