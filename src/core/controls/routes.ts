/**
 * Per-chat agent routing (`AGENT_ROUTES`): one bridge serving several Aksita agents. A route maps a
 * platform, a Telegram chat, a Discord server or channel, a Slack workspace or channel, or a WhatsApp
 * number to the variable that holds that agent's API key; the first route that matches a message
 * wins, and the platform's key (`AKSITA_API_KEY_<PLATFORM>`, else `AKSITA_API_KEY`) is the fallback.
 * An agent is named by its variable (`AKSITA_KEY_SUPPORT`); the fallback agent has the empty name.
 * Pure: no I/O.
 */
import type { IncomingMessage } from '../contract.ts';

/** One `<match>=<VARIABLE>` of `AGENT_ROUTES`. */
export interface AgentRoute {
  /** As written: `telegram`, `telegram:<chat id>`, `discord:guild:<id>`, `discord:<channel id>`, … */
  match: string;
  /** The variable holding the agent's API key: the agent's name. */
  variable: string;
}

const MATCH =
  /^(telegram|discord|slack|whatsapp)$|^telegram:-?\d{1,20}$|^discord:guild:\d{1,24}$|^discord:\d{1,24}$|^slack:[TE][A-Z0-9]{2,20}(:[CDG][A-Z0-9]{2,20})?$|^whatsapp:\d{1,24}$/;
const VARIABLE = /^[A-Z_][A-Z0-9_]{0,63}$/;

/**
 * Parses `AGENT_ROUTES`; throws an `Error` saying which entry is wrong and why (the caller names the
 * variable). Never echoes a value after `=` that does not look like a variable name: it may be a key.
 */
export function parseRoutes(value: string | undefined): AgentRoute[] {
  const list = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return list.map((item, index) => {
    const where = `entry ${index + 1} of ${list.length}`;
    const eq = item.lastIndexOf('=');
    const match = item.slice(0, Math.max(0, eq)).trim();
    const variable = item.slice(eq + 1).trim();
    if (eq < 0 || !VARIABLE.test(variable)) {
      throw new Error(
        `${where} must be <match>=<VARIABLE>, naming the variable that holds the key (the key itself does not go here)`,
      );
    }
    if (!MATCH.test(match)) {
      throw new Error(
        `${where} matches "${match}", which is none of telegram, telegram:<chat id>, discord:guild:<id>, discord:<channel id>, slack:<team>, slack:<team>:<channel>, whatsapp:<phone number id>`,
      );
    }
    return { match, variable };
  });
}

/** Whether `route` applies to `message`. */
export function routeMatches(route: AgentRoute, message: IncomingMessage): boolean {
  const { match } = route;
  if (match === message.platform) return true;
  if (match.startsWith('discord:guild:')) {
    return message.platform === 'discord' && message.guildId === match.slice('discord:guild:'.length);
  }
  return message.thread === match || message.thread.startsWith(`${match}:`);
}

/** The agent (its variable's name) that answers `message`: the first route's, else '' (the platform key). */
export function agentFor(routes: readonly AgentRoute[], message: IncomingMessage): string {
  return routes.find((route) => routeMatches(route, message))?.variable ?? '';
}
