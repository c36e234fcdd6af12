/**
 * The terminal "platform" of `npm run cli -- chat`: each line typed is a message of one direct
 * conversation (`cli:<user>`), answered through the same router, queue and worker as any chat.
 */
import { createInterface } from 'node:readline';
import type { Adapter, Capabilities, Inbound, IncomingMessage } from '../../src/core/contract.ts';
import { splitText } from '../../src/core/split.ts';

/** Long enough for any answer; the terminal wraps lines itself. */
const TERMINAL_MAX_MESSAGE = 65_536;

export interface TerminalAdapterOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** The local user name: the conversation's thread is `cli:<user>`. */
  user: string;
  /** Called when the input ends (Ctrl-D, or the end of piped input), after every line was handed in. */
  onEnd?: () => void;
}

export function createTerminalAdapter(options: TerminalAdapterOptions): Adapter {
  const { input, output, user } = options;
  const capabilities: Capabilities = {
    maxMessageLength: TERMINAL_MAX_MESSAGE,
    typing: false,
    typingRenewMs: 60_000,
    format: 'plain',
  };
  const session = Date.now().toString(36);
  let close: (() => void) | undefined;
  return {
    platform: 'cli',
    capabilities,
    routes: [],
    async init() {},
    async start(inbound: Inbound) {
      const receive = inbound.message;
      const lines = createInterface({ input, terminal: false });
      let count = 0;
      // Hand lines in one after another, so they are stored in the order typed.
      let chain = Promise.resolve();
      lines.on('line', (line) => {
        const text = line.trim();
        if (text === '') return;
        const message = toMessage(text, ++count);
        chain = chain
          .then(() => receive(message))
          .catch((err: unknown) => {
            output.write(`(not sent: ${(err as Error).message})\n`);
          });
      });
      lines.on('close', () => {
        chain.then(
          () => options.onEnd?.(),
          () => options.onEnd?.(),
        );
      });
      close = () => lines.close();
    },
    async stop() {
      close?.();
    },
    render: (markdown) => splitText(markdown, TERMINAL_MAX_MESSAGE),
    async send(_address, text) {
      output.write(`agent> ${text}\n`);
    },
    async sendDirect(_userId, text) {
      output.write(`bridge> ${text}\n`);
    },
    async typing() {},
    async setWorking() {},
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
