import { describe, expect, it } from 'vitest';
import { checkPlacement } from './check.js';
import { Engine } from './engine.js';
import { instanceSpec } from './testing.js';
import type { NodeSpec } from './instance.js';
import { capacityUnits, MAX_UNITS } from './units.js';

/** Terabit figures in Mbps, the unit nodes and pods declare bandwidth in. */
const TBPS = 1_000_000;

describe('capacity arithmetic beyond 32 bits', () => {
  const bigNode: NodeSpec = {
    name: 'core-1',
    labels: {},
    capacity: { cpu: 64_000, memory: 262_144, bandwidth: 5 * TBPS },
  };
  const app = { horizon: 3600 };

  it('never books two 1.5 Tbps runs at once on a node counted at most 2.1 Tbps, though it has 5', () => {
    expect(capacityUnits(bigNode.capacity)[2]).toBe(MAX_UNITS);
    const engine = new Engine([bigNode], app);
    const run = { cpu: 100, memory: 10, bandwidth: 1.5 * TBPS };
    const a = instanceSpec('bulk-0', { every: 60, duration: 60, startWithin: 59, run });
    const b = instanceSpec('bulk-1', { every: 60, duration: 60, startWithin: 59, run });
    expect(engine.place(a).ok).toBe(true);
    const second = engine.place(b);
    expect(second.ok).toBe(false);
    const placed = engine.bookings().map(({ id, node, phase }) => ({ id, node, phase }));
    const report = checkPlacement([bigNode], { horizon: 3600, instances: [a, b] }, placed);
    expect(report.competingSlotSeconds).toBe(0);
  });

  it('refuses a demand it cannot count, naming the field and the limit, instead of wrapping negative', () => {
    const engine = new Engine([bigNode], app);
    const huge = instanceSpec('bulk-0', { run: { cpu: 100, memory: 10, bandwidth: 3 * TBPS } });
    const r = engine.place(huge);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.reason).toMatch(/run\.bandwidth 3000 Gbps is more than one node can hold \(at most 2147483 Mbps\)/);
    const nan = instanceSpec('bulk-1', { idle: { cpu: Number.NaN, memory: 0 } });
    expect(engine.place(nan).ok).toBe(false);
    expect(engine.bookings()).toEqual([]);
  });
});
