/**
 * The one contract between the core and the platform adapters: the normalized message an adapter
 * hands in, and the adapter interface the core drives. Everything here is plain data or a plain
 * interface; nothing imports a platform SDK.
 */
import type { PlatformErrorKind } from './errors.ts';
import type { Dialect } from './markdown/render.ts';

export type { Dialect };

/**
 * A chat platform's id: one of the registry's (`src/platforms.ts`, where `PlatformId` lists them), or
 * `cli`, the terminal of `npm run cli -- chat`. The core knows no platform by name.
 */
export type Platform = string;

/**
 * Where a reply goes, in the platform's own ids (all strings, so it survives `JSON.stringify`).
 * Telegram: `channel` = chat id, `thread` = forum topic id. Discord: `channel` = channel id.
 * Slack: `channel` = channel id, `thread` = `thread_ts`.
 */
export interface Address {
  /** The chat, channel or DM the message came from and the reply goes to. */
  channel: string;
  /** A sub-thread inside the channel (Telegram forum topic, Slack `thread_ts`); absent when none. */
  thread?: string;
}

/** A platform message, normalized by an adapter. Plain JSON: it becomes queue data as is. */
export interface IncomingMessage {
  /** Unique id of this platform message, stable across redeliveries (dedupe key), e.g. `telegram:42:1007`. */
  id: string;
  /** The platform it came from. */
  platform: Platform;
  /** Thread key: the unit of ordering and of one agent conversation, e.g. `telegram:42:7`. */
  thread: string;
  /** Where the answer is posted. */
  address: Address;
  /** The platform's id of this message, for a reply reference (Telegram `message_id`, Slack `ts`). */
  messageId: string;
  /** `direct` for one-to-one chats with the bot, `group` for everything shared with other people. */
  chatType: 'direct' | 'group';
  /** True when, in a group, the message speaks to the bot: a mention, a reply to the bot, or a command. */
  addressed: boolean;
  /**
   * True for an unaddressed group message inside a sub-thread the bot may already be talking in
   * (a Slack thread reply, a message in a Discord thread). The router answers it when that thread
   * already has a conversation, so a thread continues without a new mention.
   */
  followUp?: boolean;
  /** The text (or caption) with any mention of the bot removed; `null` when the message carries no text. */
  text: string | null;
  /** Set when the message is a bot command (`/start`, `/help@mybot args`). */
  command?: {
    /** Lower-case command name without the slash or `@botname`. */
    name: string;
    /** Everything after the command, trimmed. */
    args: string;
  };
  /** Who wrote it. */
  user: {
    /** The platform's user id, as a string. */
    id: string;
    /** A human-readable name (first + last name, or username); never used for authorization. */
    displayName: string;
    /**
     * True when the sender is a chat, not a known person (a Telegram anonymous group admin, or a
     * message sent as a channel): answered like anyone, never an admin.
     */
    anonymous?: boolean;
  };
  /** When the platform says it was sent, in epoch milliseconds. */
  sentAt: number;
  /** Discord: the server (guild) the channel belongs to; absent in DMs and on other platforms. */
  guildId?: string;
}

/** What an adapter can do, as data. */
export interface Capabilities {
  /** Whether the platform shows a typing indicator. */
  typing: boolean;
  /** How often the typing indicator must be renewed to stay visible, in ms (Telegram: 5 s lifetime). */
  typingRenewMs: number;
  /**
   * Whether an answer in a one-to-one chat quotes its question too (WhatsApp, where answers can
   * arrive after the next question); group answers always quote. Default false.
   */
  quoteDirect?: boolean;
  /**
   * The Markdown dialect the platform shows (Telegram HTML, Discord Markdown, Slack mrkdwn), usually
   * defined in the adapter's `format.ts`: the core renders every answer and notice with it.
   * `verbatim`: the agent already writes in the platform's format (`WHATSAPP_FORMAT=whatsapp`), and
   * the core only splits its texts.
   */
  format: Dialect | 'verbatim';
  /** Longest message the platform takes (`TELEGRAM_MAX_MESSAGE`): the core splits every text within it. */
  maxMessageLength: number;
  /**
   * The platform's send limits, for the core to pace `send` before them rather than run into its
   * refusals; absent where the SDK paces itself or pacing is switched off.
   */
  pacing?: SendPacing;
}

/** A rate as a generic cell rate: one send per `intervalMs`, with up to `burst` sends at once. */
export interface Rate {
  intervalMs: number;
  burst: number;
}

/** Send limits: every send counts against `global` and its chat's limit (`group` for group chats). */
export interface SendPacing {
  /** All of the bot's messages. */
  global: Rate;
  /** Messages to one one-to-one chat. */
  direct: Rate;
  /** Messages to one group chat. */
  group: Rate;
}

/** Options for one outgoing chunk. */
export interface SendOptions {
  /** The platform message id to reference as a reply (first chunk only, in groups). */
  replyTo?: string;
}

/** A route the adapter serves on the bridge's HTTP server (webhooks). Web-standard Request/Response. */
export interface HttpRoute {
  /** HTTP method, upper case. */
  method: 'GET' | 'POST';
  /** Path on the bridge's HTTP server, e.g. `/telegram/webhook`. */
  path: string;
  /** Handles one request. Must answer 2xx only once the message is stored (or was ignored). */
  handle: (request: Request) => Promise<Response>;
  /**
   * Largest request body read, bytes: a longer one is refused with 413 as soon as it passes this,
   * unread beyond it. Default 1 MiB (`DEFAULT_BODY_LIMIT` in `src/http/body-limit.ts`).
   */
  maxBodyBytes?: number;
  /**
   * Checks the headers before any of the body is read (signature present and fresh, secret right):
   * a Response refuses the request unread; undefined lets it through.
   */
  screen?: (headers: Headers) => Response | undefined;
}

/** Receives every normalized message; resolves once it is stored durably (or deliberately dropped). */
export type Receiver = (message: IncomingMessage) => Promise<void>;

/** One bridge command from a platform's own command feature (Discord slash commands, Slack's slash command). */
export interface CommandRequest {
  /** The command's name, lower case, without a slash (`credits`); unknown names get the help text. */
  name: string;
  /** The caller's platform user id (admin rights are checked against it on every call). */
  userId: string;
  /** The thread the command was given in: what `reset` forgets. */
  thread: string;
  /** Where it was given. */
  chatType: 'direct' | 'group';
  /** What followed the command's name (`/aksita pause 2h`: `2h`); absent: nothing. */
  args?: string;
}

/** Runs a bridge command; resolves with the answer (Markdown) to show to the caller only. */
export type CommandHandler = (request: CommandRequest) => Promise<string>;

/** A command offered in a platform's command menu. */
export interface MenuCommand {
  /** Name without a slash, lower case. */
  name: string;
  /** One line shown in the menu. */
  description: string;
  /** Offered to admins only, where the platform can scope a menu per user. */
  adminOnly: boolean;
}

/** What the core gives an adapter that receives. */
export interface Inbound {
  /** Stores a message; the adapter confirms it to the platform only after this resolves. */
  message: Receiver;
  /** Runs a command from the platform's own command feature. */
  command: CommandHandler;
  /** The commands to register in the platform's menu. */
  menu: readonly MenuCommand[];
  /** This platform's admin user ids (`ADMIN_USERS`), for per-user menus. */
  adminIds: readonly string[];
  /**
   * A thread moved to another key for good (a Telegram group upgraded to a supergroup gets a new
   * chat id): its conversation continues under `toThread`, unless that thread already has one.
   * Resolves once recorded. Absent: a move starts a new conversation.
   */
  moved?: (fromThread: string, toThread: string) => Promise<void>;
  /**
   * Claims shared by every process of the bridge (in Redis), with which an adapter refuses a replayed
   * signed request. Absent: the adapter keeps its claims in its own memory.
   */
  claims?: Claims;
  /**
   * Records a delivery failure reported after the send was accepted: counted as a send failure of
   * its kind, and remembered as a refusal of the chat or of the credentials like a send refused at
   * once. Resolves once recorded. Absent: the adapter only logs it.
   */
  deliveryFailed?: (failure: DeliveryFailure) => Promise<void>;
}

/**
 * A message the platform accepted, reported undelivered later (WhatsApp's `failed` status): what a
 * refused send would have been, had the refusal come at once.
 */
export interface DeliveryFailure {
  /** The thread the message was sent in. */
  thread: string;
  /** What the refusal means, as for a refused send (`chat_refused`, `unauthorized`, …). */
  kind: PlatformErrorKind;
  /** The platform's description of it, secret-free, for the log and an alert. */
  detail: string;
}

/** One-time claims on keys (`src/core/claims.ts`). */
export interface Claims {
  /** Claims `key` for `ttlSeconds`: true the first time, false while an earlier claim lasts. */
  claim(key: string, ttlSeconds: number): Promise<boolean>;
  /** Gives a claim up, so that the key may be claimed again (the work it guarded failed). */
  release(key: string): Promise<void>;
}

/** Result of a health probe. */
export interface Health {
  /** True when the platform is reachable and the adapter is doing its job. */
  ok: boolean;
  /** A short, secret-free description for operators (`polling`, `webhook`, `getMe failed`). */
  detail: string;
}

/**
 * A platform adapter. The core calls `init` once, `start` only in processes that receive, and
 * `send`/`typing` from workers. Errors from `send` and `typing` are `PlatformError`s.
 */
export interface Adapter {
  /** Which platform this adapter serves. */
  readonly platform: Platform;
  /** What the platform can do. */
  readonly capabilities: Capabilities;
  /** Webhook routes to mount on the HTTP server (empty when the adapter does not receive over HTTP). */
  readonly routes: readonly HttpRoute[];
  /** Connects and learns the bot's own identity; no messages are received yet. */
  init(): Promise<void>;
  /**
   * Starts receiving: each message goes to `inbound.message` and is confirmed to the platform after it
   * resolves; the platform's own commands go to `inbound.command`; the menu is registered.
   */
  start(inbound: Inbound): Promise<void>;
  /** Stops receiving; resolves once no more messages will be handed in. */
  stop(): Promise<void>;
  /** Posts one rendered chunk (the core renders with `capabilities.format`, within `maxMessageLength`). */
  send(address: Address, text: string, options?: SendOptions): Promise<void>;
  /** Sends a rendered chunk as a direct message to a user (admin alerts). */
  sendDirect(userId: string, text: string): Promise<void>;
  /** Shows the typing indicator once (the core renews it every `typingRenewMs`). */
  typing(address: Address): Promise<void>;
  /**
   * Marks the user's message as being worked on (`working: true`, e.g. Slack's `eyes` reaction) or
   * clears the mark once the answer is posted. Resolves without doing anything where the platform
   * has no such mark.
   */
  setWorking(address: Address, messageId: string, working: boolean): Promise<void>;
  /** Probes the platform connection. */
  health(): Promise<Health>;
}
