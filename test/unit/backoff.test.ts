import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/core/backoff.ts';

describe('backoffDelay', () => {
  it('doubles from the base: 1 s, 2 s, 4 s, 8 s without jitter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 1000, 60_000, mid))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('jitters within ±25 % and never exceeds the bound', () => {
    expect(backoffDelay(3, 1000, 60_000, () => 0)).toBe(3000);
    expect(backoffDelay(3, 1000, 60_000, () => 0.999_999)).toBe(5000);
    expect(backoffDelay(40, 1000, 60_000, () => 0.999_999)).toBe(60_000);
  });
});
