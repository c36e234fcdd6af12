/**
 * Pure: Discord's message markup → what a person reads in the client, so the agent reads names, not
 * ids: `<@id>` → `@Ana Lim`, `<#id>` → `#general`, `<@&id>` → `@Helpers`, `<:pepe_sad:123>` →
 * `:pepe_sad:`, `</imagine:123>` → `/imagine`, `<t:1700000000:R>` → an ISO time. A name the payload
 * and the adapter's cache do not know becomes a neutral placeholder (`@user`, `#channel`, `@role`).
 */
import { record, filled as str } from '../shared/guards.ts';

/** Names the adapter knows from its cache, by id; the payload's `mentions` name the users. */
export interface DiscordNames {
  /** Channel (or thread) names by id, without `#`. */
  channels?: Readonly<Record<string, string>>;
  /** Role names by id, without `@`. */
  roles?: Readonly<Record<string, string>>;
}

/** Display names of the users a message mentions (its `mentions` array), by id. */
export function mentionedNames(mentions: readonly unknown[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const item of mentions) {
    const user = record(item);
    const id = str(user?.id);
    const name = str(record(user?.member)?.nick) ?? str(user?.global_name) ?? str(user?.username);
    if (id !== undefined && name !== undefined) names.set(id, name);
  }
  return names;
}

const own = (names: Readonly<Record<string, string>> | undefined, id: string): string | undefined =>
  names !== undefined && Object.hasOwn(names, id) ? str(names[id]) : undefined;

/** A Unix timestamp in seconds as an ISO time, or undefined when it is out of range. */
function isoTime(seconds: string): string | undefined {
  const ms = Number(seconds) * 1000;
  return Number.isSafeInteger(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : undefined;
}

const MARKUP =
  /<(?:(@!?|#|@&)(\d{1,20})|(a?):(\w{1,32}):\d{1,20}|\/([\w-]{1,32}(?: [\w-]{1,32}){0,2}):\d{1,20}|t:(-?\d{1,13})(?::[tTdDfFR])?)>/g;

/** Replaces every piece of Discord markup in `text` with what the client shows for it. */
export function readableMarkup(text: string, users: ReadonlyMap<string, string>, names: DiscordNames = {}) {
  return text.replace(
    MARKUP,
    (token, kind?: string, id?: string, _a?: string, emoji?: string, command?: string, time?: string) => {
      if (kind !== undefined && id !== undefined) {
        if (kind === '#') return `#${own(names.channels, id) ?? 'channel'}`;
        if (kind === '@&') return `@${own(names.roles, id) ?? 'role'}`;
        return `@${users.get(id) ?? 'user'}`;
      }
      if (emoji !== undefined) return `:${emoji}:`;
      if (command !== undefined) return `/${command}`;
      if (time !== undefined) return isoTime(time) ?? token;
      return token;
    },
  );
}
