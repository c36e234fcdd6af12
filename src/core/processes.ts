/**
 * Which processes are running, as they announce themselves in Redis: each bridge process publishes
 * who it is (role, platforms, pid, host, version, start time) and renews it on a heartbeat; a clean
 * stop removes it, and an entry not renewed within its time to live counts as gone (a crash, `kill -9`).
 * `npm run cli -- status` and the status report list them; the terminal chat keeps its private lane
 * in a registry of its own, so that a later session can clear the lane of one that died.
 *
 * One hash per registry: `<prefix>:<name>`, field = process id, value = JSON. By default every
 * heartbeat drops the entries of processes gone and renews the hash's own TTL, so the hash vanishes
 * when all of them are; a registry that must clean up after the gone ones keeps their entries until
 * `forget`.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';

/** A process as it announced itself. Plain JSON. */
export interface ProcessInfo {
  /** Unique per process run. */
  id: string;
  /** `all`, `receiver` or `worker` (a bridge process), `chat` (a terminal chat). */
  role: string;
  /** The platforms it connects to. */
  platforms: string[];
  pid: number;
  host: string;
  /** The bridge's version (package.json). */
  version: string;
  /** When it started, ISO time. */
  startedAt: string;
  /** When it last renewed its entry, ISO time. */
  lastSeen: string;
}

/** A published entry, renewed until `stop`. */
export interface Presence {
  readonly id: string;
  /** Stops the heartbeat and removes the entry. */
  stop(): Promise<void>;
}

export interface ProcessRegistryOptions {
  prefix: string;
  /** The hash's name under the prefix. Default `processes`. */
  name?: string;
  /** An entry not renewed for this long is gone, s. Default 30; renewed every third of it. */
  ttlSeconds?: number;
  /**
   * `drop` (default): heartbeats remove the entries of processes gone, and the hash expires with the
   * last one. `keep`: entries stay until `forget`, for whoever clears what a gone process left.
   */
  gone?: 'drop' | 'keep';
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

export class ProcessRegistry {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #keepGone: boolean;

  constructor(redis: Redis, options: ProcessRegistryOptions) {
    this.#redis = redis;
    this.#key = `${options.prefix}:${options.name ?? 'processes'}`;
    this.#ttlMs = (options.ttlSeconds ?? 30) * 1000;
    this.#now = options.now ?? Date.now;
    this.#keepGone = options.gone === 'keep';
  }

  /**
   * Publishes this process now and on a heartbeat until `stop`. Never throws: a failed heartbeat
   * (Redis away) is tried again at the next beat; the entry may lapse meanwhile, as the process is
   * unreachable then too.
   */
  async publish(info: {
    role: string;
    platforms: string[];
    version: string;
    id?: string;
  }): Promise<Presence> {
    const id = info.id ?? randomUUID();
    const entry = {
      id,
      role: info.role,
      platforms: info.platforms,
      pid: process.pid,
      host: hostname(),
      version: info.version,
      startedAt: new Date(this.#now()).toISOString(),
    };
    const beat = () => this.#beat(id, entry).catch(() => undefined);
    await beat();
    const timer = setInterval(beat, this.#ttlMs / 3);
    timer.unref();
    return {
      id,
      stop: async () => {
        clearInterval(timer);
        await this.#redis.hdel(this.#key, id);
      },
    };
  }

  async #beat(id: string, entry: Omit<ProcessInfo, 'lastSeen'>): Promise<void> {
    const now = this.#now();
    const value = JSON.stringify({ ...entry, lastSeen: new Date(now).toISOString() });
    if (this.#keepGone) {
      await this.#redis.hset(this.#key, id, value);
      return;
    }
    const gone = (await this.#read()).filter((p) => p.seen < now - this.#ttlMs && p.info.id !== id);
    const tx = this.#redis.multi();
    if (gone.length > 0) tx.hdel(this.#key, ...gone.map((p) => p.info.id));
    tx.hset(this.#key, id, value);
    tx.pexpire(this.#key, this.#ttlMs);
    await tx.exec();
  }

  /** The processes seen within the time to live, oldest first. */
  async list(): Promise<ProcessInfo[]> {
    const cutoff = this.#now() - this.#ttlMs;
    return (await this.#read())
      .filter((p) => p.seen >= cutoff)
      .map((p) => p.info)
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  /** The ids of processes not seen within the time to live (still listed until `forget`). */
  async gone(): Promise<string[]> {
    const cutoff = this.#now() - this.#ttlMs;
    return (await this.#read()).filter((p) => p.seen < cutoff).map((p) => p.info.id);
  }

  /** Removes the entry of `id`. */
  async forget(id: string): Promise<void> {
    await this.#redis.hdel(this.#key, id);
  }

  async #read(): Promise<Array<{ info: ProcessInfo; seen: number }>> {
    const all = await this.#redis.hgetall(this.#key);
    const out: Array<{ info: ProcessInfo; seen: number }> = [];
    for (const [id, raw] of Object.entries(all)) {
      try {
        const info = JSON.parse(raw) as ProcessInfo;
        out.push({ info: { ...info, id }, seen: Date.parse(info.lastSeen) || 0 });
      } catch {
        out.push({ info: { id } as ProcessInfo, seen: 0 });
      }
    }
    return out;
  }
}
