/**
 * What the bridge reports as it works, for metrics and the operator's status. Implementations must
 * not throw and must not block: they are called on the hot path.
 */
import type { Platform } from './contract.ts';
import type { HoldReason } from './controls/gate.ts';
import type { AgentErrorCode, PlatformErrorKind } from './errors.ts';

/** Why a question or an answer was dropped without being posted. */
export type DropReason =
  /** The chat refused the bot for good. */
  | 'chat_refused'
  /** The platform refused this message. */
  | 'rejected'
  /** The platform refused its length, also after it was cut smaller. */
  | 'too_long'
  /** Temporary failures lasted longer than `SEND_RETRY_FOR_SECONDS`. */
  | 'send_gave_up'
  /** The question waited longer than `STALE_AFTER_SECONDS` (with `STALE_POLICY=drop`). */
  | 'stale';

export interface Observer {
  /** A platform message was stored for answering. */
  received(platform: Platform): void;
  /** The agent answered after `ms`, using `credits`, leaving `remaining` (NaN when unknown). */
  answered(platform: Platform, ms: number, credits: number, remaining: number): void;
  /** An agent call of a `platform` message failed; `mayBeBilled`: it timed out after the question was sent (cost unknown). */
  agentFailed(code: AgentErrorCode, platform: Platform, mayBeBilled: boolean): void;
  /** The agent billed a reply the bridge could not use. */
  billed(platform: Platform, credits: number, remaining: number): void;
  /** A send to the platform failed. */
  sendFailed(platform: Platform, kind: PlatformErrorKind): void;
  /** A question (before any agent call) or an answer (after) was dropped, unposted. */
  dropped(platform: Platform, what: 'question' | 'answer', reason: DropReason): void;
  /** `chunks` messages were posted to the platform. */
  posted(platform: Platform, chunks: number): void;
  /** A turn began (`+1`) or ended (`-1`) in this process. */
  inFlight(delta: 1 | -1): void;
  /** A conversation control kept a message from the agent (access, a pause, a flood). */
  heldBack?(platform: Platform, reason: HoldReason): void;
}

/** Fans one report out to several observers. */
export function combineObservers(...observers: Observer[]): Observer {
  const each = (report: (o: Observer) => void) => {
    for (const observer of observers) report(observer);
  };
  return {
    received: (p) => each((o) => o.received(p)),
    answered: (p, ms, c, r) => each((o) => o.answered(p, ms, c, r)),
    agentFailed: (code, p, b) => each((o) => o.agentFailed(code, p, b)),
    billed: (p, c, r) => each((o) => o.billed(p, c, r)),
    sendFailed: (p, k) => each((o) => o.sendFailed(p, k)),
    dropped: (p, w, r) => each((o) => o.dropped(p, w, r)),
    posted: (p, n) => each((o) => o.posted(p, n)),
    inFlight: (d) => each((o) => o.inFlight(d)),
    heldBack: (p, r) => each((o) => o.heldBack?.(p, r)),
  };
}
