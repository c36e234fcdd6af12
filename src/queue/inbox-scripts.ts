/**
 * The inbox's Lua scripts (`lua/*.lua`, each headed with its KEYS, ARGV and return values), defined
 * as ioredis commands with their replies typed: named results, no magic codes. `Inbox` turns each
 * reply into the `ThreadStore` result it stands for.
 */
import type { Redis, Result } from 'ioredis';
import { loadLua } from '../lua.ts';

type Arg = string | number;

/** Reply of `lua/accept.lua`. */
export type AcceptReply = ['full'] | ['duplicate'] | ['queued'] | ['started', string];
/** Reply of `lua/begin.lua`: stale, empty, or the head with tries, posted, chunks JSON or '', timeouts. */
export type BeginReply = ['stale'] | ['empty'] | ['head', string, number, number, string, number, string[]];
/** Reply of `lua/advance.lua`. */
export type AdvanceReply = ['stale'] | ['left', number];
/** Reply of the scripts that succeed or change nothing. */
export type Done = 0 | 1;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** `lua/accept.lua`. */
    inboxAccept(
      seen: string,
      inbox: string,
      active: string,
      turns: string,
      ...argv: Arg[]
    ): Result<AcceptReply, Context>;
    /** `lua/claim.lua`. */
    inboxClaim(active: string, run: string, ...argv: Arg[]): Result<Done, Context>;
    /** `lua/begin.lua`. */
    inboxBegin(run: string, inbox: string, turn: string, ...argv: Arg[]): Result<BeginReply, Context>;
    /** `lua/save-answer.lua`. */
    inboxSave(run: string, turn: string, ...argv: Arg[]): Result<Done, Context>;
    /** `lua/resave-answer.lua`. */
    inboxResave(run: string, turn: string, ...argv: Arg[]): Result<Done, Context>;
    /** `lua/mark-posted.lua`. */
    inboxMark(run: string, turn: string, ...argv: Arg[]): Result<Done, Context>;
    /** `lua/advance.lua`. */
    inboxAdvance(
      inbox: string,
      active: string,
      turns: string,
      turn: string,
      run: string,
      ...argv: Arg[]
    ): Result<AdvanceReply, Context>;
    /** `lua/restart-turn.lua`. */
    inboxRestart(active: string, turns: string, ...argv: Arg[]): Result<Done, Context>;
  }
}

const LUA_DIR = new URL('./lua/', import.meta.url);

/** Each command, its script's text and how many of its arguments are keys. */
const COMMANDS = (
  [
    ['inboxAccept', 'accept', 4],
    ['inboxClaim', 'claim', 2],
    ['inboxBegin', 'begin', 3],
    ['inboxSave', 'save-answer', 2],
    ['inboxResave', 'resave-answer', 2],
    ['inboxMark', 'mark-posted', 2],
    ['inboxAdvance', 'advance', 5],
    ['inboxRestart', 'restart-turn', 2],
  ] as const
).map(([name, file, keys]) => ({ name, lua: loadLua(LUA_DIR, file), keys }));

/** Defines the inbox's commands on `redis` (idempotent). */
export function defineInboxScripts(redis: Redis): void {
  for (const { name, lua, keys } of COMMANDS) redis.defineCommand(name, { numberOfKeys: keys, lua });
}
