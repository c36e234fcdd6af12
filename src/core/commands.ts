/**
 * The bridge's own commands, the same on every platform: `credits` and `status` for admins, `reset`
 * for anyone in a direct chat (admins only in groups), `help` for everyone. Commands never reach the
 * agent and never cost credits. Admin rights are checked on every call against `ADMIN_USERS`.
 * An admin report asked for by a message in a shared chat is sent to the admin privately, never into
 * the chat (it names other people's chats); the chat is told where it went.
 */
import type { Logger } from '../logger.ts';
import { fillNotice, type Notices } from '../notices.ts';
import type { AdminNotifier, DirectSender } from './admin-notifier.ts';
import type { CommandRequest, IncomingMessage, MenuCommand, Platform } from './contract.ts';
import { parseDuration } from './controls/lists.ts';
import type { Pauses } from './controls/pauses.ts';
import type { Conversations } from './conversations.ts';
import { creditsText, type Reports, statusText } from './reports.ts';

export type CommandName = 'credits' | 'status' | 'reset' | 'help' | 'pause' | 'resume';

/**
 * Who may run each command, and what it does (shown in menus). `handoff`: admins and the people of
 * `HANDOFF_USERS` (human takeover, controls/gate.ts).
 */
export const COMMANDS: Record<
  CommandName,
  { who: 'admin' | 'admin-in-groups' | 'handoff' | 'anyone'; description: string }
> = {
  credits: { who: 'admin', description: 'Credit balance and spend' },
  status: { who: 'admin', description: 'Bridge status: connections, queue, errors' },
  reset: { who: 'admin-in-groups', description: 'Start a new conversation in this chat' },
  help: { who: 'anyone', description: 'What this bot does' },
  pause: { who: 'handoff', description: 'Stop the assistant in this chat for a while (a person takes over)' },
  resume: { who: 'handoff', description: 'Let the assistant answer in this chat again' },
};

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

/**
 * True when only an admin may run `name` in a chat of `chatType`. A sender who is a chat rather than a
 * known person (`user.anonymous`: a Telegram anonymous admin, a message sent as a channel) is never an
 * admin: the router answers such a command from it with the `anonymousAdmin` notice.
 */
export function needsAdmin(name: CommandName, chatType: 'direct' | 'group'): boolean {
  const { who } = COMMANDS[name];
  return who === 'admin' || who === 'handoff' || (who === 'admin-in-groups' && chatType === 'group');
}

/**
 * The commands as a platform menu. `pause` and `resume` are in it when human takeover is set up
 * (`takeover`: `HANDOFF_USERS` or `HANDOFF_ON_HUMAN_REPLY`); admins may type them in any case.
 */
export function commandMenu(takeover: boolean): readonly MenuCommand[] {
  return (Object.keys(COMMANDS) as CommandName[])
    .filter((name) => takeover || COMMANDS[name].who !== 'handoff')
    .map((name) => ({
      name,
      description: COMMANDS[name].description,
      adminOnly: COMMANDS[name].who !== 'anyone' && COMMANDS[name].who !== 'admin-in-groups',
    }));
}

/** The menu without the takeover commands. */
export const COMMAND_MENU: readonly MenuCommand[] = commandMenu(false);

/** One command call, from a chat message or a platform's slash command. */
export interface CommandCall {
  name: CommandName;
  platform: Platform;
  /** The caller's platform user id. */
  userId: string;
  /** The thread the command was given in (what `reset` forgets). */
  thread: string;
  chatType: 'direct' | 'group';
  /** What followed the command's name (`/pause 2h`: `2h`). */
  args?: string;
  /** The chat message that gave the command, when it was one: where `pause`'s end is announced. */
  message?: IncomingMessage;
}

/** What `pause` and `resume` need: the takeover store, and who may hand off besides admins. */
export interface Takeover {
  pauses: Pauses;
  /** `HANDOFF_USERS` (admins are checked apart). */
  isHandoffUser: (platform: Platform, userId: string, team?: string) => boolean;
  /** How long a pause lasts without a duration, ms. */
  pauseMs: number;
  now: () => number;
}

export class Commands {
  readonly #reports: Reports;
  readonly #conversations: Conversations;
  readonly #admins: AdminNotifier;
  readonly #notices: Notices;
  readonly #sendDirect: DirectSender | undefined;
  readonly #takeover: Takeover | undefined;
  readonly #log: Logger;

  constructor(options: {
    reports: Reports;
    conversations: Conversations;
    admins: AdminNotifier;
    notices: Notices;
    /** Sends admin reports asked for in shared chats privately; absent: the chat is told it could not. */
    sendDirect?: DirectSender;
    /** Human takeover (`pause`, `resume`); absent: those commands say the chat is not paused. */
    takeover?: Takeover;
    log: Logger;
  }) {
    this.#log = options.log;
    this.#takeover = options.takeover;
    this.#sendDirect = options.sendDirect;
    this.#reports = options.reports;
    this.#conversations = options.conversations;
    this.#admins = options.admins;
    this.#notices = options.notices;
  }

  /** True when the caller may run the command (on Slack, as an admin of the thread's workspace). */
  allowed(call: CommandCall): boolean {
    const { who } = COMMANDS[call.name];
    if (who === 'anyone') return true;
    if (who === 'admin-in-groups' && call.chatType === 'direct') return true;
    // Slack thread keys are `slack:<team>:<channel>…`.
    const team = call.platform === 'slack' ? call.thread.split(':')[1] : undefined;
    if (this.#admins.isAdmin(call.platform, call.userId, team)) return true;
    return who === 'handoff' && this.#takeover?.isHandoffUser(call.platform, call.userId, team) === true;
  }

  /** The commands this caller may use, for menus and `help`. */
  available(call: Omit<CommandCall, 'name'>): CommandName[] {
    return (Object.keys(COMMANDS) as CommandName[]).filter((name) => this.allowed({ ...call, name }));
  }

  /**
   * Runs a command from the platform's own command feature, whose answer only the caller sees
   * (Discord's ephemeral reply, Slack's ephemeral response); an unknown name gets the help text.
   */
  async handle(platform: Platform, request: CommandRequest): Promise<string> {
    const name = request.name.toLowerCase();
    try {
      return await this.#answer({ ...request, platform, name: isCommandName(name) ? name : 'help' });
    } catch (err) {
      this.#log.error({ err, platform, command: name }, 'command failed');
      return this.#notices.commandFailed;
    }
  }

  /**
   * Runs a command given as a chat message and returns the text to post in that chat. An admin
   * report asked for in a shared chat goes to the admin as a direct message instead, and the chat
   * gets only a notice saying where it went (or that it could not be sent).
   */
  async run(call: CommandCall): Promise<string> {
    if (call.chatType === 'direct' || COMMANDS[call.name].who !== 'admin' || !this.allowed(call)) {
      return this.#answer(call);
    }
    const report = await this.#answer(call);
    const send = this.#sendDirect;
    if (!send) return this.#notices.reportNotSent;
    try {
      await send(call.platform, call.userId, report);
      return this.#notices.reportSentPrivately;
    } catch (err) {
      this.#log.warn({ err, platform: call.platform, command: call.name }, 'admin report not sent privately');
      return this.#notices.reportNotSent;
    }
  }

  /** The answer to a command; a caller without the right gets "not allowed". */
  async #answer(call: CommandCall): Promise<string> {
    if (!this.allowed(call)) return this.#notices.notAllowed;
    switch (call.name) {
      case 'credits':
        return creditsText(await this.#reports.credits());
      case 'status':
        return statusText(await this.#reports.status());
      case 'reset':
        await this.#conversations.reset(call.thread);
        return this.#notices.resetDone;
      case 'pause':
        return this.#pause(call);
      case 'resume': {
        const thread = targetThread(call)?.thread ?? call.thread;
        const ended = await this.#takeover?.pauses.resume(thread);
        return ended ? this.#notices.resumed : this.#notices.notPaused;
      }
      case 'help': {
        const names = this.available(call).map(
          (name) => `${name} (${COMMANDS[name].description.toLowerCase()})`,
        );
        return fillNotice(this.#notices, 'help', { commands: names.join(', ') });
      }
    }
  }

  /** `pause [chat] [duration]`: pauses this chat (or, for an admin, the chat named) until then. */
  async #pause(call: CommandCall): Promise<string> {
    const takeover = this.#takeover;
    if (!takeover) return this.#notices.notPaused;
    const target = targetThread(call);
    const rest = target ? target.rest : (call.args ?? '').trim();
    const ms = rest === '' ? takeover.pauseMs : parseDuration(rest);
    if (ms === undefined || (target && !this.#admins.isAdmin(call.platform, call.userId))) {
      return this.#notices.pauseUsage;
    }
    const until = takeover.now() + ms;
    await takeover.pauses.pause({
      thread: target?.thread ?? call.thread,
      until,
      by: `${call.platform}:${call.userId}`,
      // The end is announced where the pause applies: only known when it is this chat.
      ...(!target && call.message && { message: call.message }),
    });
    const time = `${new Date(until).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    return fillNotice(this.#notices, 'paused', { chat: target ? target.thread : 'this chat', time });
  }
}

/** `pause telegram:123 2h`: the chat an admin names (a thread key), and what follows it. */
function targetThread(call: CommandCall): { thread: string; rest: string } | undefined {
  const [first = '', ...rest] = (call.args ?? '').trim().split(/\s+/);
  if (!/^(telegram|discord|slack|whatsapp):\S+$/.test(first)) return undefined;
  return { thread: first, rest: rest.join(' ') };
}
