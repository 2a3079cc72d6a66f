import { describe, expect, it } from 'vitest';
import { checkPlacement } from './check.js';
import { Engine } from './engine.js';
import type { InstanceSpec } from './instance.js';
import { instanceSpec } from './testing.js';
import { HerdProfile } from './herd.js';
import { isAllowedPhase } from './rules/start-window.js';

const nodes = Array.from({ length: 6 }, (_, k) => ({
  name: `n-${k}`,
  labels: {},
  capacity: { cpu: 2000, memory: 4096, bandwidth: 1000 },
}));

/** web-qos as a burst: every 5 min for 30 s, at most 120 s after arriving at second 17 of the period. */
const probe = (k: number, over: Partial<InstanceSpec> = {}): InstanceSpec =>
  instanceSpec(`web-qos-${k}`, { every: 300, duration: 30, startWithin: 120, release: 17, ...over });
const spread = (k: number, over: Partial<InstanceSpec> = {}) => probe(k, { spreadGroup: 'web-qos', ...over });

function placeAll(engine: Engine, specs: InstanceSpec[]): number[] {
  return specs.map((s) => {
    const r = engine.place(s);
    if (!r.ok) throw new Error(r.reason);
    return r.phase;
  });
}

describe("a spread app's pods, arriving together", () => {
  it('start at different instants of their shared window, not all at its first second', () => {
    const twenty = Array.from({ length: 20 }, (_, k) => ({ ...nodes[0]!, name: `n-${k}` }));
    const engine = new Engine(twenty, { horizon: 3600 });
    const specs = twenty.map((_, k) => spread(k));
    // Five 30-s runs fit side by side in the window 17–137 s: twenty pods start at five instants, four at each.
    const phases = placeAll(engine, specs);
    expect(phases.slice(0, 6)).toEqual([17, 47, 77, 107, 137, 17]);
    expect([17, 47, 77, 107, 137].map((p) => phases.filter((x) => x === p).length)).toEqual([4, 4, 4, 4, 4]);
    expect(new Set(engine.bookings().map((b) => b.node)).size).toBe(20);
    for (const b of engine.bookings()) expect(isAllowedPhase(b.phase, 300, 120, 17)).toBe(true);
    const check = checkPlacement(twenty, { horizon: 3600, instances: specs }, engine.bookings());
    expect(check).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
  });

  it('take the room a removed pod left', () => {
    const engine = new Engine(nodes, { horizon: 3600 });
    placeAll(
      engine,
      [0, 1, 2].map((k) => spread(k)),
    );
    engine.remove('web-qos-1');
    expect(placeAll(engine, [spread(3)])).toEqual([47]);
  });

  it('on a node that runs something, take the least herded of the phases where nothing runs there', () => {
    const engine = new Engine([nodes[0]!, nodes[1]!], { horizon: 3600 });
    placeAll(engine, [spread(0)]);
    // n-1 runs another app from 50 s to 90 s: of the window's phases 17–137, the quiet ones are 17–20
    // and 90–137. 17 meets web-qos-0's run on n-0; 90 does not.
    placeAll(engine, [instanceSpec('other-0', { every: 300, duration: 40, startWithin: 0, release: 50, node: 'n-1' })]);
    expect(engine.place(spread(1, { node: 'n-1' }))).toMatchObject({ ok: true, node: 'n-1', phase: 90 });
  });

  it('never split a quiet stretch to do so: only phases flush against a busy second are weighed', () => {
    const engine = new Engine([nodes[0]!, nodes[1]!, nodes[2]!], { horizon: 3600 });
    placeAll(engine, [spread(0), spread(2, { node: 'n-2', release: 90, startWithin: 0 })]);
    // On n-1 another app runs from 50 s to 90 s. Quiet phases: 17–20 and 90–137; of them 17 (the
    // packing rule's), 20 (ending where the other run starts) and 90 (starting where it ends) keep the
    // quiet stretches whole. web-qos runs at 17 on n-0 and at 90 on n-2: 20 overlaps least (27 s).
    // 120 would overlap nothing, but it would cut the stretch 90–137 in two.
    placeAll(engine, [instanceSpec('other-0', { every: 300, duration: 40, startWithin: 0, release: 50, node: 'n-1' })]);
    expect(engine.place(spread(1, { node: 'n-1' }))).toMatchObject({ ok: true, node: 'n-1', phase: 20 });
  });

  it('keep the packing choice where no quiet phase is left on the node', () => {
    const engine = new Engine([nodes[0]!, nodes[1]!], { horizon: 3600 });
    placeAll(engine, [spread(0)]);
    // n-1 runs something else through the whole window: every phase there overlaps a run, so the
    // earliest (the packing rule's) stays, although it meets web-qos-0 on n-0.
    const busy = instanceSpec('busy-0', { every: 300, duration: 280, startWithin: 0, release: 0, node: 'n-1' });
    placeAll(engine, [busy]);
    expect(engine.place(spread(1, { node: 'n-1' }))).toMatchObject({ ok: true, node: 'n-1', phase: 17 });
  });

  it('leave pods without a spread group as the packing rule puts them', () => {
    const engine = new Engine(nodes, { horizon: 3600 });
    // Pinned one per node but not a spread app: each is the first pod on its node, at the window's start.
    expect(
      placeAll(
        engine,
        nodes.map((n, k) => probe(k, { node: n.name })),
      ),
    ).toEqual(Array(6).fill(17));
  });
});

describe('HerdProfile', () => {
  const booking = (spec: InstanceSpec, phase: number) => ({ spec, phase });

  it('counts a run that wraps past the end of the period at both ends', () => {
    const h = new HerdProfile();
    h.apply(booking(spread(0), 290), 1);
    expect(h.overlaps('web-qos', 300, 30, 0)).toBe(true);
    expect(h.overlaps('web-qos', 300, 30, 20)).toBe(false);
    expect(h.leastHerded('web-qos', 300, 30, [280, 0, 19, 20])).toBe(20);
    h.apply(booking(spread(0), 290), -1);
    expect(h.overlaps('web-qos', 300, 30, 0)).toBe(false);
  });

  it('ignores pods without a spread group, and other periods of the same app', () => {
    const h = new HerdProfile();
    h.apply(booking(probe(0), 0), 1);
    h.apply(booking(spread(1, { every: 600 }), 0), 1);
    expect(h.overlaps('web-qos', 300, 30, 0)).toBe(false);
    expect(h.overlaps('web-qos', 600, 30, 0)).toBe(true);
  });
});
