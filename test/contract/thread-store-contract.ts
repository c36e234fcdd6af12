/**
 * The contract every `ThreadStore` passes (the Redis inbox and the in-memory store): a thread's
 * messages in order, each id once, a bounded inbox, one turn per thread and only its latest run
 * acting, the head's progress kept across runs (attempts, the saved answer, chunks posted), and the
 * turns the sweeper finds. Asserted through the interface only, so both behave the same.
 */
import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../../src/core/contract.ts';
import type { InboxEntry, Step, ThreadStore } from '../../src/core/thread-store.ts';

/**
 * Makes a fresh, empty store; `maxPending` bounds each thread's inbox, `coalesce` is the most messages
 * one question joins (burst coalescing; default off).
 */
export type StoreFactory = (options: { maxPending?: number; coalesce?: number }) => Promise<ThreadStore>;

let threads = 0;
/** A thread no other case uses. */
function newThread(): string {
  threads++;
  return `telegram:${threads}`;
}

function entry(
  thread: string,
  n: number,
  kind: InboxEntry['kind'] = 'ask',
  acceptedAt = 1_000,
  user?: string,
): InboxEntry {
  const chat = thread.slice(thread.indexOf(':') + 1);
  const message: IncomingMessage = {
    id: `${thread}:${n}`,
    platform: 'telegram',
    thread,
    address: { channel: chat },
    messageId: String(n),
    chatType: 'direct',
    addressed: true,
    text: `question ${n}`,
    user: { id: user ?? chat, displayName: 'Ana' },
    sentAt: 0,
  };
  return {
    id: message.id,
    kind,
    message,
    acceptedAt,
    ...(kind === 'notice' && { notice: 'welcome' }),
    ...(kind === 'command' && { command: 'help' }),
  };
}

/** Accepts `entries` and returns the job id of the turn the first one started. */
async function fill(store: ThreadStore, entries: InboxEntry[]): Promise<string> {
  let job = '';
  for (const e of entries) {
    const result = await store.accept(e);
    if (result.outcome === 'queued' && result.startTurn) job = result.startTurn;
  }
  expect(job).not.toBe('');
  return job;
}

function head(step: Step): { id: string; raw: string } {
  if (step.kind !== 'head') throw new Error(`expected a head, got ${step.kind}`);
  return { id: (JSON.parse(step.raw) as InboxEntry).id, raw: step.raw };
}

export function threadStoreContract(name: string, makeStore: StoreFactory): void {
  describe(`ThreadStore contract: ${name}`, () => {
    it("joins a burst of one person's questions to the head, the same ones on every attempt, and pops them with it", async () => {
      const store = await makeStore({ coalesce: 10 });
      const thread = newThread();
      const job = await fill(store, [
        entry(thread, 1),
        entry(thread, 2),
        entry(thread, 3),
        entry(thread, 4, 'command'),
        entry(thread, 5),
      ]);
      await store.claim(thread, job, 'run-a');
      const first = await store.begin(thread, 'run-a');
      const joinedIds = (step: Step) =>
        step.kind === 'head' ? (step.joined ?? []).map((raw) => (JSON.parse(raw) as InboxEntry).id) : [];
      expect(head(first).id).toBe(`${thread}:1`);
      expect(joinedIds(first)).toEqual([`${thread}:2`, `${thread}:3`]);
      // A question arriving after the first attempt does not change what the head's call took; a
      // second attempt (after a crash, by a new run) takes the same ones.
      await store.accept(entry(thread, 6));
      await store.claim(thread, job, 'run-b');
      const again = await store.begin(thread, 'run-b');
      expect(again).toMatchObject({ kind: 'head', raw: head(first).raw, state: { tries: 1 } });
      expect(joinedIds(again)).toEqual([`${thread}:2`, `${thread}:3`]);
      expect(await store.advance(thread, job, 'run-b', head(again).raw, undefined, 3)).toEqual({
        kind: 'advanced',
        left: 3,
      });
      // A command is never joined, and never joins.
      const command = await store.begin(thread, 'run-b');
      expect(head(command).id).toBe(`${thread}:4`);
      expect(joinedIds(command)).toEqual([]);
      await store.advance(thread, job, 'run-b', head(command).raw);
      const last = await store.begin(thread, 'run-b');
      expect(joinedIds(last)).toEqual([`${thread}:6`]);
    });

    it('joins only the questions of the same person, and none when coalescing is off', async () => {
      const store = await makeStore({ coalesce: 10 });
      const thread = newThread();
      const job = await fill(store, [
        entry(thread, 1, 'ask', 1_000, 'ana'),
        entry(thread, 2, 'ask', 1_000, 'budi'),
      ]);
      await store.claim(thread, job, 'run-a');
      expect(await store.begin(thread, 'run-a')).not.toHaveProperty('joined');
      const off = await makeStore({});
      const other = newThread();
      const offJob = await fill(off, [entry(other, 1), entry(other, 2)]);
      await off.claim(other, offJob, 'run-a');
      expect(await off.begin(other, 'run-a')).not.toHaveProperty('joined');
    });

    it('stores each id once, starts one turn per thread, and refuses a full inbox', async () => {
      const store = await makeStore({ maxPending: 3 });
      const thread = newThread();
      const first = await store.accept(entry(thread, 1));
      expect(first).toMatchObject({ outcome: 'queued', startTurn: expect.any(String) });
      expect(await store.accept(entry(thread, 2))).toEqual({ outcome: 'queued' });
      expect(await store.accept(entry(thread, 1))).toEqual({ outcome: 'duplicate' });
      await store.accept(entry(thread, 3));
      expect(await store.accept(entry(thread, 4))).toEqual({ outcome: 'full' });
      const job = first.outcome === 'queued' ? (first.startTurn as string) : '';
      expect(await store.jobOf(thread)).toBe(job);
      expect(await store.hasTurn(thread)).toBe(true);
      // A message refused as full was not seen: it is taken once there is room.
      await store.claim(thread, job, 'run-a');
      await store.advance(thread, job, 'run-a', head(await store.begin(thread, 'run-a')).raw);
      expect(await store.accept(entry(thread, 4))).toEqual({ outcome: 'queued' });
      const other = newThread();
      expect(await store.accept(entry(other, 1))).toMatchObject({ startTurn: expect.any(String) });
    });

    it('hands out the heads in order to the run holding the claim, and ends the turn when empty', async () => {
      const store = await makeStore({});
      const thread = newThread();
      const job = await fill(store, [entry(thread, 1), entry(thread, 2, 'notice')]);
      expect(await store.begin(thread, 'run-a')).toEqual({ kind: 'stale' });
      expect(await store.claim(thread, job, 'run-a')).toBe(true);
      const first = head(await store.begin(thread, 'run-a'));
      expect(first.id).toBe(`${thread}:1`);
      expect(await store.advance(thread, job, 'run-a', first.raw)).toEqual({ kind: 'advanced', left: 1 });
      // Popping a head that is no longer the head pops nothing.
      expect(await store.advance(thread, job, 'run-a', first.raw)).toEqual({ kind: 'advanced', left: 1 });
      const second = head(await store.begin(thread, 'run-a'));
      expect(second.id).toBe(`${thread}:2`);
      expect(await store.advance(thread, job, 'run-a', second.raw)).toEqual({ kind: 'advanced', left: 0 });
      expect(await store.hasTurn(thread)).toBe(false);
      expect(await store.jobOf(thread)).toBeNull();
      expect(await store.isCurrent(thread, 'run-a')).toBe(false);
      // The next message starts a new turn.
      expect(await store.accept(entry(thread, 3))).toMatchObject({ startTurn: expect.any(String) });
    });

    it('keeps a turn going when a message arrives before the last head is popped', async () => {
      const store = await makeStore({});
      const thread = newThread();
      const job = await fill(store, [entry(thread, 1)]);
      await store.claim(thread, job, 'run-a');
      const first = head(await store.begin(thread, 'run-a'));
      expect(await store.accept(entry(thread, 2))).toEqual({ outcome: 'queued' });
      expect(await store.advance(thread, job, 'run-a', first.raw)).toEqual({ kind: 'advanced', left: 1 });
      expect(await store.jobOf(thread)).toBe(job);
      const empty = newThread();
      const emptyJob = await fill(store, [entry(empty, 1)]);
      await store.claim(empty, emptyJob, 'run-e');
      await store.advance(empty, emptyJob, 'run-e', head(await store.begin(empty, 'run-e')).raw);
      expect(await store.begin(empty, 'run-e')).toEqual({ kind: 'stale' });
    });

    it('lets only the latest run of a turn act, so a job handed out twice never answers twice', async () => {
      const store = await makeStore({});
      const thread = newThread();
      const job = await fill(store, [entry(thread, 1), entry(thread, 2)]);
      expect(await store.claim(thread, job, 'run-a')).toBe(true);
      const first = head(await store.begin(thread, 'run-a'));
      // The lock expired and the queue gave the same job to a second run.
      expect(await store.claim(thread, job, 'run-b')).toBe(true);
      expect(await store.isCurrent(thread, 'run-a')).toBe(false);
      expect(await store.isCurrent(thread, 'run-b')).toBe(true);
      // The first run cannot pop the head it was answering; the second can.
      expect(await store.advance(thread, job, 'run-a', first.raw)).toEqual({ kind: 'stale' });
      expect(head(await store.begin(thread, 'run-b')).id).toBe(first.id);
      expect(await store.advance(thread, job, 'run-b', first.raw)).toEqual({ kind: 'advanced', left: 1 });
      // Another job cannot claim the turn at all.
      expect(await store.claim(thread, 't-other', 'run-c')).toBe(false);
      expect(await store.isCurrent(thread, 'run-b')).toBe(true);
      const last = head(await store.begin(thread, 'run-b'));
      expect(last.id).toBe(`${thread}:2`);
      expect(await store.advance(thread, job, 'run-b', last.raw)).toEqual({ kind: 'advanced', left: 0 });
      expect(await store.claim(thread, job, 'run-d')).toBe(false);
    });

    it("lets a superseded run record the chunks it posted, but never on another head's record", async () => {
      const store = await makeStore({});
      const thread = newThread();
      const [id1, id2] = [`${thread}:11`, `${thread}:12`];
      const job = await fill(store, [entry(thread, 11), entry(thread, 12)]);
      await store.claim(thread, job, 'run-a');
      expect(await store.begin(thread, 'run-a')).toMatchObject({
        kind: 'head',
        state: { tries: 0, posted: 0 },
      });
      expect(await store.saveAnswer(thread, 'run-a', id1, ['one', 'two', 'three'])).toBe(true);
      // Run b takes over while run a is posting chunk 1 of 3.
      await store.claim(thread, job, 'run-b');
      expect(await store.begin(thread, 'run-a')).toEqual({ kind: 'stale' });
      expect(await store.saveAnswer(thread, 'run-a', id1, ['other'])).toBe(false);
      expect(await store.resaveAnswer(thread, 'run-a', id1, ['other'])).toBe(false);
      // Run a's chunk 1 went out: that is recorded, so run b does not post it again, but run a stops.
      expect(await store.markPosted(thread, 'run-a', id1, 1)).toBe(false);
      const stepB = await store.begin(thread, 'run-b');
      expect(stepB).toMatchObject({ kind: 'head', state: { posted: 1, chunks: ['one', 'two', 'three'] } });
      // Run b finishes the head and moves on; a late record from run a must not touch the next head.
      const raw = head(stepB).raw;
      expect(await store.advance(thread, job, 'run-b', raw)).toEqual({ kind: 'advanced', left: 1 });
      expect(await store.begin(thread, 'run-b')).toMatchObject({
        kind: 'head',
        state: { tries: 0, posted: 0 },
      });
      expect(await store.markPosted(thread, 'run-a', id1, 3)).toBe(false);
      expect(await store.advance(thread, job, 'run-a', raw, { entryId: id1, count: 3 })).toEqual({
        kind: 'stale',
      });
      const again = await store.begin(thread, 'run-b');
      // The second begin of the same question counts a second attempt, and nothing was marked posted.
      expect(again).toMatchObject({ kind: 'head', state: { tries: 1, posted: 0 } });
      expect(head(again).id).toBe(id2);
      expect(await store.advance(thread, job, 'run-b', head(again).raw)).toEqual({
        kind: 'advanced',
        left: 0,
      });
    });

    it('counts attempts only for a question without an answer, and resumes posting after a crash', async () => {
      const store = await makeStore({});
      const thread = newThread();
      const id = `${thread}:1`;
      const job = await fill(store, [entry(thread, 1), entry(thread, 2, 'command')]);
      await store.claim(thread, job, 'run-a');
      expect(await store.begin(thread, 'run-a')).toMatchObject({ state: { tries: 0 } });
      // The process crashed mid-call: the next run counts a second attempt.
      await store.claim(thread, job, 'run-b');
      expect(await store.begin(thread, 'run-b')).toMatchObject({ state: { tries: 1 } });
      // An attempt given back (the call never went out) is not counted.
      expect(await store.bump(thread, 'tries', -1)).toBe(1);
      expect(await store.bump(thread, 'timeouts')).toBe(1);
      expect(await store.begin(thread, 'run-b')).toMatchObject({ state: { tries: 1, timeouts: 1 } });
      expect(await store.saveAnswer(thread, 'run-b', id, ['a', 'b', 'c'])).toBe(true);
      expect(await store.markPosted(thread, 'run-b', id, 2)).toBe(true);
      // A count never goes down.
      expect(await store.markPosted(thread, 'run-b', id, 1)).toBe(true);
      // Crash while posting: the answer and what was posted are there, and no attempt is counted.
      await store.claim(thread, job, 'run-c');
      expect(await store.begin(thread, 'run-c')).toEqual({
        kind: 'head',
        raw: expect.any(String),
        state: { tries: 2, timeouts: 1, posted: 2, chunks: ['a', 'b', 'c'] },
      });
      // A chunk refused for its length is cut smaller; what was posted stays counted.
      expect(await store.resaveAnswer(thread, 'run-c', id, ['a', 'b', 'c1', 'c2'])).toBe(true);
      expect(await store.resaveAnswer(thread, 'run-c', `${thread}:2`, ['x'])).toBe(false);
      const step = await store.begin(thread, 'run-c');
      expect(step).toMatchObject({ state: { posted: 2, chunks: ['a', 'b', 'c1', 'c2'] } });
      await store.advance(thread, job, 'run-c', head(step).raw);
      // A command is not a question: no attempt counted, no progress kept.
      expect(await store.begin(thread, 'run-c')).toMatchObject({
        state: { tries: 0, posted: 0, timeouts: 0 },
      });
      expect(await store.begin(thread, 'run-c')).toMatchObject({ state: { tries: 0 } });
    });

    it('remembers since when calls and sends of the head have been failing', async () => {
      const store = await makeStore({});
      const thread = newThread();
      const job = await fill(store, [entry(thread, 1), entry(thread, 2)]);
      await store.claim(thread, job, 'run-a');
      const first = head(await store.begin(thread, 'run-a'));
      expect(await store.failed(thread, 'call', 5_000)).toEqual({ since: 5_000, tries: 0 });
      expect(await store.failed(thread, 'call', 9_000)).toEqual({ since: 5_000, tries: 0 });
      expect(await store.failed(thread, 'post', 7_000)).toEqual({ since: 7_000, tries: 1 });
      expect(await store.failed(thread, 'post', 8_000)).toEqual({ since: 7_000, tries: 2 });
      // The next head starts afresh.
      await store.advance(thread, job, 'run-a', first.raw);
      await store.begin(thread, 'run-a');
      expect(await store.failed(thread, 'call', 10_000)).toEqual({ since: 10_000, tries: 0 });
      expect(await store.failed(thread, 'post', 11_000)).toEqual({ since: 11_000, tries: 1 });
    });

    it('finds turns started before a time, and hands a lost turn to a new job', async () => {
      const store = await makeStore({});
      const [a, b, c] = [newThread(), newThread(), newThread()];
      const jobA = await fill(store, [entry(a, 1, 'ask', 100)]);
      const jobB = await fill(store, [entry(b, 1, 'ask', 200)]);
      await fill(store, [entry(c, 1, 'ask', 900)]);
      const stale = (await store.staleTurns(500)).filter((t) => [a, b, c].includes(t.thread));
      expect(stale).toEqual([
        { thread: a, jobId: jobA },
        { thread: b, jobId: jobB },
      ]);
      expect(await store.oldestTurnStartedAt()).toBe(100);
      const next = await store.restartTurn(a, jobA, 1_000);
      expect(next).toEqual(expect.any(String));
      expect(next).not.toBe(jobA);
      expect(await store.jobOf(a)).toBe(next);
      expect(await store.restartTurn(a, jobA, 1_000)).toBeNull();
      expect(await store.claim(a, jobA, 'run-old')).toBe(false);
      expect(await store.claim(a, next as string, 'run-new')).toBe(true);
      expect((await store.staleTurns(500)).map((t) => t.thread)).not.toContain(a);
      expect((await store.staleTurns(1_000)).map((t) => t.thread)).toContain(a);
      // A turn that ended, or was forgotten, is not found any more.
      await store.claim(b, jobB, 'run-b');
      await store.advance(b, jobB, 'run-b', head(await store.begin(b, 'run-b')).raw);
      await store.forgetTurn(c);
      expect((await store.staleTurns(1_000)).map((t) => t.thread)).not.toContain(c);
      expect((await store.staleTurns(1_000)).map((t) => t.thread)).not.toContain(b);
    });
  });
}
