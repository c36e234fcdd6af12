/**
 * The contract every platform adapter passes: normalization of recorded-shape payloads, thread keys,
 * bot and self messages ignored, malformed input never throwing, chunks within the platform's limit,
 * sending through the real SDK to the platform's fake, typing that never throws, each kind of send
 * failure classified from the platform's own refusal, and a send that is never answered given up.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Adapter, Address, IncomingMessage, Platform } from '../../src/core/contract.ts';
import { PlatformError, type PlatformErrorKind } from '../../src/core/errors.ts';
import { renderFor } from '../../src/core/messages.ts';

/** Recorded-shape platform payloads, one per situation the contract checks. */
export interface ContractFixtures {
  /** A text message in a one-to-one chat with the bot, text `hello bot`. */
  directText: unknown;
  /**
   * A text message in a shared channel that does not address the bot, text `just chatting`; absent on
   * a platform without group chats (WhatsApp's Cloud API), whose every message must then be direct.
   */
  groupUnaddressed?: unknown;
  /** A message in a shared channel that mentions the bot, text `<mention> what is new?`; absent likewise. */
  groupMention?: unknown;
  /** Another direct text message (a different platform message); needed when there are no group fixtures. */
  directOther?: unknown;
  /** A message written by another bot. */
  fromOtherBot: unknown;
  /** A message written by this bot itself. */
  fromSelf: unknown;
  /** A message in a one-to-one chat that carries no text (a sticker, a file without caption). */
  directNoText: unknown;
  /** Payloads a broken or hostile sender might produce. */
  malformed: unknown[];
}

/** An adapter connected to its platform's fake. */
export interface LiveAdapter {
  adapter: Adapter;
  /** Where the fake accepts messages. */
  address: Address;
  /** Texts the fake accepted at `address`, in order. */
  sentTexts(): string[];
  /** Makes the platform unreachable (closes the fake). */
  breakPlatform(): Promise<void>;
  /** Makes the fake answer the next send as the platform does for a failure of `kind`. */
  failNext(kind: PlatformErrorKind): void;
  /** Makes the fake leave the next send unanswered. */
  stallNext(): void;
  /** Stops the adapter and closes the fake. */
  close(): Promise<void>;
}

export interface LiveOptions {
  /** The adapter's `requestTimeoutMs`. */
  requestTimeoutMs?: number;
}

/** Every kind, in an order that ends with the one that may hold the platform back for a while. */
const KINDS: PlatformErrorKind[] = [
  'unauthorized',
  'chat_refused',
  'too_long',
  'rejected',
  'transient',
  'rate_limited',
];

export interface AdapterContractCase {
  platform: Platform;
  /** The adapter's pure normalizer as the adapter calls it, bound to the bot's identity. */
  normalize(raw: unknown): IncomingMessage | null;
  /** The platform's longest message (`TELEGRAM_MAX_MESSAGE`): no rendered chunk may be longer. */
  maxMessageLength: number;
  fixtures: ContractFixtures;
  /** Starts the real adapter against the platform's fake (no `start`: sending only). */
  live(options?: LiveOptions): Promise<LiveAdapter>;
}

export function adapterContract(c: AdapterContractCase): void {
  describe(`${c.platform} adapter contract`, () => {
    const normalized = (raw: unknown) => {
      const message = c.normalize(raw);
      if (!message) throw new Error('expected a message');
      return message;
    };

    it('normalizes a direct text message', () => {
      const message = normalized(c.fixtures.directText);
      expect(message).toMatchObject({
        platform: c.platform,
        chatType: 'direct',
        addressed: true,
        text: 'hello bot',
      });
      expect(message.thread.startsWith(`${c.platform}:`)).toBe(true);
      expect(message.id.startsWith(`${c.platform}:`)).toBe(true);
      expect(message.user.id).not.toBe('');
      expect(message.sentAt).toBeGreaterThan(0);
    });

    const { groupUnaddressed, groupMention } = c.fixtures;
    if (groupUnaddressed !== undefined && groupMention !== undefined) {
      it('marks group chatter as not addressed, and a mention as addressed without the mention in the text', () => {
        expect(normalized(groupUnaddressed)).toMatchObject({ chatType: 'group', addressed: false });
        expect(normalized(groupMention)).toMatchObject({
          chatType: 'group',
          addressed: true,
          text: 'what is new?',
        });
      });
    } else {
      it('has no group chats: every message is direct and addressed', () => {
        for (const raw of [c.fixtures.directText, c.fixtures.directOther, c.fixtures.directNoText]) {
          expect(normalized(raw)).toMatchObject({ chatType: 'direct', addressed: true });
        }
      });
    }
    /** A second message, different from `directText`. */
    const other = groupMention ?? c.fixtures.directOther;

    it('ignores messages from other bots and from itself', () => {
      expect(c.normalize(c.fixtures.fromOtherBot)).toBeNull();
      expect(c.normalize(c.fixtures.fromSelf)).toBeNull();
    });

    it('gives a message without text a null text', () => {
      expect(normalized(c.fixtures.directNoText).text).toBeNull();
    });

    it('gives the same id and thread to a redelivered payload, and different ids to different messages', () => {
      const copy = structuredClone(c.fixtures.directText);
      expect(normalized(copy).id).toBe(normalized(c.fixtures.directText).id);
      expect(normalized(copy).thread).toBe(normalized(c.fixtures.directText).thread);
      expect(normalized(other).id).not.toBe(normalized(c.fixtures.directText).id);
    });

    it('produces plain JSON (it becomes queue data as is)', () => {
      for (const raw of [c.fixtures.directText, other]) {
        const message = normalized(raw);
        expect(JSON.parse(JSON.stringify(message))).toEqual(message);
      }
    });

    it('never throws on malformed or random payloads', () => {
      for (const raw of c.fixtures.malformed) expect(() => c.normalize(raw)).not.toThrow();
      fc.assert(
        fc.property(fc.anything(), (raw) => {
          c.normalize(raw);
        }),
        { numRuns: 300 },
      );
    });

    it('names its limit, and the chunks the core renders within it are accepted by the platform', async () => {
      const live = await c.live();
      try {
        const { adapter, address } = live;
        const long = Array.from({ length: 300 }, (_, i) => `Sentence number ${i} of a long answer.`).join(
          ' ',
        );
        expect(adapter.capabilities.maxMessageLength).toBe(c.maxMessageLength);
        const chunks = renderFor(adapter, long);
        expect(chunks.length).toBeGreaterThan(1);
        for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(c.maxMessageLength);
        for (const chunk of chunks) await adapter.send(address, chunk);
        expect(live.sentTexts()).toHaveLength(chunks.length);
      } finally {
        await live.close();
      }
    });

    it('never throws from typing or the working mark, even when the platform is gone', async () => {
      const live = await c.live();
      try {
        const { adapter, address } = live;
        await expect(adapter.typing(address)).resolves.toBeUndefined();
        await live.breakPlatform();
        for (const attempt of [() => adapter.typing(address), () => adapter.setWorking(address, '1', true)]) {
          const settled = await attempt().then(
            () => undefined,
            (err: unknown) => err,
          );
          if (settled !== undefined) expect(settled).toBeInstanceOf(PlatformError);
        }
      } finally {
        await live.close();
      }
    });

    it("classifies each kind of send failure from the platform's own answer", async () => {
      const live = await c.live();
      try {
        const { adapter, address } = live;
        for (const kind of KINDS) {
          live.failNext(kind);
          const failure = await adapter.send(address, `a send that fails as ${kind}`).then(
            () => undefined,
            (err: unknown) => err,
          );
          expect(failure, kind).toBeInstanceOf(PlatformError);
          expect((failure as PlatformError).kind, (failure as PlatformError).message).toBe(kind);
          if (kind === 'rate_limited')
            expect((failure as PlatformError).options.retryAfterMs).toBeGreaterThan(0);
        }
        expect(live.sentTexts()).toEqual([]);
      } finally {
        await live.close();
      }
    });

    it('gives up on a send that is never answered within its timeout, as transient', async () => {
      const live = await c.live({ requestTimeoutMs: 500 });
      try {
        live.stallNext();
        const started = Date.now();
        const failure = await live.adapter.send(live.address, 'into the void').then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(failure).toBeInstanceOf(PlatformError);
        expect((failure as PlatformError).kind).toBe('transient');
        expect(Date.now() - started).toBeGreaterThanOrEqual(400);
        expect(Date.now() - started).toBeLessThan(3_000);
        await live.adapter.send(live.address, 'the next one');
        expect(live.sentTexts()).toEqual(['the next one']);
      } finally {
        await live.close();
      }
    });
  });
}
