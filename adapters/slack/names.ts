/**
 * The names of people and channels a Slack message refers to by id only (`<@U123>`, `<#C123>`),
 * looked up with `users.info` and `conversations.info` and kept in a small bounded cache. A message
 * waits for its look-ups at most `waitMs`; a look-up still running then fills the cache for later
 * messages, and the message reads `@user` / `#channel` meanwhile. A refusal (a missing scope, an
 * unknown id) is remembered too, so the same id is not asked for again until it expires.
 */
import type { Logger } from '../../src/logger.ts';
import type { SlackNames } from './normalize.ts';

/** Names kept per kind (people, channels); the oldest goes first. */
export const SLACK_NAMES_MAX = 1_000;
/** How long a learned name is used, ms. */
const NAME_TTL_MS = 60 * 60_000;
/** How long a failed look-up keeps the placeholder before it is tried again, ms. */
const MISS_TTL_MS = 10 * 60_000;
/** How long a message waits for its look-ups, ms. */
const WAIT_MS = 300;

/** The Web API calls the cache needs (a `WebClient` has them). */
export interface SlackNameApi {
  users: { info(args: { user: string }): Promise<{ user?: SlackUser }> };
  conversations: { info(args: { channel: string }): Promise<{ channel?: { name?: string } }> };
}

interface SlackUser {
  name?: string;
  real_name?: string;
  profile?: { display_name?: string; real_name?: string };
}

export interface SlackNameCacheOptions {
  api: SlackNameApi;
  log: Logger;
  /** How long a message waits for its look-ups, ms. Default 300. */
  waitMs?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

/** One kind of name (people or channels): a bounded map in insertion order, with expiry. */
class Shelf {
  readonly #entries = new Map<string, { name: string | null; until: number }>();
  readonly #pending = new Map<string, Promise<void>>();
  readonly #lookUp: (id: string) => Promise<string | undefined>;
  readonly #now: () => number;
  readonly #log: Logger;

  constructor(lookUp: (id: string) => Promise<string | undefined>, now: () => number, log: Logger) {
    this.#lookUp = lookUp;
    this.#now = now;
    this.#log = log;
  }

  /** The known names of `ids`, for the normalizer. */
  pick(ids: readonly string[]): Map<string, string> {
    const names = new Map<string, string>();
    for (const id of ids) {
      const name = this.#entries.get(id)?.name;
      if (name) names.set(id, name);
    }
    return names;
  }

  /** Starts a look-up of every id not known (or expired); resolves when those look-ups end. */
  fetch(ids: readonly string[]): Promise<void>[] {
    return ids.map((id) => {
      const entry = this.#entries.get(id);
      if (entry && entry.until > this.#now()) return Promise.resolve();
      const running = this.#pending.get(id);
      if (running !== undefined) return running;
      const work = this.#lookUp(id)
        .then(
          (name) => this.#store(id, name ?? null),
          (err: unknown) => {
            this.#log.debug({ err, id }, 'slack name look-up failed');
            this.#store(id, null);
          },
        )
        .finally(() => this.#pending.delete(id));
      this.#pending.set(id, work);
      return work;
    });
  }

  #store(id: string, name: string | null): void {
    this.#entries.delete(id);
    this.#entries.set(id, { name, until: this.#now() + (name === null ? MISS_TTL_MS : NAME_TTL_MS) });
    while (this.#entries.size > SLACK_NAMES_MAX) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
}

export class SlackNameCache {
  readonly #users: Shelf;
  readonly #channels: Shelf;
  readonly #waitMs: number;

  constructor(options: SlackNameCacheOptions) {
    const { api, log } = options;
    const now = options.now ?? Date.now;
    this.#waitMs = options.waitMs ?? WAIT_MS;
    this.#users = new Shelf(
      async (user) => {
        const found = (await api.users.info({ user })).user;
        const profile = found?.profile;
        return profile?.display_name || profile?.real_name || found?.real_name || found?.name || undefined;
      },
      now,
      log,
    );
    this.#channels = new Shelf(
      async (channel) => (await api.conversations.info({ channel })).channel?.name || undefined,
      now,
      log,
    );
  }

  /** The names of `refs`, waiting for their look-ups at most `waitMs`; never rejects. */
  async names(refs: { users: readonly string[]; channels: readonly string[] }): Promise<SlackNames> {
    const work = [...this.#users.fetch(refs.users), ...this.#channels.fetch(refs.channels)];
    if (work.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#waitMs);
      });
      await Promise.race([Promise.all(work), deadline]);
      clearTimeout(timer);
    }
    return { users: this.#users.pick(refs.users), channels: this.#channels.pick(refs.channels) };
  }
}
