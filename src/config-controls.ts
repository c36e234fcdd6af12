/**
 * The environment of the conversation controls (issue 18; src/core/controls/): who may talk to the
 * agent, human takeover, flood protection. Each is off or permissive when unset. Spread into the
 * configuration schema (config-schema.ts); `controlsConfig` turns the parsed values into the gate's
 * settings.
 */
import { z } from 'zod';
import { bool, int } from './config-values.ts';
import { CONTROLS_OFF, type ControlsConfig } from './core/controls/gate.ts';
import { parseChats, parseDuration, parsePeople } from './core/controls/lists.ts';
import { type AgentRoute, parseRoutes } from './core/controls/routes.ts';

/** A list parsed by `parse`, its problem reported without echoing the value (it may be a secret). */
const list = <T>(parse: (value: string | undefined) => T[]) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      try {
        return parse(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `has ${(err as Error).message}` });
        return z.NEVER;
      }
    });

export const controlsEnv = {
  ALLOWED_USERS: list(parsePeople),
  ALLOWED_CHATS: list(parseChats),
  BLOCKED_USERS: list(parsePeople),
  HANDOFF_USERS: list(parsePeople),
  HANDOFF_ON_HUMAN_REPLY: bool(false),
  HANDOFF_PAUSE: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return CONTROLS_OFF.pauseMs;
      const ms = parseDuration(v);
      if (ms === undefined || ms > 30 * 86_400_000) {
        ctx.addIssue({ code: 'custom', message: 'must be a duration such as 30m, 4h or 2d (at most 30d)' });
        return z.NEVER;
      }
      return ms;
    }),
  USER_RATE_LIMIT: int(0, 0, 100_000),
  ACCESS_NOTICE: z.enum(['once', 'off'], { error: 'must be once or off' }).default('once'),
  AGENT_ROUTES: list(parseRoutes),
  COALESCE_WINDOW_MS: int(0, 0, 60_000),
};

/**
 * The keys `AGENT_ROUTES` names, read from `env`: each route's variable must be set. Problems name
 * the route and the variable, never a value.
 */
export function routeKeys(
  routes: readonly AgentRoute[],
  env: Readonly<Record<string, string | undefined>>,
): { keys: Record<string, string>; problems: string[] } {
  const keys: Record<string, string> = {};
  const problems: string[] = [];
  routes.forEach((route, index) => {
    const key = env[route.variable]?.trim();
    if (key) keys[route.variable] = key;
    else
      problems.push(
        `AGENT_ROUTES entry ${index + 1} of ${routes.length} (${route.match}) names ${route.variable}, which is not set: set it to that agent's API key`,
      );
  });
  return { keys, problems };
}

type ControlsEnv = { [K in keyof typeof controlsEnv]: z.output<(typeof controlsEnv)[K]> };

/** The gate's settings from the parsed environment. */
export function controlsConfig(e: ControlsEnv): ControlsConfig {
  return {
    allowedUsers: e.ALLOWED_USERS,
    allowedChats: e.ALLOWED_CHATS,
    blockedUsers: e.BLOCKED_USERS,
    handoffUsers: e.HANDOFF_USERS,
    handoffOnHumanReply: e.HANDOFF_ON_HUMAN_REPLY,
    pauseMs: e.HANDOFF_PAUSE,
    userRateLimit: e.USER_RATE_LIMIT,
    accessNotice: e.ACCESS_NOTICE,
    coalesceWindowMs: e.COALESCE_WINDOW_MS,
  };
}
