/**
 * What a platform tells the bridge about itself. Each `adapters/<platform>/platform.ts` exports one
 * `PlatformDescriptor`, and `src/platforms.ts` lists them: the configuration (its variables, secrets,
 * the checks of a platform half configured, `AKSITA_API_KEY_<PLATFORM>`, `ADMIN_USERS` entries), the
 * composition root, `.env.example`'s platform sections and the README's table of platform variables
 * are all derived from that list. Adding a platform is its folder and one line there.
 */
import type { z } from 'zod';
import type { CoreConfig } from '../../src/config.ts';
import type { Adapter } from '../../src/core/contract.ts';
import type { Logger } from '../../src/logger.ts';
import type { Notices } from '../../src/notices.ts';

/** What the composition root gives a platform to build its adapter with. */
export interface PlatformDeps {
  /** The root logger (the adapter makes its own `child({ platform })`). */
  log: Logger;
  /** The bridge's notices in the configured language, for every text the adapter writes itself. */
  notices: Notices;
  /** The bridge-wide configuration (ports, language, …), without any platform's settings. */
  config: CoreConfig;
}

/** One admin in `ADMIN_USERS`, as the platform's part of the entry reads (after `<id>:`). */
export interface PlatformAdmin {
  /** The platform's user id. */
  id: string;
  /** The workspace the admin is an admin in (Slack's `T…`); absent: everywhere. */
  team?: string;
}

/** A group of variables documented together: one comment in `.env.example`, one row in the README. */
export interface VariableDoc {
  /** The variables, in the order `.env.example` lists them. */
  names: readonly string[];
  /** The comment above them in `.env.example` (wrapped lines, without `# `). */
  comment: readonly string[];
  /** The value `.env.example` shows for each name (default: empty). */
  examples?: Readonly<Record<string, string>>;
  /** The README's "meaning" cell (Markdown). */
  meaning: string;
  /** The README's "default" cell (Markdown). */
  default: string;
}

/** What every platform says about itself, whatever its variables. */
interface PlatformBase {
  /** Lower-case id: thread keys (`telegram:…`), `ADMIN_USERS` entries, metrics labels, `AKSITA_API_KEY_<ID>`. */
  readonly id: string;
  /** The platform's name for people (`Telegram`): messages, the agent's context, docs. */
  readonly label: string;
  /** The line that says how to turn it on, listed when no platform is configured. */
  readonly howTo: string;
  /** How its users are named in `ADMIN_USERS` (after `<id>:`), and the forms shown when one is wrong. */
  readonly admins: {
    /** The forms shown in the message about a wrong entry (`telegram:123456`). */
    readonly forms: string;
    /** The admin an entry names, or what is wrong with it; `parts` are the entry's `:`-separated parts after the id. */
    parse(parts: readonly string[]): PlatformAdmin | string;
  };
  /** Its variables as `.env.example` and the README document them. */
  readonly docs: readonly VariableDoc[];
  /** What is wrong with its variables taken together (the raw, non-empty values), beyond `needs`. */
  problems?(set: Readonly<Record<string, string>>): string[];
}

/**
 * One platform. `Shape` is its variables as a zod object shape; `Settings` what its adapter is built
 * from (also `config[id]`, absent while the platform is off).
 */
export interface PlatformDescriptor<Id extends string, Shape extends z.ZodRawShape, Settings>
  extends PlatformBase {
  readonly id: Id;
  /** The variable whose value turns the platform on (`TELEGRAM_BOT_TOKEN`). */
  readonly token: keyof Shape & string;
  /** Its variables (the `AKSITA_API_KEY_<ID>` key is added by the registry). */
  readonly variables: Shape;
  /** Which of its variables hold secrets: their values are redacted from every log line. */
  readonly secrets: readonly (keyof Shape & string)[];
  /** Variables that mean nothing without `token`: set alone, they are an error, not a platform silently off. */
  readonly needs: readonly (keyof Shape & string)[];
  /**
   * Its settings from its parsed variables, or `undefined` while it is off (`raw`: the environment as
   * given, where "set but empty" means something).
   */
  settings(
    values: z.output<z.ZodObject<Shape>>,
    raw: Readonly<Record<string, string | undefined>>,
  ): Settings | undefined;
  /** Builds its adapter. */
  create(settings: Settings, deps: PlatformDeps): Adapter;
}

/** Any platform, its variables and settings unknown: what the registry and the configuration handle. */
export interface AnyPlatform extends PlatformBase {
  /** See `PlatformDescriptor.token`. */
  readonly token: string;
  /** See `PlatformDescriptor.variables`. */
  readonly variables: z.ZodRawShape;
  /** See `PlatformDescriptor.secrets`. */
  readonly secrets: readonly string[];
  /** See `PlatformDescriptor.needs`. */
  readonly needs: readonly string[];
  /** See `PlatformDescriptor.settings`. */
  settings(values: Record<string, unknown>, raw: Readonly<Record<string, string | undefined>>): unknown;
  /** See `PlatformDescriptor.create`. */
  create(settings: unknown, deps: PlatformDeps): Adapter;
}

/** A descriptor with its id's literal type kept (`definePlatform({ id: 'telegram', … })`). */
export function definePlatform<const Id extends string, Shape extends z.ZodRawShape, Settings>(
  descriptor: PlatformDescriptor<Id, Shape, Settings>,
): PlatformDescriptor<Id, Shape, Settings> {
  return descriptor;
}

/** An `ADMIN_USERS` entry that is a numeric user id (Telegram, Discord), or what is wrong with it. */
export function numericAdmin(label: string): (parts: readonly string[]) => PlatformAdmin | string {
  return ([id, ...rest]) =>
    rest.length === 0 && id !== undefined && /^\d{1,24}$/.test(id)
      ? { id }
      : `has a ${label} user id that is not a number`;
}
