/**
 * In-process fakes for unit tests of the router and the turn runner on the in-memory thread store:
 * an adapter that records what it sends and fails on demand, an agent answering from a script, and
 * no-op stand-ins for the outage, refusals, budgets and incidents. No Redis, no HTTP, no timers of
 * their own: a turn runs in milliseconds, on an injected clock.
 */
import { pino } from 'pino';
import { TELEGRAM_MAX_MESSAGE, telegramHtml } from '../../adapters/telegram/format.ts';
import type { AgentReply } from '../../src/aksita/client.ts';
import type { AgentPolicy } from '../../src/core/agent-policy.ts';
import type {
  Adapter,
  Address,
  Capabilities,
  IncomingMessage,
  SendOptions,
} from '../../src/core/contract.ts';
import type { AgentError, PlatformError } from '../../src/core/errors.ts';
import { MemoryThreadStore } from '../../src/core/memory-thread-store.ts';
import { renderFor } from '../../src/core/messages.ts';
import type { Observer } from '../../src/core/observer.ts';
import type { InboxEntry } from '../../src/core/thread-store.ts';
import { type TurnControl, TurnRunner, type TurnRunnerDeps } from '../../src/core/turn.ts';
import type { Logger } from '../../src/logger.ts';
import { loadNotices } from '../../src/notices.ts';

/** A logger that keeps its entries, to assert the log lines operators see. */
export function captureLog(): { log: Logger; find(msg: string): Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, find: (msg) => lines.filter((l) => l.msg === msg) };
}

/** One text the fake platform accepted. */
export interface Sent {
  channel: string;
  text: string;
  replyTo?: string;
}

/** An adapter that records sends; it speaks Telegram's dialect within Telegram's limit. */
export class FakeAdapter implements Adapter {
  readonly platform = 'telegram' as const;
  readonly capabilities: Capabilities = {
    typing: true,
    typingRenewMs: 4_000,
    format: telegramHtml,
    maxMessageLength: TELEGRAM_MAX_MESSAGE,
  };
  readonly routes = [];
  readonly sent: Sent[] = [];
  /** What the next sends throw, in order (then they succeed). */
  readonly failures: Array<PlatformError | Error> = [];
  /** Called after each accepted send (a test's way to act mid-posting). */
  onSent: ((text: string) => Promise<void>) | undefined;

  async init(): Promise<void> {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  /** `markdown` as the core renders it for this adapter. */
  render(markdown: string): string[] {
    return renderFor(this, markdown);
  }
  async send(address: Address, text: string, options: SendOptions = {}): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.sent.push({ channel: address.channel, text, ...options });
    await this.onSent?.(text);
  }
  async sendDirect(): Promise<void> {}
  async typing(): Promise<void> {}
  async setWorking(): Promise<void> {}
  async health() {
    return { ok: true, detail: 'fake' };
  }
  /** The texts sent, in order. */
  get texts(): string[] {
    return this.sent.map((s) => s.text);
  }
}

/** The agent: answers each question from `script` (a reply's parts, or an error to throw), else echoes. */
export class FakeAgent {
  readonly asked: string[] = [];
  readonly script: Array<string[] | AgentError> = [];

  async ask(_message: IncomingMessage, text: string): Promise<AgentReply & { agent: string }> {
    this.asked.push(text);
    const next = this.script.shift();
    if (next instanceof Error) throw next;
    return {
      response: next ?? [`answer to ${text}`],
      credits: 1,
      remainingCredits: 100,
      messageId: 'm',
      agent: '',
    };
  }
  async probe(): Promise<void> {}
}

/** Counts what the runner reports. */
export function countingObserver(): Observer & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  return {
    counts,
    received: (p) => bump(`received:${p}`),
    answered: (p) => bump(`answered:${p}`),
    agentFailed: (code) => bump(`agentFailed:${code}`),
    billed: () => bump('billed'),
    sendFailed: (_p, kind) => bump(`sendFailed:${kind}`),
    dropped: (_p, what, reason) => bump(`dropped:${what}:${reason}`),
    posted: (_p, n) => counts.set('posted', (counts.get('posted') ?? 0) + n),
    inFlight: () => {},
  };
}

export const POLICY: AgentPolicy = {
  maxAttempts: 3,
  baseMs: 1_000,
  maxMs: 60_000,
  timeoutMs: 30_000,
  timeoutResends: 1,
  outageNoticeAfterMs: 60_000,
  staleAfterMs: 0,
  stalePolicy: 'answer',
};

/** A runner on a memory store with fakes, and what it needs to drive turns. */
export interface Harness {
  store: MemoryThreadStore;
  adapter: FakeAdapter;
  agent: FakeAgent;
  runner: TurnRunner;
  observer: ReturnType<typeof countingObserver>;
  logs: ReturnType<typeof captureLog>;
  /** The injected clock, epoch ms; tests move it. */
  clock: { now: number };
  /** Signals of a process that is not stopping. */
  control: TurnControl;
  /** Stores an entry of kind `kind` for chat `chat` (message n), returning the new turn's job id if any. */
  accept(chat: string, n: number, text?: string, kind?: InboxEntry['kind']): Promise<string | undefined>;
}

/** A runner on a fresh memory store; `overrides` replace any of its dependencies. */
export function harness(overrides: Partial<TurnRunnerDeps> = {}): Harness {
  const clock = { now: 1_000_000 };
  const now = () => clock.now;
  const store = new MemoryThreadStore({ dedupeTtlSeconds: 3_600, now });
  const adapter = new FakeAdapter();
  const agent = new FakeAgent();
  const observer = countingObserver();
  const logs = captureLog();
  const runner = new TurnRunner({
    inbox: store,
    conversations: agent,
    outage: {
      current: async () => ({ outageId: null, failing: false }),
      gate: async () => ({ kind: 'open' }),
      fail: async () => ({ kind: 'none' }),
      release: async () => {},
      close: async () => null,
      announce: async () => false,
      waiting: async () => {},
      tell: async () => false,
    },
    notices: loadNotices('en'),
    notifier: { notify: async () => 0 },
    incidents: { raise: async () => ({ reported: true, alerted: true }) },
    spending: { budgetResetsAt: async () => null, record: async () => {} },
    observer,
    language: 'en',
    policy: POLICY,
    wake: async () => {},
    commands: { run: async (call) => `ran ${call.name}` },
    pacer: { wait: async () => false },
    refusals: {
      read: async () => ({ chatRefusedAt: null, platformRefused: null }),
      chatReachable: async () => {},
      chatRefused: async () => {},
      platformRefused: async () => {},
      platformWorks: async () => {},
    },
    adapters: { telegram: adapter },
    sendRetry: { baseMs: 1_000, maxMs: 60_000, forMs: 3_600_000 },
    log: logs.log,
    random: () => 0.5,
    now,
    ...overrides,
  });
  const control = { stopping: new AbortController().signal, abortCalls: new AbortController().signal };
  const accept = async (
    chat: string,
    n: number,
    text = `question ${n}`,
    kind: InboxEntry['kind'] = 'ask',
  ) => {
    const message: IncomingMessage = {
      id: `telegram:${chat}:${n}`,
      platform: 'telegram',
      thread: `telegram:${chat}`,
      address: { channel: chat },
      messageId: String(n),
      chatType: 'direct',
      addressed: true,
      text,
      user: { id: chat, displayName: 'Ana' },
      sentAt: clock.now,
    };
    const result = await store.accept({
      id: message.id,
      kind,
      message,
      acceptedAt: clock.now,
      ...(kind === 'notice' && { notice: 'welcome' }),
      ...(kind === 'command' && { command: 'help' }),
    });
    return result.outcome === 'queued' ? result.startTurn : undefined;
  };
  return { store, adapter, agent, runner, observer, logs, clock, control, accept };
}
