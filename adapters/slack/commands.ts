/**
 * The slash command (`SLACK_COMMAND`, default `/aksita`): `/aksita credits`, `status`, `reset`,
 * `help`; an empty text or an unknown word gets the help. The answer is shown to the caller only
 * (ephemeral) and never reaches the agent. Slack wants the command acknowledged within 3 s: the
 * answer goes into the acknowledgement when the core gives it in time (it reads Redis, so it takes
 * milliseconds); otherwise the command is acknowledged with "Working on it…" (`commandWorking` of
 * the notices, like every text it writes) and the answer is
 * posted to the command's `response_url` once ready.
 */
import type { App } from '@slack/bolt';
import type { CommandHandler, CommandRequest } from '../../src/core/contract.ts';
import type { Logger } from '../../src/logger.ts';
import type { Notices } from '../../src/notices.ts';
import { SLACK_ID } from './normalize.ts';

/** Default slash command name. */
export const SLACK_DEFAULT_COMMAND = '/aksita';
/** How long the answer may take before the command is acknowledged without it (Slack allows 3 s), ms. */
export const SLACK_COMMAND_ACK_MS = 2_500;
/** Timeout of one POST to a `response_url`, ms. */
const RESPONSE_URL_TIMEOUT_MS = 10_000;
/** A slash command as the core sees it, with the URL its late answers go to. */
export interface SlashCommandCall {
  request: CommandRequest;
  /** Slack's `response_url`; absent when the payload carries no usable one. */
  responseUrl?: string;
}

/**
 * Reads a slash command payload (the form fields of the request): the first word of the text is the
 * command (`help` when there is none), the thread is the key a message in that channel would get
 * (`slack:<team>:<channel>`: a slash command carries no `thread_ts`), and the chat is `direct` in a
 * DM. `null` when the payload names no user or channel. Pure.
 */
export function readSlashCommand(
  payload: Record<string, unknown>,
  fallbackTeam: string,
): SlashCommandCall | null {
  const field = (key: string) => (typeof payload[key] === 'string' ? payload[key] : '');
  const userId = field('user_id');
  const channel = field('channel_id');
  if (!SLACK_ID.test(userId) || !SLACK_ID.test(channel)) return null;
  const team = SLACK_ID.test(field('team_id')) ? field('team_id') : fallbackTeam;
  const [word = '', ...rest] = field('text').trim().split(/\s+/);
  const name = word.toLowerCase() || 'help';
  const args = rest.join(' ');
  const direct = field('channel_name') === 'directmessage' || channel.startsWith('D');
  const responseUrl = /^https?:\/\//.test(field('response_url')) ? field('response_url') : undefined;
  return {
    request: {
      name,
      userId,
      thread: `slack:${team}:${channel}`,
      chatType: direct ? 'direct' : 'group',
      ...(args !== '' && { args }),
    },
    ...(responseUrl && { responseUrl }),
  };
}

export interface SlashCommandOptions {
  /** The command as created in the app settings, e.g. `/aksita`. */
  name: string;
  /** How long the answer may take before `notices.commandWorking` is sent instead, ms. */
  ackWithinMs: number;
  /**
   * The bridge's notices: `commandWorking` acknowledges a late answer, `commandFailed` stands for a
   * failed one, `channelReset` answers `reset` in a channel.
   */
  notices: Pick<Notices, 'commandWorking' | 'commandFailed' | 'channelReset'>;
  /** The core's command handler; undefined while the adapter is not receiving. */
  handler: () => CommandHandler | undefined;
  /** Agent Markdown → mrkdwn chunks (the adapter's `render`). */
  render: (markdown: string) => string[];
  /** The bot's workspace, for a payload that names none. */
  teamId: () => string;
  /** Hands background work (answers posted to `response_url`) to the adapter, so `stop` waits for it. */
  track: (work: Promise<void>) => void;
  log: Logger;
  /** The fetch that posts to `response_url`. Default: global fetch. */
  fetch?: typeof fetch;
}

const ephemeral = (text: string) => ({ response_type: 'ephemeral' as const, text });

/** Registers the slash command listener on the Bolt app (HTTP and Socket Mode alike). */
export function registerSlashCommand(app: App, options: SlashCommandOptions): void {
  const { log } = options;
  const post = options.fetch ?? fetch;

  /** Posts chunks to `response_url`, in order; a failure is logged, never thrown. */
  const respond = async (url: string | undefined, chunks: string[]): Promise<void> => {
    try {
      if (!url) throw new Error('the command carried no response_url');
      for (const text of chunks) {
        const res = await post(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(ephemeral(text)),
          signal: AbortSignal.timeout(RESPONSE_URL_TIMEOUT_MS),
        });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`response_url answered HTTP ${res.status}`);
      }
    } catch (err) {
      log.warn({ err }, 'slack slash command answer not delivered');
    }
  };

  /** The answer as mrkdwn chunks; a failure of the core becomes a short apology. */
  const answer = async (handle: CommandHandler, request: CommandRequest): Promise<string[]> => {
    try {
      if (request.name === 'reset' && request.chatType === 'group') return [options.notices.channelReset];
      const chunks = options.render(await handle(request));
      return chunks.length > 0 ? chunks : [''];
    } catch (err) {
      log.error({ err, command: request.name, thread: request.thread }, 'slack slash command failed');
      return [options.notices.commandFailed];
    }
  };

  app.command(options.name, async ({ command, ack }) => {
    const handle = options.handler();
    // Not acknowledged: the request is answered 503 and Slack tells the user the command failed.
    if (!handle) throw new Error('the Slack adapter is not receiving');
    const call = readSlashCommand(command, options.teamId());
    if (!call) {
      log.warn('slack slash command without a user or channel ignored');
      await ack();
      return;
    }
    const { request, responseUrl } = call;
    log.debug({ command: request.name, thread: request.thread }, 'slack slash command');
    const answered = answer(handle, request);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), options.ackWithinMs);
    });
    const first = await Promise.race([answered, late]);
    clearTimeout(timer);
    if (first === 'late') {
      await ack(ephemeral(options.notices.commandWorking));
      options.track(answered.then((chunks) => respond(responseUrl, chunks)));
      return;
    }
    const [head = '', ...rest] = first;
    await ack(ephemeral(head));
    // An answer longer than one message: the rest follows through response_url.
    if (rest.length > 0) options.track(respond(responseUrl, rest));
  });
}
