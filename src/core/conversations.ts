/**
 * Thread → Aksita conversation. The map lives in Redis (`conv:<thread>`, no TTL) so a conversation
 * survives restarts; a 404 from the agent means the conversation is gone, so a fresh session is
 * created, stored, and the message tried once more. A thread that moves for good (a Telegram group
 * upgraded to a supergroup) takes its conversation along (`move`). A `/start` payload (a Telegram
 * deep link) waits in `start:<thread>` (with a TTL) and goes to the agent as context of the thread's
 * next question.
 */
import type { Redis } from 'ioredis';
import type { AgentReply, AksitaClient } from '../aksita/client.ts';
import type { IncomingMessage, Platform } from './contract.ts';
import { type AgentRoute, agentFor } from './controls/routes.ts';
import { AgentError } from './errors.ts';

/** What the bridge knows of a platform it asks the agent for. */
export interface AgentPlatform {
  /** The platform's name, as the agent reads it in `additional_context` (`Telegram`). */
  label: string;
  /** The client of its Aksita key. */
  client: AksitaClient;
}

/** How long a `/start` payload waits for its thread's next question, in seconds. */
export const START_PARAMETER_TTL_S = 86_400;

/** How long a thread that moved (`move`) keeps its conversation for what is still queued, in seconds. */
export const MOVED_CONVERSATION_TTL_S = 86_400;

/** Longest user-controlled value `additional_context` carries, in characters (code points). */
export const MAX_CONTEXT_VALUE = 64;

/**
 * What never reaches the agent from a user-controlled value: controls (C0 and C1, line breaks and
 * tabs included) and line and paragraph separators become one space; format characters (bidi
 * embeddings, overrides, isolates and marks, zero-width characters, the BOM, tag characters) are
 * dropped.
 */
const BREAKS = /[\p{Cc}\p{Zl}\p{Zp}]+/gu;
const INVISIBLE = /\p{Cf}/gu;

/**
 * A user-controlled value as `additional_context` carries it: on one line, without invisible or
 * control characters, at most `MAX_CONTEXT_VALUE` characters (an ellipsis marks a cut), in JSON
 * double quotes (`"` and `\` escaped), so it can never forge a field or a line of its own. `null`
 * when nothing visible is left.
 */
export function contextValue(value: string): string | null {
  const clean = value.replace(INVISIBLE, '').replace(BREAKS, ' ').replace(/\s+/g, ' ').trim();
  if (clean === '') return null;
  const chars = [...clean];
  const capped =
    chars.length > MAX_CONTEXT_VALUE
      ? `${chars
          .slice(0, MAX_CONTEXT_VALUE - 1)
          .join('')
          .trimEnd()}…`
      : clean;
  return JSON.stringify(capped);
}

/**
 * The `additional_context` sent with a message: platform, chat type, (optionally) the user's name,
 * and the `/start` payload the chat was opened with, if one waits. The platform and chat type come
 * from the bridge (`platformName`: the platform's label, by default its id capitalized); the name and
 * the payload are the user's own, so they are quoted.
 */
export function additionalContext(
  message: IncomingMessage,
  withUserName: boolean,
  startParameter: string | null = null,
  platformName = message.platform.charAt(0).toUpperCase() + message.platform.slice(1),
): string {
  const parts = [
    `Platform: ${platformName}`,
    `Chat type: ${message.chatType === 'direct' ? 'private chat' : 'group chat'}`,
  ];
  const name = withUserName ? contextValue(message.user.displayName) : null;
  if (name !== null) parts.push(`User: ${name}`);
  const start = startParameter === null ? null : contextValue(startParameter);
  if (start !== null) parts.push(`Start parameter: ${start}`);
  return parts.join('; ');
}

export class Conversations {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #platforms: Readonly<Record<Platform, AgentPlatform>>;
  readonly #routes: readonly AgentRoute[];
  readonly #agents: Readonly<Record<string, AksitaClient>>;
  readonly #withUserName: boolean;

  constructor(options: {
    redis: Redis;
    prefix: string;
    /** Each platform's name and client (each may use its own API key), by platform id: the agent where no route matches. */
    platforms: Readonly<Record<Platform, AgentPlatform>>;
    /** `AGENT_ROUTES`: the agent of a chat, first match first. Default: none. */
    routes?: readonly AgentRoute[];
    /** A client per routed agent, by its name (the variable of its key). */
    agents?: Readonly<Record<string, AksitaClient>>;
    /** Include the user's display name in `additional_context`. */
    sendUserContext: boolean;
  }) {
    this.#redis = options.redis;
    this.#prefix = options.prefix;
    this.#platforms = options.platforms;
    this.#routes = options.routes ?? [];
    this.#agents = options.agents ?? {};
    this.#withUserName = options.sendUserContext;
  }

  /** The agent that answers `message` and its client (routes.ts). */
  agentOf(message: IncomingMessage): { agent: string; client: AksitaClient } {
    const agent = agentFor(this.#routes, message);
    const client = agent === '' ? undefined : this.#agents[agent];
    return client ? { agent, client } : { agent: '', client: this.#platform(message).client };
  }

  #key(thread: string): string {
    return `${this.#prefix}:conv:${thread}`;
  }

  #startKey(thread: string): string {
    return `${this.#prefix}:start:${thread}`;
  }

  /** Keeps a `/start` payload for the next question of `thread` (for `START_PARAMETER_TTL_S`). */
  async rememberStart(thread: string, payload: string): Promise<void> {
    await this.#redis.set(this.#startKey(thread), payload, 'EX', START_PARAMETER_TTL_S);
  }

  /** The conversation id of `thread`, if it has one. */
  async get(thread: string): Promise<string | null> {
    return stored(await this.#redis.get(this.#key(thread)))?.id ?? null;
  }

  /** Forgets the conversation of `thread`: its next message starts a new session. */
  async reset(thread: string): Promise<void> {
    await this.#redis.del(this.#key(thread));
  }

  /**
   * Continues the conversation of `from` under `to`, unless `to` has one already: true when it moved.
   * `from` keeps it for `MOVED_CONVERSATION_TTL_S`, so that what is still queued there is answered
   * in the same conversation, and is forgotten after that.
   */
  async move(from: string, to: string): Promise<boolean> {
    const id = await this.get(from);
    if (id === null || (await this.#redis.set(this.#key(to), id, 'NX')) === null) return false;
    await this.#redis.expire(this.#key(from), MOVED_CONVERSATION_TTL_S);
    return true;
  }

  /** Asks the agent `text` in the conversation of the message's thread, creating it when needed. */
  async ask(
    message: IncomingMessage,
    text: string,
    signal?: AbortSignal,
  ): Promise<AgentReply & { agent: string }> {
    const { label } = this.#platform(message);
    const { agent, client } = this.agentOf(message);
    const [raw = null, start = null] = await this.#redis.mget(
      this.#key(message.thread),
      this.#startKey(message.thread),
    );
    const context = additionalContext(message, this.#withUserName, start, label);
    const input = { message: text, additionalContext: context };
    // A chat routed to another agent since its conversation began starts a new one with that agent.
    const known = stored(raw);
    let conversationId =
      known && known.agent === agent
        ? known.id
        : await this.#newSession(client, agent, message.thread, signal);
    let reply: AgentReply;
    try {
      reply = await client.chat({ ...input, conversationId }, signal);
    } catch (err) {
      if (!(err instanceof AgentError) || err.kind !== 'session-expired') throw err;
      conversationId = await this.#newSession(client, agent, message.thread, signal);
      reply = await client.chat({ ...input, conversationId }, signal);
    }
    // The payload was context of this one question; a failed call keeps it for the next try.
    if (start !== null) await this.#redis.del(this.#startKey(message.thread));
    return { ...reply, agent };
  }

  /**
   * Checks that the agent answers, cheaply: creates a session (no credits). A thread without a
   * conversation keeps it as its own; otherwise it is left unused.
   */
  async probe(message: IncomingMessage, signal?: AbortSignal): Promise<void> {
    const { agent, client } = this.agentOf(message);
    const id = await client.createSession(signal);
    await this.#redis.set(this.#key(message.thread), value(agent, id), 'NX');
  }

  #platform(message: IncomingMessage): AgentPlatform {
    const platform = this.#platforms[message.platform];
    if (platform === undefined) throw new Error(`no Aksita client for platform ${message.platform}`);
    return platform;
  }

  async #newSession(
    client: AksitaClient,
    agent: string,
    thread: string,
    signal?: AbortSignal,
  ): Promise<string> {
    const id = await client.createSession(signal);
    await this.#redis.set(this.#key(thread), value(agent, id));
    return id;
  }
}

/**
 * A thread's stored conversation: the id alone for the platform's agent (as before routes existed),
 * `<agent>|<id>` for a routed one.
 */
function value(agent: string, id: string): string {
  return agent === '' ? id : `${agent}|${id}`;
}

function stored(raw: string | null): { agent: string; id: string } | null {
  if (raw === null) return null;
  const bar = raw.indexOf('|');
  return bar < 0 ? { agent: '', id: raw } : { agent: raw.slice(0, bar), id: raw.slice(bar + 1) };
}
