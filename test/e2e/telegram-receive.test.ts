/**
 * The Telegram receiver confirms an update (moves the `getUpdates` offset past it) only once the
 * router stored it: an update that could not be stored is handed in again, and one still unstored
 * when the receiver stops is delivered to the next receiver. A long poll that is never answered is
 * abandoned after its long poll plus the request timeout, and health says so while polls keep stalling.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTelegramAdapter } from '../../adapters/telegram/index.ts';
import type { Adapter, Inbound, IncomingMessage, Receiver } from '../../src/core/contract.ts';
import { createLogger } from '../../src/logger.ts';
import { type FakeTelegram, startFakeTelegram } from '../fakes/telegram.ts';
import { eventually, LogCapture } from '../support/bridge.ts';

let telegram: FakeTelegram;
const adapters: Adapter[] = [];
const logs = new LogCapture();

/** Only messages: these tests are about receiving. */
function inbound(message: Receiver): Inbound {
  return { message, command: async () => '', menu: [], adminIds: [] };
}

function adapter(requestTimeoutMs?: number): Adapter {
  const log = createLogger({ level: 'debug', secrets: [telegram.token] }, logs);
  const created = createTelegramAdapter({
    token: telegram.token,
    apiRoot: telegram.apiRoot,
    log,
    pollTimeoutSeconds: 1,
    ...(requestTimeoutMs !== undefined && { requestTimeoutMs }),
  });
  adapters.push(created);
  return created;
}

beforeEach(async () => {
  telegram = await startFakeTelegram();
});

afterEach(async () => {
  for (const a of adapters.splice(0)) await a.stop();
  await telegram.close();
});

it('hands an update in again when storing it failed, and confirms it only after', async () => {
  const received: IncomingMessage[] = [];
  let calls = 0;
  const receiver = adapter();
  await receiver.init();
  await receiver.start(
    inbound(async (message) => {
      calls++;
      if (calls === 1) throw new Error('Redis is not answering');
      received.push(message);
    }),
  );
  const { updateId } = telegram.userMessage({ chatId: 1, text: 'keep me' });
  await telegram.waitFor(() => received.length === 1, 10_000, 'the update stored');
  expect(calls).toBe(2);
  expect(received[0]?.text).toBe('keep me');
  await telegram.waitFor(() => telegram.confirmedOffset > updateId, 10_000, 'the offset confirmed');
  expect(logs.find('telegram update not stored; retrying')).toHaveLength(1);
});

it('leaves an update unconfirmed when the receiver stops before storing it', async () => {
  const first = adapter();
  await first.init();
  let attempts = 0;
  await first.start(
    inbound(async () => {
      attempts++;
      throw new Error('Redis is not answering');
    }),
  );
  const { updateId } = telegram.userMessage({ chatId: 2, text: 'do not lose me' });
  await telegram.waitFor(() => attempts >= 1, 10_000, 'a first attempt');
  await first.stop();
  expect(telegram.confirmedOffset).toBeLessThanOrEqual(updateId);

  const received: IncomingMessage[] = [];
  const second = adapter();
  await second.init();
  await second.start(
    inbound(async (message) => {
      received.push(message);
    }),
  );
  await telegram.waitFor(() => received.length === 1, 10_000, 'the update at the next receiver');
  expect(received[0]?.text).toBe('do not lose me');
});

it('stores a batch chat by chat in order, and confirms it only when every update in it is stored', async () => {
  const receiver = adapter();
  await receiver.init();
  const stored: string[] = [];
  let failuresLeft = 3;
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  // Queue the whole batch before the receiver starts polling, so it arrives in one getUpdates.
  const first = telegram.userMessage({ chatId: 1, text: 'a1' });
  telegram.userMessage({ chatId: 2, text: 'b1' });
  telegram.userMessage({ chatId: 1, text: 'a2' });
  const last = telegram.userMessage({ chatId: 2, text: 'b2' });
  await receiver.start(
    inbound(async (message) => {
      if (message.text === 'a1') {
        await gate;
        if (failuresLeft-- > 0) throw new Error('Redis is not answering');
      }
      stored.push(message.text ?? '');
    }),
  );
  // Chat 2 is stored while chat 1's first update is still pending, and nothing is confirmed yet.
  await telegram.waitFor(() => stored.includes('b2'), 10_000, "chat 2's updates");
  expect(stored).toEqual(['b1', 'b2']);
  expect(telegram.confirmedOffset).toBeLessThanOrEqual(first.updateId);
  release();
  await telegram.waitFor(() => stored.length === 4, 15_000, "chat 1's updates");
  expect(stored.filter((t) => t.startsWith('a'))).toEqual(['a1', 'a2']);
  await telegram.waitFor(() => telegram.confirmedOffset > last.updateId, 10_000, 'the batch confirmed');
});

it('abandons a long poll that is never answered and polls again, so messages still arrive', async () => {
  // A poll may take its 1 s long poll plus 500 ms.
  const receiver = adapter(500);
  await receiver.init();
  const received: string[] = [];
  telegram.holdPolls(1);
  await receiver.start(
    inbound(async (message) => {
      received.push(message.text ?? '');
    }),
  );
  await telegram.waitFor(() => telegram.heldPolls === 1, 5_000, 'the first poll held');
  const sentAt = Date.now();
  telegram.userMessage({ chatId: 3, text: 'anyone there?' });
  await telegram.waitFor(() => received.length === 1, 5_000, 'the message after the stalled poll');
  expect(received).toEqual(['anyone there?']);
  expect(Date.now() - sentAt).toBeLessThan(3_000);
  // The stalled request's connection was closed, not left open beside the new poll.
  await telegram.waitFor(() => telegram.heldPolls === 0, 2_000, 'the stalled poll closed');
  expect(logs.find('telegram getUpdates got no answer in time; polling again')).toHaveLength(1);
  expect(await receiver.health()).toEqual({ ok: true, detail: 'polling' });
});

it('reports unhealthy while no long poll completes, and healthy again once one does', async () => {
  // Each poll is abandoned after 1 s + 300 ms; unhealthy after two such spans without an answer.
  const receiver = adapter(300);
  await receiver.init();
  await receiver.start(inbound(async () => {}));
  expect(await receiver.health()).toEqual({ ok: true, detail: 'polling' });
  const stall = telegram.holdPolls();
  await eventually(async () => !(await receiver.health()).ok, 6_000, 'health to turn red');
  expect((await receiver.health()).detail).toMatch(/^no getUpdates completed for \d+ s$/);
  expect(telegram.heldPolls).toBe(1);
  expect(telegram.getUpdatesCalls).toBeGreaterThanOrEqual(2);
  stall.release();
  await eventually(async () => (await receiver.health()).ok, 4_000, 'health to turn green');
  expect(await receiver.health()).toEqual({ ok: true, detail: 'polling' });
});
