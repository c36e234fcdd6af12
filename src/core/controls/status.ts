/**
 * The conversation controls as `status` shows them: which are on, and the chats paused right now.
 * Plain data (served as JSON by `/admin/status`) with a text rendering for chat and terminal.
 */
import type { ControlsConfig } from './gate.ts';
import type { Pause } from './pauses.ts';
import type { AgentRoute } from './routes.ts';

export interface ControlsStatus {
  /** `ALLOWED_USERS`/`ALLOWED_CHATS`/`BLOCKED_USERS` sizes; all 0: everyone may talk to the agent. */
  access: { allowedUsers: number; allowedChats: number; blockedUsers: number };
  /** `USER_RATE_LIMIT`, messages per minute per person; 0: no limit. */
  userRateLimit: number;
  /** `COALESCE_WINDOW_MS`: how long a burst is gathered into one question; 0: off. */
  coalesceWindowMs: number;
  /** Human takeover: who may pause besides admins, and whether a reply of theirs pauses. */
  handoff: { users: number; onHumanReply: boolean; pauseMinutes: number };
  /** The chats paused now, soonest end first. */
  paused: Array<{ thread: string; until: string; by: string }>;
  /** `AGENT_ROUTES`, first match first: which chats each routed agent answers. */
  routes: Array<{ match: string; agent: string }>;
}

export function controlsStatus(
  config: ControlsConfig,
  paused: readonly Pause[],
  routes: readonly AgentRoute[] = [],
): ControlsStatus {
  return {
    routes: routes.map((r) => ({ match: r.match, agent: r.variable })),
    access: {
      allowedUsers: config.allowedUsers.length,
      allowedChats: config.allowedChats.length,
      blockedUsers: config.blockedUsers.length,
    },
    userRateLimit: config.userRateLimit,
    coalesceWindowMs: config.coalesceWindowMs,
    handoff: {
      users: config.handoffUsers.length,
      onHumanReply: config.handoffOnHumanReply,
      pauseMinutes: Math.round(config.pauseMs / 60_000),
    },
    paused: paused.map((p) => ({ thread: p.thread, until: new Date(p.until).toISOString(), by: p.by })),
  };
}

/** The lines of `status` about the controls. */
export function controlsLines(status: ControlsStatus): string[] {
  const { access, handoff } = status;
  const open = access.allowedUsers === 0 && access.allowedChats === 0;
  const routes =
    status.routes.length > 0
      ? [`Agent routes: ${status.routes.map((r) => `${r.match} → ${r.agent}`).join(', ')}`]
      : [];
  const lines = [
    ...routes,
    `Access: ${open ? 'everyone' : `${access.allowedUsers} users and ${access.allowedChats} chats allowed`}` +
      `${access.blockedUsers > 0 ? `, ${access.blockedUsers} blocked` : ''}; ` +
      `rate limit: ${status.userRateLimit > 0 ? `${status.userRateLimit} messages a minute per user` : 'none'}; ` +
      `bursts: ${status.coalesceWindowMs > 0 ? `joined within ${status.coalesceWindowMs} ms` : 'not joined'}`,
    `Paused chats: ${status.paused.length === 0 ? 'none' : status.paused.length}` +
      (handoff.onHumanReply ? ' (a reply of the team pauses a chat)' : ''),
  ];
  for (const p of status.paused) {
    lines.push(`  ${p.thread} until ${p.until.slice(0, 16).replace('T', ' ')} UTC (by ${p.by})`);
  }
  return lines;
}
