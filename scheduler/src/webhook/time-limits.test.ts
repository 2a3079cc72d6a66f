import { describe, expect, it } from 'vitest';
import { DEFAULT_TIME_LIMITS, timeLimitsFor } from './time-limits.js';

describe("the replica's time limits follow the webhook's timeoutSeconds", () => {
  it('leave room to evict and answer inside every timeout Kubernetes allows (1–30 s)', () => {
    for (let t = 1; t <= 30; t++) {
      const { answerWithinMs, repairWithinMs, forwardWithinMs, leaderWaitMs } = timeLimitsFor(t);
      expect(answerWithinMs).toBeGreaterThan(0);
      expect(answerWithinMs).toBeLessThanOrEqual(1_000);
      // What is left after the longest queue wait and the longest search: at least two fifths; and a
      // tenth even when a new leader's wait comes first.
      expect(t * 1000 - answerWithinMs - repairWithinMs).toBeGreaterThanOrEqual((t * 1000 * 2) / 5);
      expect(t * 1000 - leaderWaitMs - answerWithinMs - repairWithinMs).toBeGreaterThanOrEqual(t * 100 - 1e-9);
      if (t > 1) expect(repairWithinMs).toBeGreaterThan(timeLimitsFor(t - 1).repairWithinMs);
      // A relayed review waits for the leader's wait, search and evictions, and still answers in time.
      expect(forwardWithinMs).toBeGreaterThan(answerWithinMs + repairWithinMs);
      expect(forwardWithinMs).toBeLessThan(t * 1000);
    }
  });

  it("the defaults are the chart's 5 s: a second in the queue, two for the search, 4.5 for a relay", () => {
    expect(DEFAULT_TIME_LIMITS).toEqual({
      answerWithinMs: 1_000,
      repairWithinMs: 2_000,
      forwardWithinMs: 4_500,
      leaderWaitMs: 1_500,
    });
    expect(timeLimitsFor(1)).toEqual({
      answerWithinMs: 200,
      repairWithinMs: 400,
      forwardWithinMs: 900,
      leaderWaitMs: 300,
    });
    expect(timeLimitsFor(30)).toEqual({
      answerWithinMs: 1_000,
      repairWithinMs: 12_000,
      forwardWithinMs: 27_000,
      leaderWaitMs: 3_000,
    });
  });
});
