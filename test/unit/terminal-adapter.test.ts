/**
 * The terminal chat as a person at a terminal sees it: a prompt that stays below what is printed, a
 * "thinking…" line while the agent works that the answer replaces, Ctrl-C and Ctrl-D handed to the
 * chat, and nothing but answers when the input is piped. The adapter writes to a small emulated
 * screen (cursor moves, line erases; styles dropped).
 */
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createTerminalAdapter } from '../../adapters/terminal/index.ts';
import type { Inbound, IncomingMessage } from '../../src/core/contract.ts';
import { renderFor } from '../../src/core/messages.ts';
import { waitFor } from '../fakes/http.ts';

/** A terminal screen: the lines shown, for the escape sequences readline and the adapter use. */
class Screen extends Writable {
  readonly lines: string[] = [''];
  row = 0;
  col = 0;

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    const text = chunk.toString();
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (c === '\x1b' && text[i + 1] === '[') {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what is parsed
        const m = /^\x1b\[([?0-9;]*)([A-Za-z])/.exec(text.slice(i)) as RegExpExecArray;
        this.#csi(m[1] as string, m[2] as string);
        i += m[0].length - 1;
      } else if (c === '\n') {
        this.row++;
        this.col = 0;
        while (this.lines.length <= this.row) this.lines.push('');
      } else if (c === '\r') {
        this.col = 0;
      } else {
        const line = (this.lines[this.row] ?? '').padEnd(this.col);
        this.lines[this.row] = line.slice(0, this.col) + c + line.slice(this.col + 1);
        this.col++;
      }
    }
    done();
  }

  #csi(params: string, op: string): void {
    const n = Number(params || '1');
    const line = this.lines[this.row] ?? '';
    if (op === 'A') this.row = Math.max(0, this.row - n);
    else if (op === 'G') this.col = n - 1;
    else if (op === 'C') this.col += n;
    else if (op === 'D') this.col = Math.max(0, this.col - n);
    else if (op === 'K') this.lines[this.row] = params === '2' ? '' : line.slice(0, this.col);
    else if (op === 'J') {
      this.lines[this.row] = line.slice(0, this.col);
      this.lines.length = this.row + 1;
    }
  }

  /** The screen's lines, trailing spaces and empty last lines removed. */
  get text(): string {
    return this.lines
      .map((l) => l.trimEnd())
      .join('\n')
      .replace(/\n+$/, '');
  }
}

function setup(options: { interactive: boolean; styled: boolean }) {
  const input = new PassThrough();
  const screen = new Screen();
  const received: IncomingMessage[] = [];
  const events: string[] = [];
  const adapter = createTerminalAdapter({
    input,
    output: screen,
    user: 'ada',
    ...options,
    onEnd: () => events.push('end'),
    onInterrupt: () => events.push('interrupt'),
  });
  const inbound: Inbound = {
    message: async (message) => {
      received.push(message);
    },
    command: async () => '',
    menu: [],
    adminIds: [],
  };
  return { input, screen, received, events, adapter, inbound };
}

const address = { channel: 'ada' };

describe('the terminal chat, interactive', () => {
  it('keeps the prompt below the thinking line and the answers', async () => {
    const t = setup({ interactive: true, styled: true });
    await t.adapter.start(t.inbound);
    expect(t.screen.text).toBe('you>');

    t.input.write('hello\r');
    await waitFor(() => t.received.length === 1, 2_000, 'the line handed in');
    expect(t.received[0]).toMatchObject({ platform: 'cli', thread: 'cli:ada', text: 'hello' });
    await t.adapter.setWorking(address, '1', true);
    expect(t.screen.text).toBe('you> hello\nthinking…\nyou>');

    await t.adapter.send(address, renderFor(t.adapter, '**Hi** there\nsecond line').join(''));
    await t.adapter.setWorking(address, '1', false);
    expect(t.screen.text).toBe('you> hello\nagent> Hi there\n       second line\nyou>');

    // Typing ahead while an answer arrives keeps what was typed.
    t.input.write('and');
    await t.adapter.sendDirect('ada', 'an alert');
    expect(t.screen.text).toBe('you> hello\nagent> Hi there\n       second line\nbridge> an alert\nyou> and');
    await t.adapter.stop();
  });

  it('hands Ctrl-C to the chat, and Ctrl-D ends the input', async () => {
    const t = setup({ interactive: true, styled: true });
    await t.adapter.start(t.inbound);
    t.input.write('\x03');
    expect(t.events).toEqual(['interrupt']);
    t.input.write('\x04');
    await waitFor(() => t.events.includes('end'), 2_000, 'end of input');
    expect(t.received).toEqual([]);
  });

  it('on Ctrl-D takes the prompt away and still shows the pending answer in place of the thinking line', async () => {
    const t = setup({ interactive: true, styled: true });
    await t.adapter.start(t.inbound);
    t.input.write('hello\r');
    await t.adapter.setWorking(address, '1', true);
    t.input.write('\x04');
    await waitFor(() => t.events.includes('end'), 2_000, 'end of input');
    expect(t.screen.text).toBe('you> hello\nthinking…');
    await t.adapter.send(address, 'hi');
    await t.adapter.setWorking(address, '1', false);
    expect(t.screen.text).toBe('you> hello\nagent> hi');
  });

  it('on Ctrl-C with no answer to come, leaves neither the prompt nor the thinking line', async () => {
    const t = setup({ interactive: true, styled: true });
    await t.adapter.start(t.inbound);
    t.input.write('hello\r');
    await t.adapter.setWorking(address, '1', true);
    t.input.write('\x03');
    expect(t.events).toEqual(['interrupt']);
    await t.adapter.stop();
    await t.adapter.setWorking(address, '1', false);
    expect(t.screen.text).toBe('you> hello');
  });

  it('takes the thinking line away when no answer follows it', async () => {
    const t = setup({ interactive: true, styled: true });
    await t.adapter.start(t.inbound);
    t.input.write('hello\r');
    await t.adapter.setWorking(address, '1', true);
    await t.adapter.setWorking(address, '1', false);
    expect(t.screen.text).toBe('you> hello\nyou>');
    await t.adapter.stop();
  });
});

describe('the terminal chat, piped', () => {
  it('prints only the answers, in plain text, and hands in every line in order before it ends', async () => {
    const t = setup({ interactive: false, styled: false });
    await t.adapter.start(t.inbound);
    t.input.end('one\n\n/reset\ntwo\n');
    await waitFor(() => t.events.includes('end'), 2_000, 'end of input');
    expect(t.received.map((m) => [m.text, m.command?.name])).toEqual([
      ['one', undefined],
      ['', 'reset'],
      ['two', undefined],
    ]);
    await t.adapter.setWorking(address, '1', true);
    await t.adapter.send(address, renderFor(t.adapter, '**bold** and `code`').join(''));
    expect(t.screen.text).toBe('agent> bold and code');
  });

  it('shows and replaces the thinking line when only stdout is a terminal', async () => {
    const t = setup({ interactive: false, styled: true });
    await t.adapter.start(t.inbound);
    await t.adapter.setWorking(address, '1', true);
    expect(t.screen.text).toBe('thinking…');
    await t.adapter.send(address, 'answer');
    expect(t.screen.text).toBe('agent> answer');
  });
});
