/**
 * What the fake Discord does with what the bot posts once the scripted faults let it through:
 * `POST /channels/:id/messages` (DMs closed to the bot, empty or too long content, replies and their
 * `fail_if_not_exists`, @everyone as `allowed_mentions` allows), threads started from a message or
 * opened by a user, and which gateway sessions get the MESSAGE_CREATE or THREAD_CREATE (their intents,
 * the Message Content intent). The records land in the fake's `sent`, `threads` and `dmsClosed`.
 */
import { type FakeGateway, Intent } from './discord-gateway.ts';
import { ApiError, formError } from './discord-interactions.ts';
import { type Channel, channelPayload, messagePayload, type Registry } from './discord-objects.ts';
import { MAX_CONTENT, tooLong, unknownChannel } from './discord-refusals.ts';

/** An accepted message from the bot. */
export interface SentDiscordMessage {
  id: string;
  channelId: string;
  content: string;
  /** The `message_reference` as sent. */
  messageReference?: { message_id?: string; fail_if_not_exists?: boolean };
  /** The message it replies to, when the reference resolved. */
  replyTo?: string;
  /** The `allowed_mentions` as sent. */
  allowedMentions?: { parse?: string[]; replied_user?: boolean };
  /** Whether Discord would ping @everyone/@here for this message (`mention_everyone`). */
  mentionEveryone: boolean;
  at: number;
}

/** What the channel routes record, shared with the fake's fields of the same names. */
export interface ChannelRecords {
  sent: SentDiscordMessage[];
  threads: Array<{ id: string; parentId: string; name: string; at: number }>;
  dmsClosed: Set<string>;
}

/** The bot's messages and the threads of the fake's channels. */
export class ChannelMessages {
  readonly #registry: Registry;
  readonly #gateway: FakeGateway;
  readonly #records: ChannelRecords;

  constructor(registry: Registry, gateway: FakeGateway, records: ChannelRecords) {
    this.#registry = registry;
    this.#gateway = gateway;
    this.#records = records;
  }

  channelOf(id: string): Channel {
    const channel = this.#registry.channels.get(id);
    if (!channel) throw unknownChannel();
    return channel;
  }

  accept(channelId: string, body: Record<string, unknown>): unknown {
    const channel = this.channelOf(channelId);
    if (channel.type === 1 && this.#records.dmsClosed.has(String(channel.recipient?.id))) {
      throw new ApiError(403, 50007, 'Cannot send messages to this user');
    }
    const content = typeof body.content === 'string' ? body.content : '';
    if (content === '') throw new ApiError(400, 50006, 'Cannot send an empty message');
    if (content.length > MAX_CONTENT) throw tooLong();
    const reference = body.message_reference as SentDiscordMessage['messageReference'] | undefined;
    const allowed = body.allowed_mentions as SentDiscordMessage['allowedMentions'] | undefined;
    let replyTo: string | undefined;
    if (reference?.message_id !== undefined) {
      const target = this.#registry.messages.get(String(reference.message_id));
      if (target?.channelId === channelId) replyTo = String(reference.message_id);
      else if (reference.fail_if_not_exists !== false) {
        throw formError('message_reference', 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message');
      }
    }
    const payload = messagePayload(this.#registry, channel, this.#registry.bot, content);
    const everyone = /@(everyone|here)\b/.test(content);
    const sent: SentDiscordMessage = {
      id: payload.id as string,
      channelId,
      content,
      mentionEveryone: everyone && (allowed === undefined || (allowed.parse ?? []).includes('everyone')),
      at: Date.now(),
      ...(reference && { messageReference: reference }),
      ...(replyTo && { replyTo }),
      ...(allowed && { allowedMentions: allowed }),
    };
    this.#records.sent.push(sent);
    Object.assign(payload, {
      mention_everyone: sent.mentionEveryone,
      ...(replyTo && {
        type: 19,
        message_reference: { type: 0, message_id: replyTo, channel_id: channelId },
      }),
    });
    this.#registry.lastBotMessage.set(channelId, payload);
    this.#gateway.dispatch('MESSAGE_CREATE', (intents) => (wantsMessage(intents, channel) ? payload : null));
    return payload;
  }

  startThread(channelId: string, messageId: string, body: Record<string, unknown>): unknown {
    const parent = this.channelOf(channelId);
    if (parent.type !== 0 && parent.type !== 5) {
      throw new ApiError(400, 50024, 'Cannot execute action on this channel type');
    }
    if (this.#registry.messages.get(messageId)?.channelId !== channelId)
      throw new ApiError(404, 10008, 'Unknown Message');
    const name = typeof body.name === 'string' ? body.name : '';
    if (name.length < 1 || name.length > 100) {
      throw formError('name', 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    }
    if (this.#registry.channels.has(messageId)) {
      throw new ApiError(400, 160004, 'A thread has already been created for this message');
    }
    // A thread started from a message has the message's id.
    return this.openThread(messageId, parent, name, this.#registry.bot.id);
  }

  openThread(id: string, parent: Channel, name: string, ownerId: string): unknown {
    const thread: Channel = { id, type: 11, name, guildId: parent.guildId, parentId: parent.id, ownerId };
    this.#registry.channels.set(id, thread);
    this.#records.threads.push({ id, parentId: parent.id, name, at: Date.now() });
    const payload = channelPayload(thread);
    this.#gateway.dispatch('THREAD_CREATE', (intents) =>
      intents & Intent.Guilds ? { ...payload, newly_created: true } : null,
    );
    return payload;
  }
}

/** The intent a session needs to get a message in this channel. */
export function wantsMessage(intents: number, channel: Channel): boolean {
  return (intents & (channel.guildId ? Intent.GuildMessages : Intent.DirectMessages)) !== 0;
}

/** What a bot without the Message Content intent gets: no content unless it is a DM or mentions it. */
export function withoutContent(payload: Record<string, unknown>, channel: Channel, botId: string) {
  const mentions = payload.mentions as Array<{ id: string }>;
  if (!channel.guildId || mentions.some((u) => u.id === botId)) return payload;
  return { ...payload, content: '', attachments: [], embeds: [] };
}
