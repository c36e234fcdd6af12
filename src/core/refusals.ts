/**
 * Refusals that outlast one send, remembered in Redis so every process sees them:
 * - a chat that refused the bot for good (blocked, kicked, not found, archived, no permission):
 *   what is still queued for it is dropped without calling the agent;
 * - a platform that refuses the bridge's own credentials (a revoked or invalid token): `/healthz`
 *   reports that platform unhealthy, admins are alerted once per incident over the other platforms,
 *   and no agent call is made for that platform's questions until a send works again.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { AdminNotifier } from './admin-notifier.ts';
import type { Health, Platform } from './contract.ts';

/** How long a chat's refusal is remembered. */
export const CHAT_REFUSAL_TTL_SECONDS = 3_600;
/** How long a platform's refusal of the credentials is remembered without being seen again. */
const PLATFORM_REFUSAL_TTL_SECONDS = 600;
/** One incident: the alert is not repeated within this time. */
const INCIDENT_TTL_SECONDS = 3_600;

/** What is known of a thread's and its platform's refusals. */
export interface RefusalState {
  /** When the chat last refused the bot for good (epoch ms), or null. */
  chatRefusedAt: number | null;
  /** Why the platform refuses the bridge's credentials, or null while it does not. */
  platformRefused: string | null;
}

export class Refusals {
  readonly #redis: Redis;
  readonly #p: string;
  readonly #log: Logger;
  readonly #notifier: AdminNotifier | undefined;
  /** Platforms this process marked refused, so a working send clears the mark without a read each time. */
  readonly #marked = new Set<Platform>();

  constructor(options: { redis: Redis; prefix: string; log: Logger; notifier?: AdminNotifier }) {
    this.#redis = options.redis;
    this.#p = options.prefix;
    this.#log = options.log;
    this.#notifier = options.notifier;
  }

  #chatKey(thread: string): string {
    return `${this.#p}:refused:${thread}`;
  }

  #platformKey(platform: Platform): string {
    return `${this.#p}:platform-refused:${platform}`;
  }

  /** The refusals that concern `thread` of `platform` (one command). */
  async read(thread: string, platform: Platform): Promise<RefusalState> {
    const [chat, refused] = await this.#redis.mget(this.#chatKey(thread), this.#platformKey(platform));
    return { chatRefusedAt: chat ? Number(chat) : null, platformRefused: refused ?? null };
  }

  /** Remembers that `thread` refused the bot for good at `now`. */
  async chatRefused(thread: string, now: number): Promise<void> {
    await this.#redis.set(this.#chatKey(thread), String(now), 'EX', CHAT_REFUSAL_TTL_SECONDS);
  }

  /** Forgets a chat's refusal (the user wrote again, so they can be reached). */
  async chatReachable(thread: string): Promise<void> {
    await this.#redis.del(this.#chatKey(thread));
  }

  /** Records that `platform` refused the bridge's credentials; alerts admins once per incident. */
  async platformRefused(platform: Platform, detail: string): Promise<void> {
    this.#marked.add(platform);
    const [, first] = await Promise.all([
      this.#redis.set(this.#platformKey(platform), detail, 'EX', PLATFORM_REFUSAL_TTL_SECONDS),
      this.#redis.set(`${this.#p}:incident:platform:${platform}`, '1', 'EX', INCIDENT_TTL_SECONDS, 'NX'),
    ]);
    if (first !== 'OK') return;
    const advice = `check the ${platform} bot token (revoked, invalid or the app deactivated) and restart the bridge with a valid one`;
    this.#log.error({ platform, reason: detail, advice }, 'platform refused the bot credentials');
    await this.#notifier?.notify(
      'platform-refused',
      `${platform} refuses the bot's credentials (${detail}): answers for ${platform} are kept but cannot be posted. To fix: ${advice}.`,
      { except: platform },
    );
  }

  /** A send on `platform` worked: forgets a refusal this process had recorded. */
  async platformWorks(platform: Platform): Promise<void> {
    if (!this.#marked.delete(platform)) return;
    await this.#redis.del(this.#platformKey(platform), `${this.#p}:incident:platform:${platform}`);
    this.#log.info({ platform }, 'platform accepts the bot credentials again');
  }

  /** Forgets the refusals of platforms whose credentials were just accepted (start-up). */
  async platformsAccepted(platforms: Platform[]): Promise<void> {
    if (platforms.length === 0) return;
    await this.#redis.del(...platforms.map((p) => this.#platformKey(p)));
  }

  /** `health` with the platforms that refuse the bridge's credentials marked unhealthy. */
  async health(health: Record<string, Health>, platforms: Platform[]): Promise<Record<string, Health>> {
    if (platforms.length === 0) return health;
    const refused = await this.#redis.mget(platforms.map((p) => this.#platformKey(p)));
    const out = { ...health };
    platforms.forEach((platform, i) => {
      const detail = refused[i];
      if (detail) out[platform] = { ok: false, detail: `refuses the bot credentials: ${detail}` };
    });
    return out;
  }
}
