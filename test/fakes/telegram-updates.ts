/**
 * How the fake Telegram hands updates to the bot: the pending queue with `update_id`s and the history
 * a redelivery draws on, `allowed_updates`, getUpdates with real offsets, long polling and the
 * one-poller rule (409 for a second poller or while a webhook is set), polls held unanswered as on a
 * half-open connection, and setWebhook/deleteWebhook with deliveries retried until answered 2xx.
 * `telegram.ts` routes the Bot API methods here and exposes the state on `FakeTelegram`.
 */
import type { ServerResponse } from 'node:http';
import { type FakeServer, sendJson } from './http.ts';
import {
  ApiError,
  badRequest,
  boolParam as bool,
  CONFLICT_HOOK,
  CONFLICT_POLL,
  intParam as int,
  jsonParam as json,
  NOT_BY_DEFAULT,
  type Params,
  type QueuedUpdate,
  strParam as str,
  UpdateQueue,
} from './telegram-wire.ts';

/** What a method returns when it answered (or will answer, or never answers) the request itself. */
export const HANDLED = Symbol('handled');

type Update = QueuedUpdate['update'];

/** What the feed reads from the fake, when it needs it. */
export interface FeedHost {
  readonly server: Pick<FakeServer, 'closed' | 'delay'>;
  /** Delay before a failed webhook delivery is retried, ms. */
  readonly webhookRetryMs: number;
}

/** The updates' way to the bot: getUpdates or the webhook. */
export class UpdateFeed {
  readonly queue = new UpdateQueue();
  /** Update ids returned by getUpdates, in order (a redelivered update appears again). */
  readonly polledUpdates: number[] = [];
  /** Every webhook POST with the receiver's status (0: connection error). */
  readonly webhookDeliveries: Array<{ updateId: number; status: number }> = [];
  /** getUpdates requests now held unanswered by `holdPolls`. */
  heldPolls = 0;
  /** getUpdates requests received, held ones included. */
  getUpdatesCalls = 0;
  readonly #host: () => FeedHost;
  readonly #history = new Map<number, Update>();
  #nextUpdateId = 100_000;
  #allowed: Set<string> | null = null;
  #poller: { res: ServerResponse; limit: number; timer: NodeJS.Timeout } | null = null;
  #webhook: { url: string; secretToken?: string } | null = null;
  #delivering = false;
  #pollsToHold = 0;
  readonly #closing = new AbortController();

  constructor(host: () => FeedHost) {
    this.#host = host;
  }

  /** True while a getUpdates long poll is waiting for updates. */
  get polling(): boolean {
    return this.#poller !== null;
  }

  /** A copy of the webhook, or null while none is set. */
  get webhook(): { url: string; secretToken?: string } | null {
    return this.#webhook && { ...this.#webhook };
  }

  /** Holds the next `count` getUpdates requests; the gate's release stops holding new ones. */
  holdPolls(count: number): { release(): void } {
    this.#pollsToHold = count;
    return {
      release: () => {
        this.#pollsToHold = 0;
      },
    };
  }

  /** Enqueues a raw update (assigning update_id if missing), unless its type is not allowed. */
  pushUpdate(raw: object): number {
    const update = { ...raw } as Update;
    if (typeof update.update_id !== 'number') update.update_id = this.#nextUpdateId;
    this.#nextUpdateId = Math.max(this.#nextUpdateId, update.update_id + 1);
    this.#history.set(update.update_id, update);
    const type = Object.keys(update).find((k) => k !== 'update_id') ?? '';
    if (this.#allowed ? this.#allowed.has(type) : !NOT_BY_DEFAULT.has(type)) this.#enqueue(update, false);
    return update.update_id;
  }

  /** Enqueues an earlier update again, same id and content, even if it was confirmed. */
  redeliver(updateId: number): void {
    const update = this.#history.get(updateId);
    if (!update) throw new Error(`fake Telegram: no update ${updateId} to redeliver`);
    this.#enqueue(update, true);
  }

  getUpdates(p: Params, res: ServerResponse): unknown {
    this.getUpdatesCalls++;
    if (this.#pollsToHold > 0) {
      this.#pollsToHold--;
      this.heldPolls++;
      res.on('close', () => this.heldPolls--);
      return HANDLED;
    }
    if (this.#webhook) throw new ApiError(409, CONFLICT_HOOK);
    this.#answerPoller(409, { ok: false, error_code: 409, description: CONFLICT_POLL });
    this.#setAllowed(json<string[]>(p, 'allowed_updates'));
    const offset = int(p, 'offset') ?? 0;
    if (offset !== 0) this.queue.confirm(offset);
    const limit = Math.min(100, Math.max(1, int(p, 'limit') ?? 100));
    const timeout = int(p, 'timeout') ?? 0;
    if (this.queue.entries.length > 0 || timeout <= 0) return this.#take(limit);
    const timer = setTimeout(() => this.#answerPoller(200, { ok: true, result: [] }), timeout * 1000);
    this.#poller = { res, limit, timer };
    res.on('close', () => {
      if (this.#poller?.res !== res) return;
      clearTimeout(timer);
      this.#poller = null;
    });
    return HANDLED;
  }

  setWebhook(p: Params): unknown {
    const url = str(p, 'url') ?? '';
    if (url === '') return this.deleteWebhook(p);
    if (!URL.canParse(url)) throw badRequest('bad webhook: invalid URL');
    const secretToken = str(p, 'secret_token');
    if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) {
      throw badRequest('secret token contains unallowed characters');
    }
    if (bool(p, 'drop_pending_updates')) this.queue.clear();
    this.#setAllowed(json<string[]>(p, 'allowed_updates'));
    this.#webhook = secretToken ? { url, secretToken } : { url };
    this.#answerPoller(409, { ok: false, error_code: 409, description: CONFLICT_HOOK });
    void this.#deliver();
    return true;
  }

  deleteWebhook(p: Params): unknown {
    this.#webhook = null;
    if (bool(p, 'drop_pending_updates')) this.queue.clear();
    return true;
  }

  /** Stops a waiting long poll's timer and aborts webhook deliveries in flight. */
  close(): void {
    if (this.#poller) clearTimeout(this.#poller.timer);
    this.#poller = null;
    this.#closing.abort();
  }

  #enqueue(update: Update, redelivered: boolean): void {
    this.queue.add(update, redelivered);
    if (this.#webhook) void this.#deliver();
    else if (this.#poller) this.#answerPoller(200, { ok: true, result: this.#take(this.#poller.limit) });
  }

  #take(limit: number): Update[] {
    const result = this.queue.take(limit);
    for (const update of result) this.polledUpdates.push(update.update_id);
    return result;
  }

  #answerPoller(status: number, body: unknown): void {
    if (!this.#poller) return;
    clearTimeout(this.#poller.timer);
    sendJson(this.#poller.res, status, body);
    this.#poller = null;
  }

  async #deliver(): Promise<void> {
    if (this.#delivering) return;
    this.#delivering = true;
    const { server } = this.#host();
    try {
      while (!server.closed && this.#webhook && this.queue.entries.length > 0) {
        const webhook = this.#webhook;
        const entry = this.queue.entries[0] as QueuedUpdate;
        const headers: Record<string, string> = { 'Content-Type': 'application/json' };
        if (webhook.secretToken) headers['X-Telegram-Bot-Api-Secret-Token'] = webhook.secretToken;
        let status = 0;
        try {
          const body = JSON.stringify(entry.update);
          const signal = this.#closing.signal;
          const res = await fetch(webhook.url, { method: 'POST', headers, body, signal });
          status = res.status;
          await res.arrayBuffer();
        } catch {
          status = 0;
        }
        if (server.closed) break;
        this.webhookDeliveries.push({ updateId: entry.update.update_id, status });
        if (status >= 200 && status < 300) this.queue.remove(entry);
        else await server.delay(this.#host().webhookRetryMs);
      }
    } finally {
      this.#delivering = false;
    }
  }

  #setAllowed(list: string[] | undefined): void {
    if (list !== undefined) this.#allowed = list.length === 0 ? null : new Set(list);
  }
}
