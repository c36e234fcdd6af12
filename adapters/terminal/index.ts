/**
 * The terminal "platform" of `npm run cli -- chat`: each line typed is a message of one direct
 * conversation (`cli:<user>`), answered through the same router, queue and worker as any chat.
 *
 * Interactive (stdin and stdout are a terminal): a `you> ` prompt with line editing that stays below
 * whatever is printed, a "thinking…" line while the agent works (erased when the answer comes), and
 * answers with ANSI styles. Otherwise (piped): one line per input line, answers as plain text (styled
 * only when stdout is a terminal), nothing else on stdout.
 */
import { clearLine, createInterface, cursorTo, moveCursor } from 'node:readline';
import type { Adapter, Capabilities, IncomingMessage } from '../../src/core/contract.ts';
import { OrderedHandIn } from '../shared/hand-in.ts';
import { labelled, sanitize, TERMINAL_MAX_MESSAGE, terminalDialect } from './format.ts';

export { TERMINAL_MAX_MESSAGE };

export interface TerminalAdapterOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The local user name: the conversation's thread is `cli:<user>`. */
  user: string;
  /** Prompt and line editing (stdin and stdout are a terminal). Default false. */
  interactive?: boolean;
  /** ANSI styles and the "thinking…" line (stdout is a terminal). Default false. */
  styled?: boolean;
  /** Called when the input ends (Ctrl-D, or the end of piped input), after every line was handed in. */
  onEnd?: () => void;
  /** Called on Ctrl-C at the prompt (interactive only; otherwise the process gets SIGINT). */
  onInterrupt?: () => void;
}

const PROMPT = 'you> ';
const AGENT = 'agent> ';
const BRIDGE = 'bridge> ';

export function createTerminalAdapter(options: TerminalAdapterOptions): Adapter {
  const { input, output, user } = options;
  const interactive = options.interactive === true;
  const styled = options.styled === true;
  const capabilities: Capabilities = {
    typing: false,
    typingRenewMs: 60_000,
    format: terminalDialect({ styled }),
    maxMessageLength: TERMINAL_MAX_MESSAGE,
  };
  const session = Date.now().toString(36);
  const bold = (text: string) => (styled ? `\x1b[1m${text}\x1b[22m` : text);
  let lines: ReturnType<typeof createInterface> | undefined;
  let reading = false;
  /** The "thinking…" line is the last line printed (above the prompt, if any). */
  let thinking = false;

  /** Prints `text` as whole lines above the prompt, first erasing the "thinking…" line. */
  const print = (text: string, options: { thinking?: boolean } = {}) => {
    if (interactive && reading) {
      cursorTo(output, 0);
      clearLine(output, 0);
    }
    if (thinking) {
      moveCursor(output, 0, -1);
      clearLine(output, 0);
    }
    output.write(`${text}\n`);
    thinking = options.thinking === true;
    if (interactive && reading) lines?.prompt(true);
  };

  return {
    platform: 'cli',
    capabilities,
    routes: [],
    async init() {},
    async start(inbound) {
      const receive = inbound.message;
      const rl = createInterface({
        input,
        ...(interactive && { output, prompt: bold(PROMPT) }),
        terminal: interactive,
      });
      lines = rl;
      reading = true;
      let count = 0;
      // Hand lines in one after another, so they are stored in the order typed.
      const handIn = new OrderedHandIn();
      rl.on('line', (line) => {
        // The line typed moved the cursor below any "thinking…" line: it stays in the transcript.
        thinking = false;
        const text = line.trim();
        if (interactive) rl.prompt();
        if (text === '') return;
        const message = toMessage(text, ++count);
        void handIn.push('', () =>
          receive(message).catch((err: unknown) => print(`(not sent: ${sanitize((err as Error).message)})`)),
        );
      });
      rl.on('SIGINT', () => options.onInterrupt?.());
      rl.on('close', () => {
        // The prompt goes; what is still printed (pending answers) takes its line.
        if (interactive && reading) {
          cursorTo(output, 0);
          clearLine(output, 0);
        }
        reading = false;
        void handIn.idle().then(() => options.onEnd?.());
      });
      if (interactive) rl.prompt();
    },
    async stop() {
      lines?.close();
    },
    async send(_address, text) {
      print(labelled(bold(AGENT), text, AGENT.length));
    },
    async sendDirect(_userId, text) {
      print(labelled(bold(BRIDGE), text, BRIDGE.length));
    },
    async typing() {},
    async setWorking(_address, _messageId, working) {
      if (!styled) return;
      if (working) print('\x1b[2mthinking…\x1b[22m', { thinking: true });
      else if (thinking) {
        // The answer did not come (a wait, a notice sent otherwise): take the line away.
        if (interactive && reading) {
          cursorTo(output, 0);
          clearLine(output, 0);
        }
        moveCursor(output, 0, -1);
        clearLine(output, 0);
        thinking = false;
        if (interactive && reading) lines?.prompt(true);
      }
    },
    async health() {
      return { ok: true, detail: 'terminal' };
    },
  };

  function toMessage(text: string, n: number): IncomingMessage {
    const command = /^\/([a-z]+)\s*(.*)$/i.exec(text);
    return {
      id: `cli:${user}:${session}:${n}`,
      platform: 'cli',
      thread: `cli:${user}`,
      address: { channel: user },
      messageId: String(n),
      chatType: 'direct',
      addressed: true,
      text: command ? (command[2] ?? '') : text,
      ...(command && { command: { name: (command[1] ?? '').toLowerCase(), args: command[2] ?? '' } }),
      user: { id: user, displayName: user },
      sentAt: Date.now(),
    };
  }
}
