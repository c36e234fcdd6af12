/**
 * The bridge's commands as Discord application (slash) commands. At start-up they are registered as
 * the application's global commands, all of them: Discord cannot show a command to some users only,
 * and the core checks admin rights on every call. Each slash command is answered privately: the
 * interaction is deferred ephemerally at once (Discord allows 3 s), the core runs the command, and the
 * deferred reply is edited into the answer. Commands never reach the agent.
 */
import { ApplicationCommandType, InteractionResponseType, MessageFlags, type REST, Routes } from 'discord.js';
import type { CommandHandler, MenuCommand } from '../../src/core/contract.ts';
import type { Logger } from '../../src/logger.ts';
import { DISCORD_MAX_MESSAGE } from './format.ts';
import { type DiscordCommandCall, normalizeDiscordCommand } from './normalize.ts';
import { describe, NO_PINGS } from './rest.ts';

/** Discord's limit for a command description. */
const MAX_DESCRIPTION = 100;
/** How long `settle` waits for commands still running at shutdown, ms. */
const SETTLE_MS = 5_000;

/** Bulk-overwrites the application's global commands with `menu`; a failure is logged, not thrown. */
export async function registerCommands(
  rest: REST,
  applicationId: string,
  menu: readonly MenuCommand[],
  log: Logger,
): Promise<void> {
  const body = menu.map((command) => ({
    name: command.name,
    description: command.description.slice(0, MAX_DESCRIPTION),
    type: ApplicationCommandType.ChatInput,
    dm_permission: true,
  }));
  try {
    await rest.put(Routes.applicationCommands(applicationId), { body });
    log.info({ commands: body.map((c) => c.name) }, 'discord slash commands registered');
  } catch (err) {
    log.warn({ error: describe(err) }, 'discord slash commands not registered');
  }
}

/** Answers slash commands from INTERACTION_CREATE payloads, each on its own (no queue, no order). */
export class DiscordCommands {
  readonly #rest: REST;
  readonly #run: CommandHandler;
  readonly #render: (markdown: string) => string[];
  readonly #log: Logger;
  readonly #failed: string;
  /** Interactions being answered, so `settle` can wait for them. */
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: {
    rest: REST;
    command: CommandHandler;
    render: (markdown: string) => string[];
    log: Logger;
    /** What the caller sees when the command itself failed (`commandFailed`; the error is logged). */
    failed: string;
  }) {
    this.#rest = options.rest;
    this.#run = options.command;
    this.#render = options.render;
    this.#log = options.log;
    this.#failed = options.failed;
  }

  /** Takes one raw INTERACTION_CREATE; anything but a slash command is ignored. */
  onInteraction(raw: unknown): void {
    const call = normalizeDiscordCommand(raw);
    if (!call) return;
    const answering = this.#answer(call);
    this.#inFlight.add(answering);
    void answering.finally(() => this.#inFlight.delete(answering));
  }

  /** Resolves once every interaction received so far is answered (or has failed), or after 5 s. */
  async settle(): Promise<void> {
    if (this.#inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SETTLE_MS);
    });
    await Promise.race([Promise.all(this.#inFlight), timeout]);
    clearTimeout(timer);
    if (this.#inFlight.size > 0) {
      this.#log.warn({ running: this.#inFlight.size }, 'discord slash commands still running at stop');
    }
  }

  async #answer({ id, token, applicationId, request }: DiscordCommandCall): Promise<void> {
    const context = { command: request.name, thread: request.thread, user: request.userId };
    try {
      await this.#rest.post(Routes.interactionCallback(id, token), {
        auth: false,
        body: {
          type: InteractionResponseType.DeferredChannelMessageWithSource,
          data: { flags: MessageFlags.Ephemeral },
        },
      });
    } catch (err) {
      // Too late or refused: the user sees "did not respond", so the command is not run either.
      this.#log.warn({ ...context, error: describe(err) }, 'discord slash command not acknowledged');
      return;
    }
    let content: string;
    try {
      content = oneMessage(this.#render(await this.#run(request)));
    } catch (err) {
      this.#log.error({ ...context, err }, 'discord slash command failed');
      content = this.#failed;
    }
    try {
      await this.#rest.patch(Routes.webhookMessage(applicationId, token), {
        auth: false,
        body: { content, allowed_mentions: NO_PINGS },
      });
    } catch (err) {
      this.#log.warn({ ...context, error: describe(err) }, 'discord slash command answer not posted');
    }
  }
}

/** The rendered chunks joined into one message, as many as fit (the first one always does). */
function oneMessage(chunks: string[]): string {
  let content = chunks[0] ?? '';
  for (const chunk of chunks.slice(1)) {
    if (content.length + 1 + chunk.length > DISCORD_MAX_MESSAGE) break;
    content += `\n${chunk}`;
  }
  return content;
}
