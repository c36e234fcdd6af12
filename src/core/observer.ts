/**
 * What the bridge reports as it works, for metrics and the operator's status. Implementations must
 * not throw and must not block: they are called on the hot path.
 */
import type { Platform } from './contract.ts';
import type { AgentErrorCode } from './errors.ts';

export interface Observer {
  /** A platform message was stored for answering. */
  received(platform: Platform): void;
  /** The agent answered after `ms`, using `credits`, leaving `remaining` (NaN when unknown). */
  answered(platform: Platform, ms: number, credits: number, remaining: number): void;
  /** An agent call failed. */
  agentFailed(code: AgentErrorCode): void;
  /** `chunks` messages were posted to the platform. */
  posted(platform: Platform, chunks: number): void;
  /** A turn began (`+1`) or ended (`-1`) in this process. */
  inFlight(delta: 1 | -1): void;
}

/** Fans one report out to several observers. */
export function combineObservers(...observers: Observer[]): Observer {
  const each = (report: (o: Observer) => void) => {
    for (const observer of observers) report(observer);
  };
  return {
    received: (p) => each((o) => o.received(p)),
    answered: (p, ms, c, r) => each((o) => o.answered(p, ms, c, r)),
    agentFailed: (code) => each((o) => o.agentFailed(code)),
    posted: (p, n) => each((o) => o.posted(p, n)),
    inFlight: (d) => each((o) => o.inFlight(d)),
  };
}
