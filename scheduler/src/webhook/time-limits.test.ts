import { describe, expect, it } from 'vitest';
import { DEFAULT_TIME_LIMITS, timeLimitsFor } from './time-limits.js';

describe("the replica's time limits follow the webhook's timeoutSeconds", () => {
  it('leave room to evict and answer inside every timeout Kubernetes allows (1–30 s)', () => {
    for (let t = 1; t <= 30; t++) {
      const { answerWithinMs, repairWithinMs } = timeLimitsFor(t);
      expect(answerWithinMs).toBeGreaterThan(0);
      expect(answerWithinMs).toBeLessThanOrEqual(1_000);
      // What is left after the longest queue wait and the longest search: at least two fifths.
      expect(t * 1000 - answerWithinMs - repairWithinMs).toBeGreaterThanOrEqual((t * 1000 * 2) / 5);
      if (t > 1) expect(repairWithinMs).toBeGreaterThan(timeLimitsFor(t - 1).repairWithinMs);
    }
  });

  it("the defaults are the chart's 5 s: a second in the queue, two for the search", () => {
    expect(DEFAULT_TIME_LIMITS).toEqual({ answerWithinMs: 1_000, repairWithinMs: 2_000 });
    expect(timeLimitsFor(1)).toEqual({ answerWithinMs: 200, repairWithinMs: 400 });
    expect(timeLimitsFor(30)).toEqual({ answerWithinMs: 1_000, repairWithinMs: 12_000 });
  });
});
