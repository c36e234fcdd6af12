/**
 * Oversized input is bounded, never an out-of-memory crash or a flood: a huge question is cut before
 * it is stored, and a huge answer is cut, with a note, before it is posted.
 */
import { describe, expect, it } from 'vitest';
import { MAX_ANSWER_MESSAGES, MAX_QUESTION_CHARS } from '../../src/core/bounds.ts';
import { useBridgeFixture } from '../support/fixture.ts';

const fx = useBridgeFixture();
const CUT_NOTE = '(The answer was too long, so it was cut short here.)';

describe('oversized input', () => {
  it('cuts a 10,000-element answer to a bounded number of messages, with a note', async () => {
    fx.aksita.reply = () => Array.from({ length: 10_000 }, (_, i) => `part ${i}`);
    const { logs } = await fx.start();
    fx.telegram.userMessage({ chatId: 1, text: 'list everything' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(1).at(-1) === CUT_NOTE, 20_000, 'the note');
    const sent = fx.telegram.sentTo(1);
    expect(sent).toHaveLength(MAX_ANSWER_MESSAGES + 1);
    expect(sent.slice(0, 3)).toEqual(['part 0', 'part 1', 'part 2']);
    expect(fx.aksita.chats).toHaveLength(1);
    expect(logs.find('answer too long: cut short')).toHaveLength(1);
  });

  it('cuts a 1 MB answer part, splitting what is kept, with a note', async () => {
    const sentence = 'All work and no play makes a long answer. ';
    fx.aksita.reply = () => [sentence.repeat(Math.ceil(1_000_000 / sentence.length))];
    await fx.start();
    fx.telegram.userMessage({ chatId: 2, text: 'write a novel' });
    await fx.telegram.waitFor(() => fx.telegram.sentTo(2).at(-1) === CUT_NOTE, 20_000, 'the note');
    const sent = fx.telegram.sentTo(2);
    expect(sent.length).toBeLessThanOrEqual(MAX_ANSWER_MESSAGES + 1);
    expect(sent.slice(0, -1).join(' ').length).toBeGreaterThan(30_000);
    for (const message of sent) expect(message.length).toBeLessThanOrEqual(4096);
  });

  it('cuts a 1 MB question before storing it, and still answers', async () => {
    const { redis, config } = await fx.start();
    const gate = fx.aksita.gate();
    const huge = `${'lorem ipsum '.repeat(90_000)}END`;
    fx.telegram.userMessage({ chatId: 3, text: huge });
    await fx.aksita.waitFor(() => fx.aksita.chats.length === 1, 20_000, 'the agent call');
    // While the agent works, the question sits in the thread's inbox: cut, not a megabyte.
    const stored = await redis.memory('USAGE', `${config.redisPrefix}:inbox:telegram:3`);
    expect(stored).toBeGreaterThan(MAX_QUESTION_CHARS);
    expect(stored).toBeLessThan(100_000);
    gate.release();
    await fx.telegram.waitFor(() => fx.telegram.sentTo(3).length > 0, 20_000, 'an answer');
    const asked = fx.aksita.chats[0]?.message ?? '';
    expect(asked.length).toBeLessThanOrEqual(MAX_QUESTION_CHARS + 4);
    expect(asked.endsWith(' […]')).toBe(true);
    expect(huge.startsWith(asked.slice(0, -4))).toBe(true);
  });
});
