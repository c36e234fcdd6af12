/**
 * The application-command half of the fake Discord: the bot application's global commands (`PUT` and
 * `GET /applications/:id/commands`, validated like Discord does), INTERACTION_CREATE payloads for a
 * user's slash command, the interaction callback (`POST /interactions/:id/:token/callback`) with
 * Discord's response window and one-response rule, edits of the original response (`PATCH
 * /webhooks/:app/:token/messages/@original`), and the DM channels a bot opens (`POST
 * /users/@me/channels`). Interaction and webhook routes need no `Authorization`, as on Discord. Also
 * Discord's REST envelope (errors, JSON bodies), shared with `discord.ts`.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeGateway } from './discord-gateway.ts';
import {
  type Channel,
  channelPayload,
  messagePayload,
  type Registry,
  userPayload,
} from './discord-objects.ts';
import { readBody } from './http.ts';

/** A refusal in Discord's envelope: `{message, code, ...extra}` with the HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** 400 Invalid Form Body (50035) naming the field and what is wrong with it. */
export const formError = (field: string, code: string, message: string) =>
  new ApiError(400, 50035, 'Invalid Form Body', { errors: { [field]: { _errors: [{ code, message }] } } });

/** A JSON answer (nothing once the response is gone). */
export function writeJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** A request's JSON body (`{}` for none); invalid JSON is Discord's 50109. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (req.method === 'GET') return {};
  const text = await readBody(req);
  if (text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    throw new ApiError(400, 50109, 'The request body contains invalid JSON.');
  }
}

/** A command as Discord stores and returns it. */
export interface RegisteredCommand {
  id: string;
  application_id: string;
  version: string;
  type: number;
  name: string;
  description: string;
  dm_permission: boolean;
  default_member_permissions: string | null;
  nsfw: boolean;
}

export interface SlashCommandInput {
  /** The command's name, as registered (or not: Discord would not show it, the fake sends it anyway). */
  name: string;
  /** The caller's user id. */
  userId: string;
  /** A channel or thread of the fake's guild, or any other id: the caller's DM channel with the bot. */
  channelId: string;
  /** Default: the channel's guild (none for a DM). */
  guildId?: string;
  /** Default `user<id>`. */
  username?: string;
  /** How long ago Discord created the interaction, ms (a gateway that delivers it late). Default 0. */
  ageMs?: number;
}

/** Every interaction callback request, with the status it got. */
export interface InteractionCallback {
  interactionId: string;
  /** 4 reply, 5 deferred reply, … */
  type: number;
  /** `data.flags` (64: ephemeral). */
  flags: number;
  status: number;
  at: number;
}

/** An accepted edit of an interaction's original response. */
export interface InteractionEdit {
  interactionId: string;
  content: string;
  allowedMentions?: { parse?: string[]; replied_user?: boolean };
  at: number;
}

interface Interaction {
  id: string;
  token: string;
  channel: Channel;
  user: Record<string, unknown>;
  guildId: string | undefined;
  createdAt: number;
  acknowledged: boolean;
  flags: number;
}

/** Handles a route of this module; `undefined` when the route is not one of them. */
export type InteractionRoutes = (route: string, body: unknown) => { result: unknown } | undefined;

const NAME = /^[-_\p{L}\p{N}]{1,32}$/u;
const MAX_COMMANDS = 100;
const MAX_CONTENT = 2000;
const EPHEMERAL = 64;
const ALL_PERMISSIONS = '2251799813685247';

export class FakeInteractions {
  /** The application's global commands, as last registered. */
  readonly commands: RegisteredCommand[] = [];
  readonly callbacks: InteractionCallback[] = [];
  readonly edits: InteractionEdit[] = [];
  /** Every `POST /users/@me/channels`, with the DM channel it returned. */
  readonly dmChannels: Array<{ userId: string; channelId: string; at: number }> = [];
  readonly #r: Registry;
  /** How long after its creation an interaction may still be answered, ms (Discord: 3 s). */
  readonly #timeoutMs: () => number;
  readonly #gateway: FakeGateway;
  readonly #byId = new Map<string, Interaction>();
  readonly #byToken = new Map<string, Interaction>();
  /** Command ids by name: Discord keeps a command's id across overwrites. */
  readonly #commandIds = new Map<string, string>();

  constructor(registry: Registry, gateway: FakeGateway, timeoutMs: () => number) {
    this.#r = registry;
    this.#gateway = gateway;
    this.#timeoutMs = timeoutMs;
  }

  /** True for the routes Discord serves without a bot token (the interaction token authorizes). */
  static open(route: string): boolean {
    return /^(?:POST \/interactions\/|[A-Z]+ \/webhooks\/\d+\/)/.test(route);
  }

  readonly route: InteractionRoutes = (route, body) => {
    const appId = this.#r.bot.id;
    let m = /^(GET|PUT) \/applications\/(\d+)\/commands$/.exec(route);
    if (m) {
      if (m[2] !== appId) throw new ApiError(403, 50001, 'Missing Access');
      return { result: m[1] === 'PUT' ? this.#overwrite(body) : this.commands };
    }
    m = /^POST \/interactions\/(\d+)\/([^/]+)\/callback$/.exec(route);
    if (m) return { result: this.#callback(m[1] as string, m[2] as string, body) };
    m = /^PATCH \/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/.exec(route);
    if (m) {
      if (m[1] !== appId) throw new ApiError(404, 10015, 'Unknown Webhook');
      return { result: this.#edit(m[2] as string, body) };
    }
    if (route === 'POST /users/@me/channels') return { result: this.#openDm(body) };
    return undefined;
  };

  /** Dispatches INTERACTION_CREATE for a user's slash command; returns its id and token. */
  slashCommand(input: SlashCommandInput): { id: string; token: string } {
    const r = this.#r;
    const createdAt = Date.now() - (input.ageMs ?? 0);
    const id = r.ids.next(createdAt);
    // Like Discord's: base64 of `interaction:<id>:<random>`.
    const token = Buffer.from(`interaction:${id}:${randomBytes(48).toString('hex')}`).toString('base64url');
    const user = userPayload(input.userId, input.username ?? `user${input.userId}`);
    let channel = r.channels.get(input.channelId);
    if (!channel) {
      channel = { id: input.channelId, type: 1, recipient: user };
      r.channels.set(channel.id, channel);
    }
    const guildId = input.guildId ?? channel.guildId;
    const interaction: Interaction = {
      id,
      token,
      channel,
      user,
      guildId,
      createdAt,
      acknowledged: false,
      flags: 0,
    };
    this.#byId.set(id, interaction);
    this.#byToken.set(token, interaction);
    const where = guildId
      ? {
          guild_id: guildId,
          guild: { id: guildId, locale: 'en-US', features: [] },
          guild_locale: 'en-US',
          context: 0,
          member: {
            user,
            roles: [],
            permissions: ALL_PERMISSIONS,
            nick: null,
            avatar: null,
            joined_at: new Date(createdAt - 86_400_000).toISOString(),
            premium_since: null,
            communication_disabled_until: null,
            deaf: false,
            mute: false,
            pending: false,
            flags: 0,
          },
        }
      : { user, context: 1 };
    this.#gateway.dispatch('INTERACTION_CREATE', () => ({
      id,
      application_id: r.bot.id,
      type: 2,
      data: { id: this.#commandIds.get(input.name) ?? r.ids.next(), name: input.name, type: 1 },
      ...where,
      channel: { ...channelPayload(channel), permissions: ALL_PERMISSIONS },
      channel_id: channel.id,
      token,
      version: 1,
      app_permissions: ALL_PERMISSIONS,
      locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: owners(interaction),
      attachment_size_limit: 10_485_760,
    }));
    return { id, token };
  }

  #overwrite(body: unknown): RegisteredCommand[] {
    if (!Array.isArray(body)) throw formError('_root', 'ARRAY_TYPE_CONVERT', 'Expected an array.');
    if (body.length > MAX_COMMANDS) {
      throw formError('_root', 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_COMMANDS} or fewer in length.`);
    }
    const seen = new Set<string>();
    const commands = body.map((raw: unknown, i) => {
      const c = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const name = typeof c.name === 'string' ? c.name : '';
      const type = c.type === undefined ? 1 : Number(c.type);
      const description = typeof c.description === 'string' ? c.description : '';
      if (!NAME.test(name) || name !== name.toLowerCase()) {
        throw formError(`${i}.name`, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
      }
      if (type === 1 && (description.length < 1 || description.length > 100)) {
        throw formError(`${i}.description`, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
      }
      if (seen.has(name)) {
        throw formError(
          `${i}.name`,
          'APPLICATION_COMMANDS_DUPLICATE_NAME',
          'Application command names must be unique',
        );
      }
      seen.add(name);
      const id = this.#commandIds.get(name) ?? this.#r.ids.next();
      this.#commandIds.set(name, id);
      return {
        id,
        application_id: this.#r.bot.id,
        version: this.#r.ids.next(),
        type,
        name,
        description,
        dm_permission: c.dm_permission !== false,
        default_member_permissions:
          typeof c.default_member_permissions === 'string' ? c.default_member_permissions : null,
        nsfw: c.nsfw === true,
      };
    });
    this.commands.splice(0, this.commands.length, ...commands);
    return commands;
  }

  #callback(id: string, token: string, body: unknown): undefined {
    const b = (body ?? {}) as { type?: unknown; data?: { flags?: unknown; content?: unknown } };
    const type = Number(b.type);
    const flags = Number(b.data?.flags ?? 0);
    const record: InteractionCallback = { interactionId: id, type, flags, status: 0, at: Date.now() };
    this.callbacks.push(record);
    try {
      const interaction = this.#byId.get(id);
      if (!interaction || Date.now() - interaction.createdAt > this.#timeoutMs()) {
        throw new ApiError(404, 10062, 'Unknown interaction');
      }
      if (interaction.token !== token) throw new ApiError(401, 50027, 'Invalid Webhook Token');
      if (interaction.acknowledged) {
        throw new ApiError(400, 40060, 'Interaction has already been acknowledged.');
      }
      if (type === 4) content(b.data?.content, 'data.content');
      else if (type !== 5) throw formError('type', 'BASE_TYPE_CHOICES', 'Value must be one of (4, 5).');
      interaction.acknowledged = true;
      interaction.flags = flags;
      record.status = 204;
      return undefined;
    } catch (err) {
      record.status = err instanceof ApiError ? err.status : 500;
      throw err;
    }
  }

  #edit(token: string, body: unknown): unknown {
    const interaction = this.#byToken.get(token);
    if (!interaction) throw new ApiError(401, 50027, 'Invalid Webhook Token');
    if (!interaction.acknowledged) throw new ApiError(404, 10008, 'Unknown Message');
    const b = (body ?? {}) as { content?: unknown; allowed_mentions?: InteractionEdit['allowedMentions'] };
    const text = content(b.content, 'content');
    this.edits.push({
      interactionId: interaction.id,
      content: text,
      at: Date.now(),
      ...(b.allowed_mentions && { allowedMentions: b.allowed_mentions }),
    });
    const message = messagePayload(this.#r, interaction.channel, this.#r.bot, text);
    return {
      ...message,
      type: 20, // CHAT_INPUT_COMMAND: a response to a slash command
      flags: interaction.flags & EPHEMERAL,
      webhook_id: this.#r.bot.id,
      application_id: this.#r.bot.id,
      interaction_metadata: {
        id: interaction.id,
        type: 2,
        user: interaction.user,
        authorizing_integration_owners: owners(interaction),
      },
    };
  }

  #openDm(body: unknown): unknown {
    const recipient = (body as { recipient_id?: unknown } | undefined)?.recipient_id;
    if (typeof recipient !== 'string' || !/^\d{1,20}$/.test(recipient)) {
      throw formError('recipient_id', 'NUMBER_TYPE_COERCE', `Value "${String(recipient)}" is not snowflake.`);
    }
    let channel = [...this.#r.channels.values()].find((c) => c.type === 1 && c.recipient?.id === recipient);
    if (!channel) {
      channel = { id: this.#r.ids.next(), type: 1, recipient: userPayload(recipient, `user${recipient}`) };
      this.#r.channels.set(channel.id, channel);
    }
    this.dmChannels.push({ userId: recipient, channelId: channel.id, at: Date.now() });
    return channelPayload(channel);
  }
}

/** Who installed the app where the interaction happened: the guild, or the user for a DM. */
function owners(interaction: Interaction): Record<string, string> {
  return { '0': interaction.guildId ?? String(interaction.user.id) };
}

/** A message content Discord accepts: 1 to 2000 characters. */
function content(value: unknown, field: string): string {
  const text = typeof value === 'string' ? value : '';
  if (text === '') throw new ApiError(400, 50006, 'Cannot send an empty message');
  if (text.length > MAX_CONTENT) {
    throw formError(field, 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_CONTENT} or fewer in length.`);
  }
  return text;
}
