import { describe, expect, it } from 'vitest';
import { overlapRunSeconds } from './overlap.js';
import { instanceSpec } from '../engine/testing.js';

describe('overlapRunSeconds', () => {
  const a = instanceSpec('a', { every: 60, duration: 10 });
  const b = instanceSpec('b', { every: 60, duration: 10 });
  const apps = { horizon: 120, instances: [a, b] };

  it('counts the seconds both runs share on one node, each run once', () => {
    // a runs 0–9 and 60–69, b 5–14 and 65–74: 5 shared seconds per cycle, two runs in each.
    const placed = [
      { id: 'a', node: 'n', phase: 0 },
      { id: 'b', node: 'n', phase: 5 },
    ];
    expect(overlapRunSeconds(apps, placed)).toBe(2 * 2 * 5);
  });

  it('counts nothing for runs side by side or on different nodes', () => {
    expect(
      overlapRunSeconds(apps, [
        { id: 'a', node: 'n', phase: 0 },
        { id: 'b', node: 'n', phase: 10 },
      ]),
    ).toBe(0);
    expect(
      overlapRunSeconds(apps, [
        { id: 'a', node: 'n', phase: 0 },
        { id: 'b', node: 'm', phase: 0 },
      ]),
    ).toBe(0);
  });

  it('wraps a run that crosses the end of the horizon', () => {
    const c = instanceSpec('c', { every: 120, duration: 20 });
    const placed = [
      { id: 'a', node: 'n', phase: 0 },
      { id: 'c', node: 'n', phase: 110 },
    ];
    // c runs 110–119 and 0–9: it shares 0–9 with a.
    expect(overlapRunSeconds({ horizon: 120, instances: [a, c] }, placed)).toBe(2 * 10);
  });
});
