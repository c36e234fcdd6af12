/**
 * The fakes behave like the real services through real clients: Node's fetch against the Aksita
 * fake, the real grammY `Bot` against the Telegram fake.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot, GrammyError, HttpError } from 'grammy';
import type { Message, Update } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeAksita, startFakeAksita } from './aksita.ts';
import { readBody } from './http.ts';
import { type FakeTelegram, startFakeTelegram } from './telegram.ts';

describe('fake Aksita', () => {
  let aksita: FakeAksita;
  beforeEach(async () => {
    aksita = await startFakeAksita();
  });
  afterEach(async () => {
    await aksita.close();
  });

  const post = (path: string, body: unknown, key = 'test-key', signal?: AbortSignal) =>
    fetch(`${aksita.url}${path}`, {
      method: 'POST',
      headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...(signal && { signal }),
    });

  async function session(): Promise<string> {
    const res = await post('/api/session', {});
    expect(res.status).toBe(200);
    const json = (await res.json()) as { data: { conversation_id: string } };
    return json.data.conversation_id;
  }

  const chat = (conversationId: string, message: string, extra: object = {}) =>
    post('/api/chat', { conversation_id: conversationId, message, ...extra });

  it('creates a session and answers a chat with the documented envelope', async () => {
    const id = await session();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const res = await chat(id, 'Hello!', { additional_context: 'User: John' });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { status: boolean; data: Record<string, unknown>; detail: string };
    expect(json).toMatchObject({
      status: true,
      data: { response: ['echo: Hello!'], credits: 15, remaining_credits: 9985, conversation_id: id },
      detail: 'Response generated successfully',
    });
    expect(json.data.message_id).toEqual(expect.any(String));
    expect(aksita.sessions).toEqual([id]);
    expect(aksita.chats).toEqual([
      {
        conversationId: id,
        message: 'Hello!',
        additionalContext: 'User: John',
        apiKey: 'test-key',
        at: expect.any(Number),
        outcome: 200,
      },
    ]);
  });

  it('passes the message, context and turn to reply', async () => {
    aksita.reply = (message, { turn, additionalContext }) => [
      `${turn}: ${message}`,
      additionalContext ?? '-',
    ];
    const id = await session();
    await chat(id, 'a');
    const second = (await (await chat(id, 'b', { additional_context: 'ctx' })).json()) as {
      data: { response: string[] };
    };
    expect(second.data.response).toEqual(['2: b', 'ctx']);
  });

  it('refuses a bad key (401), bad bodies (400), unknown or forgotten conversations (404)', async () => {
    expect((await post('/api/session', {}, 'wrong-key')).status).toBe(401);
    const id = await session();
    const bad = await post('/api/chat', { conversation_id: id, message: 'x' }, 'wrong-key');
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ status: false, reason: 'Invalid API key' });
    expect((await post('/api/chat', '{not json')).status).toBe(400);
    expect((await chat(id, '')).status).toBe(400);
    expect((await post('/api/chat', { message: 'no id' })).status).toBe(400);
    expect((await chat('no-such-conversation', 'x')).status).toBe(404);
    expect((await chat(id, 'before')).status).toBe(200);
    aksita.forget(id);
    const gone = await chat(id, 'after');
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ status: false, reason: 'Conversation not found' });
    expect(aksita.chats.map((c) => c.outcome)).toEqual([401, 400, 400, 404, 200, 404]);
  });

  it('answers 402 once the balance is below the price of a call', async () => {
    aksita.balance = 20;
    const id = await session();
    const first = (await (await chat(id, 'one')).json()) as { data: { remaining_credits: number } };
    expect(first.data.remaining_credits).toBe(5);
    const second = await chat(id, 'two');
    expect(second.status).toBe(402);
    expect(aksita.balance).toBe(5);
  });

  it('plays scripted steps once each, in order', async () => {
    const id = await session();
    aksita.script(
      { status: 503, reason: 'overloaded' },
      { malformed: 'not-json' },
      { malformed: 'status-false' },
      { malformed: 'response-not-array' },
      { reset: true },
      { delayMs: 60 },
    );
    const unavailable = await chat(id, 'a');
    expect(unavailable.status).toBe(503);
    expect(await unavailable.json()).toEqual({ status: false, reason: 'overloaded' });
    const notJson = await chat(id, 'b');
    expect(notJson.status).toBe(200);
    await expect(notJson.json()).rejects.toThrow();
    expect(await (await chat(id, 'c')).json()).toEqual({ status: false });
    expect(await (await chat(id, 'd')).json()).toEqual({ status: true, data: { response: 42 } });
    await expect(chat(id, 'e')).rejects.toThrow(TypeError);
    const started = Date.now();
    expect((await chat(id, 'f')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect((await chat(id, 'g')).status).toBe(200);
    expect(aksita.chats.map((c) => c.outcome)).toEqual([503, 200, 200, 200, 0, 200, 200]);
    expect(aksita.balance).toBe(10_000 - 2 * 15);
  });

  it('hangs until the client gives up, and close() ends a hung request', async () => {
    const id = await session();
    aksita.script({ hang: true }, { hang: true });
    const controller = new AbortController();
    const first = chat(id, 'x', {});
    const aborted = post('/api/chat', { conversation_id: id, message: 'y' }, 'test-key', controller.signal);
    await aksita.waitFor(() => aksita.chats.length === 2, 5_000, 'both requests received');
    controller.abort();
    await expect(aborted).rejects.toThrow(/aborted/i);
    await aksita.close();
    await expect(first).rejects.toThrow(TypeError);
    expect(aksita.chats.map((c) => c.outcome)).toEqual([0, 0]);
  });

  it('holds chat calls behind a gate until it is released', async () => {
    const id = await session();
    const gate = aksita.gate();
    let settled = false;
    const pending = chat(id, 'held').then((res) => {
      settled = true;
      return res;
    });
    await aksita.waitFor(() => aksita.chats.length === 1, 5_000, 'the held request');
    expect(aksita.chats[0]?.outcome).toBe(0);
    expect(settled).toBe(false);
    gate.release();
    expect((await pending).status).toBe(200);
    expect(aksita.chats[0]?.outcome).toBe(200);
  });

  it('waits latencyMs before answering', async () => {
    const id = await session();
    aksita.latencyMs = 80;
    const started = Date.now();
    await chat(id, 'slow');
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('rejects waitFor with the name of what it waited for', async () => {
    await expect(aksita.waitFor(() => false, 30, 'the impossible')).rejects.toThrow(/the impossible/);
  });
});

describe('fake Telegram through grammY', () => {
  let telegram: FakeTelegram;
  const bots: Bot[] = [];
  const runs: Promise<unknown>[] = [];

  beforeEach(async () => {
    telegram = await startFakeTelegram();
  });
  afterEach(async () => {
    for (const bot of bots.splice(0)) if (bot.isRunning()) await bot.stop();
    await Promise.all(runs.splice(0));
    await telegram.close();
  });

  function newBot(token = telegram.token): Bot {
    const bot = new Bot(token, { client: { apiRoot: telegram.apiRoot } });
    bot.catch(() => {});
    bots.push(bot);
    return bot;
  }

  /** Starts long polling; the returned promise settles when the bot stops (or fails). */
  function run(bot: Bot): Promise<void> {
    const running = bot.start();
    runs.push(running.catch(() => {}));
    return running;
  }

  it('answers getMe, and refuses a wrong token and an unknown method', async () => {
    const bot = newBot();
    expect(await bot.api.getMe()).toEqual(telegram.me);
    await bot.init();
    expect(bot.botInfo.username).toBe('aksita_test_bot');
    await expect(newBot('999:wrong').api.getMe()).rejects.toMatchObject({
      error_code: 401,
      description: 'Unauthorized',
    });
    const raw = bot.api.raw as unknown as Record<string, (payload: object) => Promise<unknown>>;
    await expect(raw.noSuchMethod?.({})).rejects.toMatchObject({
      error_code: 404,
      description: 'Not Found: method not found',
    });
  });

  it('sends messages with per-chat ids, threads and replies, and records them', async () => {
    const bot = newBot();
    const { messageId } = telegram.userMessage({ chatId: 42, text: 'hi' });
    const sent = await bot.api.sendMessage(42, 'hello', {
      message_thread_id: 7,
      reply_parameters: { message_id: messageId },
    });
    expect(sent).toMatchObject({
      message_id: messageId + 1,
      chat: { id: 42 },
      text: 'hello',
      from: telegram.me,
    });
    expect((await bot.api.sendMessage(43, 'other chat')).message_id).toBe(1);
    expect(telegram.sent[0]).toMatchObject({
      chatId: '42',
      text: 'hello',
      threadId: '7',
      replyTo: String(messageId),
    });
    expect(telegram.sentTo(42)).toEqual(['hello']);
    await expect(
      bot.api.sendMessage(42, 'x', { reply_parameters: { message_id: 999 } }),
    ).rejects.toMatchObject({
      description: 'Bad Request: message to be replied not found',
    });
    await bot.api.sendChatAction(42, 'typing', { message_thread_id: 7 });
    expect(telegram.actions).toMatchObject([{ chatId: '42', action: 'typing', threadId: '7' }]);
  });

  it('enforces 4096 characters and non-empty text, counting HTML after parsing', async () => {
    const bot = newBot();
    await bot.api.sendMessage(1, 'a'.repeat(4096));
    const tooLong = bot.api.sendMessage(1, 'a'.repeat(4097));
    await expect(tooLong).rejects.toBeInstanceOf(GrammyError);
    await expect(tooLong).rejects.toMatchObject({
      error_code: 400,
      description: 'Bad Request: message is too long',
    });
    await expect(bot.api.sendMessage(1, '   ')).rejects.toMatchObject({
      description: 'Bad Request: message text is empty',
    });
    const html = `<b>${'a'.repeat(4090)}</b> &amp;&lt;`;
    expect((await bot.api.sendMessage(1, html, { parse_mode: 'HTML' })).text).toBe(`${'a'.repeat(4090)} &<`);
    await expect(bot.api.sendMessage(1, 'a < b', { parse_mode: 'HTML' })).rejects.toMatchObject({
      error_code: 400,
      description: expect.stringContaining("can't parse entities"),
    });
    await expect(bot.api.sendMessage(1, '<b>open', { parse_mode: 'HTML' })).rejects.toMatchObject({
      description: expect.stringContaining('Can\'t find end tag corresponding to start tag "b"'),
    });
    expect(telegram.sentTo(1)).toHaveLength(2);
  });

  it('plays scripted send failures: 429 with retry_after, 403, a reset socket', async () => {
    const bot = newBot();
    telegram.script({ status: 429, retryAfter: 3 }, { status: 403 }, { reset: true });
    const limited = await bot.api.sendMessage(5, 'one').catch((err: unknown) => err);
    expect(limited).toBeInstanceOf(GrammyError);
    expect(limited).toMatchObject({
      error_code: 429,
      description: 'Too Many Requests: retry after 3',
      parameters: { retry_after: 3 },
    });
    await expect(bot.api.sendMessage(5, 'two')).rejects.toMatchObject({ error_code: 403 });
    await expect(bot.api.sendMessage(5, 'three')).rejects.toBeInstanceOf(HttpError);
    await bot.api.sendMessage(5, 'four');
    expect(telegram.sentTo(5)).toEqual(['four']);
    expect(telegram.sendAttempts.map((a) => a.status)).toEqual([429, 403, 0, 200]);
  });

  it('rate-limits per chat and globally when asked', async () => {
    const bot = newBot();
    telegram.rateLimit = { perChatPerSecond: 1, globalPerSecond: 2 };
    await bot.api.sendMessage(1, 'a');
    await expect(bot.api.sendMessage(1, 'b')).rejects.toMatchObject({
      error_code: 429,
      parameters: { retry_after: 1 },
    });
    await bot.api.sendMessage(2, 'c');
    await expect(bot.api.sendMessage(3, 'd')).rejects.toMatchObject({ error_code: 429 });
    expect(telegram.sent.map((s) => s.text)).toEqual(['a', 'c']);
  });

  it('holds sends behind a gate, and drops a held step once the client gives up', async () => {
    const bot = newBot();
    const gate = telegram.gate();
    const gated = bot.api.sendMessage(9, 'gated');
    await telegram.waitFor(() => telegram.held === 1, 5_000, 'the gated send');
    expect(telegram.sent).toHaveLength(0);
    gate.release();
    expect((await gated).text).toBe('gated');

    telegram.script({ hold: true });
    const controller = new AbortController();
    // grammY types its signal with the abort-controller polyfill; Node's is compatible at runtime.
    type Signal = Parameters<typeof bot.api.sendMessage>[3];
    const held = bot.api.sendMessage(9, 'never', {}, controller.signal as unknown as Signal);
    await telegram.waitFor(() => telegram.held === 1, 5_000, 'the held send');
    controller.abort();
    await expect(held).rejects.toBeInstanceOf(HttpError);
    await telegram.waitFor(() => telegram.held === 0, 5_000, 'the held send dropped');
    expect(telegram.sentTo(9)).toEqual(['gated']);
  });

  it('long-polls with bot.start(): messages arrive and /commands get bot_command entities', async () => {
    const bot = newBot();
    const texts: string[] = [];
    const commands: string[] = [];
    bot.command('start', (ctx) => void commands.push(ctx.match));
    bot.on('message:text', (ctx) => void texts.push(ctx.message.text));
    void run(bot);
    await telegram.waitFor(() => telegram.polling, 5_000, 'the bot polling');
    telegram.userMessage({ chatId: 1, text: 'hello there' });
    telegram.userMessage({ chatId: -100, chatType: 'group', text: '/start@aksita_test_bot now' });
    await telegram.waitFor(() => texts.length === 1 && commands.length === 1, 5_000, 'both updates handled');
    expect(texts).toEqual(['hello there']);
    expect(commands).toEqual(['now']);
  });

  it('confirms updates by offset; a new bot does not see them, a redelivery makes them visible', async () => {
    const first = newBot();
    const seenByFirst: string[] = [];
    first.on('message:text', (ctx) => void seenByFirst.push(ctx.message.text));
    void run(first);
    const { updateId } = telegram.userMessage({ chatId: 1, text: 'old' });
    await telegram.waitFor(() => seenByFirst.length === 1, 5_000, 'the first bot handling it');
    await first.stop();
    expect(telegram.confirmedOffset).toBe(updateId + 1);

    const second = newBot();
    const seenBySecond: string[] = [];
    let unblock = () => {};
    const blocked = new Promise<void>((resolve) => {
      unblock = resolve;
    });
    second.on('message:text', async (ctx) => {
      seenBySecond.push(ctx.message.text);
      if (ctx.message.text === 'new') await blocked;
    });
    void run(second);
    telegram.userMessage({ chatId: 1, text: 'new' });
    await telegram.waitFor(() => seenBySecond.length === 1, 5_000, 'the new update');
    // Redelivered while the bot is busy: its next getUpdates passes an offset above the old id.
    telegram.redeliver(updateId);
    unblock();
    await telegram.waitFor(() => seenBySecond.length === 2, 5_000, 'the redelivered update');
    expect(seenBySecond).toEqual(['new', 'old']);
    expect(telegram.polledUpdates.filter((id) => id === updateId)).toHaveLength(2);
  });

  it('answers an older long poll 409 when another getUpdates comes in', async () => {
    const first = newBot();
    const firstRun = run(first);
    await telegram.waitFor(() => telegram.polling, 5_000, 'the first bot polling');
    const second = newBot();
    const texts: string[] = [];
    second.on('message:text', (ctx) => void texts.push(ctx.message.text));
    void run(second);
    await expect(firstRun).rejects.toMatchObject({
      error_code: 409,
      description: expect.stringContaining('Conflict: terminated by other getUpdates request'),
    });
    telegram.userMessage({ chatId: 3, text: 'to the survivor' });
    await telegram.waitFor(() => texts.length === 1, 5_000, 'the second bot receiving');
  });

  it('ends an empty long poll after its timeout', async () => {
    const bot = newBot();
    const started = Date.now();
    expect(await bot.api.getUpdates({ timeout: 1 })).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('builds realistic updates: entities, groups, forum topics, replies to the bot', async () => {
    const bot = newBot();
    await bot.api.sendMessage(-1001234567890, 'an answer', { message_thread_id: 5 });
    telegram.userMessage({ chatId: 7, text: 'ping @aksita_test_bot', firstName: 'Ann', username: 'ann' });
    telegram.userMessage({ chatId: -1001234567890, text: 'in a topic', threadId: 5, isTopic: true });
    telegram.userMessage({
      chatId: -1001234567890,
      text: 'reply',
      threadId: 5,
      isTopic: true,
      replyToBot: true,
    });
    telegram.userMessage({ chatId: 7, caption: 'look', photo: true });
    const [mention, topic, reply, photo] = (await bot.api.getUpdates()).map(
      (u: Update) => u.message as Message,
    );
    expect(mention).toMatchObject({
      chat: { id: 7, type: 'private', first_name: 'Ann', username: 'ann' },
      from: { id: 7, is_bot: false, first_name: 'Ann' },
      entities: [{ type: 'mention', offset: 5, length: 16 }],
    });
    expect(topic).toMatchObject({
      chat: { type: 'supergroup', is_forum: true },
      message_thread_id: 5,
      is_topic_message: true,
      reply_to_message: { message_id: 5, forum_topic_created: { name: 'Topic' } },
    });
    expect(reply?.reply_to_message).toMatchObject({ text: 'an answer', from: { id: telegram.me.id } });
    expect(photo).toMatchObject({ caption: 'look' });
    expect(photo?.photo).toHaveLength(2);
  });

  it('stores commands per scope and refuses invalid ones', async () => {
    const bot = newBot();
    await bot.api.setMyCommands([{ command: 'help', description: 'How to use the bot' }]);
    await bot.api.setMyCommands([{ command: 'reset', description: 'Start over' }], {
      scope: { type: 'all_group_chats' },
    });
    expect(await bot.api.getMyCommands()).toEqual([{ command: 'help', description: 'How to use the bot' }]);
    expect(await bot.api.getMyCommands({ scope: { type: 'all_group_chats' } })).toHaveLength(1);
    await expect(bot.api.setMyCommands([{ command: 'Bad-Name', description: 'x' }])).rejects.toMatchObject({
      error_code: 400,
    });
    await bot.api.deleteMyCommands();
    expect(await bot.api.getMyCommands()).toEqual([]);
  });

  it('accepts form-encoded and query parameters like the real API', async () => {
    const base = `${telegram.apiRoot}/bot${telegram.token}`;
    const form = await fetch(`${base}/sendMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ chat_id: '11', text: 'from a form', reply_parameters: '{"message_id":0}' }),
    });
    expect(form.status).toBe(400);
    expect(await (await fetch(`${base}/SENDMESSAGE?chat_id=11&text=by+query`)).json()).toMatchObject({
      ok: true,
      result: { text: 'by query' },
    });
    expect(telegram.sentTo(11)).toEqual(['by query']);
  });

  it('delivers to a webhook with the secret, retrying until it gets a 2xx', async () => {
    const received: Array<{ secret: string | undefined; body: Update }> = [];
    const hook = createServer(async (req: IncomingMessage, res) => {
      const secret = req.headers['x-telegram-bot-api-secret-token'];
      received.push({
        secret: Array.isArray(secret) ? secret[0] : secret,
        body: JSON.parse(await readBody(req)),
      });
      res.writeHead(received.length === 1 ? 500 : 200).end();
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    try {
      telegram.webhookRetryMs = 10;
      const bot = newBot();
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
      await bot.api.setWebhook(url, { secret_token: 'hook-secret' });
      expect(telegram.webhook).toEqual({ url, secretToken: 'hook-secret' });
      await expect(bot.api.getUpdates()).rejects.toMatchObject({ error_code: 409 });
      const { updateId } = telegram.userMessage({ chatId: 4, text: 'hooked' });
      await telegram.waitFor(() => telegram.pendingCount === 0, 5_000, 'the webhook accepting it');
      expect(telegram.webhookDeliveries).toEqual([
        { updateId, status: 500 },
        { updateId, status: 200 },
      ]);
      expect(received.map((r) => r.secret)).toEqual(['hook-secret', 'hook-secret']);
      expect(received[1]?.body.message?.text).toBe('hooked');
      await bot.api.deleteWebhook();
      expect(await bot.api.getWebhookInfo()).toMatchObject({ url: '', pending_update_count: 0 });
    } finally {
      hook.closeAllConnections();
      await new Promise((resolve) => hook.close(resolve));
    }
  });
});
