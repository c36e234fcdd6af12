/**
 * The lists of people and chats the conversation controls read (`ALLOWED_USERS`, `ALLOWED_CHATS`,
 * `BLOCKED_USERS`, `HANDOFF_USERS`): comma-separated `platform:id`, with ids as in `ADMIN_USERS` and
 * as in thread keys. A person is `telegram:123456`, `discord:987…`, `whatsapp:6281234567890`,
 * `slack:U0ABC` (in any workspace) or `slack:T0XYZ:U0ABC` (in that workspace only). A chat is the
 * start of a thread key: `telegram:-1001234` (that group, every topic in it), `discord:<channel id>`,
 * `slack:T0XYZ` (a whole workspace), `slack:T0XYZ:C0123` (a channel, every thread in it),
 * `whatsapp:<phone number id>` (every user of that business number). Pure: no I/O.
 */

/** The platforms an entry may name. */
export const LIST_PLATFORMS = ['telegram', 'discord', 'slack', 'whatsapp'] as const;

/** One person of a list. */
export interface PersonEntry {
  platform: string;
  id: string;
  /** Slack: the workspace the id is limited to; absent: any workspace. */
  team?: string;
}

/** Who wrote a message, as the controls see it. */
export interface Person {
  platform: string;
  id: string;
  /** Slack: the workspace the message came from. */
  team?: string;
}

const ID = /^[A-Za-z0-9_.@+-]{1,64}$/;

/** Splits a comma-separated list; blank entries are skipped. */
function items(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function knownPlatform(platform: string): boolean {
  return (LIST_PLATFORMS as readonly string[]).includes(platform);
}

/**
 * Parses a list of people; throws an `Error` whose message says which entry is wrong and why, without
 * echoing it (it may be a pasted secret). The caller names the variable.
 */
export function parsePeople(value: string | undefined): PersonEntry[] {
  const list = items(value);
  return list.map((item, index) => {
    const where = `entry ${index + 1} of ${list.length}`;
    const [platform = '', ...rest] = item.split(':');
    if (!knownPlatform(platform))
      throw new Error(`${where} does not start with ${LIST_PLATFORMS.join(':, ')}:`);
    if (platform === 'slack' && rest.length === 2) {
      const [team = '', id = ''] = rest;
      if (!/^[TE][A-Z0-9]{2,20}$/.test(team) || !/^[UWB][A-Z0-9]{2,20}$/.test(id)) {
        throw new Error(`${where} is not slack:U… or slack:T…:U… (capitals and digits)`);
      }
      return { platform, id, team };
    }
    const [id = ''] = rest;
    if (rest.length !== 1 || !ID.test(id)) throw new Error(`${where} is not ${platform}:<user id>`);
    return { platform, id };
  });
}

/** Parses a list of chats (thread-key prefixes); throws like {@link parsePeople}. */
export function parseChats(value: string | undefined): string[] {
  const list = items(value);
  return list.map((item, index) => {
    const [platform = '', ...rest] = item.split(':');
    if (!knownPlatform(platform) || rest.length === 0 || rest.some((part) => !ID.test(part) && part !== '')) {
      throw new Error(
        `entry ${index + 1} of ${list.length} is not a chat such as telegram:-1001234, discord:<channel id>, slack:T…:C… or whatsapp:<phone number id>`,
      );
    }
    return item;
  });
}

/** Whether `person` is one of `list`. */
export function listsPerson(list: readonly PersonEntry[], person: Person): boolean {
  return list.some(
    (e) =>
      e.platform === person.platform &&
      e.id === person.id &&
      (e.team === undefined || e.team === person.team),
  );
}

/** Whether the thread `thread` is (in) one of the chats of `list`. */
export function listsChat(list: readonly string[], thread: string): boolean {
  return list.some((chat) => thread === chat || thread.startsWith(`${chat}:`));
}

/** The Slack workspace of a thread key (`slack:T…:C…`), if it is one. */
export function teamOf(thread: string): string | undefined {
  const [platform, team] = thread.split(':');
  return platform === 'slack' ? team : undefined;
}

/** `30m`, `2h`, `1d`, `90s` or a bare number of minutes, as ms; `undefined` when it is none of those. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,6})\s*(s|sec|m|min|h|hr|hours?|d|days?)?$/i.exec(text.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  const unit = (match[2] ?? 'm').toLowerCase()[0];
  const ms = n * (unit === 's' ? 1_000 : unit === 'h' ? 3_600_000 : unit === 'd' ? 86_400_000 : 60_000);
  return ms > 0 ? ms : undefined;
}
