import { describe, expect, it } from 'vitest';
import { checkPlacement } from './check.js';
import { Engine } from './engine.js';
import type { InstanceSpec, NodeSpec } from './instance.js';
import { instanceSpec } from './testing.js';
import { generateWorkload } from '../simulate/workload.js';

/** Two nodes behind one 1 Gbps uplink, each with 1 Gbps of its own. */
const site = (): NodeSpec[] =>
  ['edge-a', 'edge-b'].map((name) => ({
    name,
    labels: {},
    capacity: { cpu: 4000, memory: 4096, bandwidth: 1000 },
    links: [{ name: 'site-a', capacity: 1000 }],
  }));

/** A bandwidth test of 20 s every minute, free to start anywhere in the minute unless `over` says otherwise. */
const test = (id: string, mbps: number, over: Partial<InstanceSpec> = {}): InstanceSpec =>
  instanceSpec(id, {
    every: 60,
    duration: 20,
    startWithin: 59,
    run: { cpu: 100, memory: 10, bandwidth: mbps },
    ...over,
  });

const placedOf = (engine: Engine) => engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));

function check(engine: Engine, instances: InstanceSpec[]) {
  return checkPlacement(site(), { horizon: 60, instances }, placedOf(engine));
}

describe('readapt through a shared link', () => {
  it('places a link-blocked run by moving a run on the other node behind the link', () => {
    const engine = new Engine(site(), { horizon: 60 });
    const a = test('far-0', 600, { node: 'edge-a' });
    const b = test('near-0', 600, { node: 'edge-b' });
    // Must start at 0 on edge-b, where the node itself is free but far-0 fills the link from edge-a.
    const late = test('late-0', 600, { node: 'edge-b', startWithin: 0 });
    expect(engine.place(a)).toMatchObject({ ok: true, node: 'edge-a', phase: 0 });
    expect(engine.place(b)).toMatchObject({ ok: true, node: 'edge-b', phase: 20 });

    const refused = engine.place(late, { dryRun: true });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.refusal.code === 'capacity' && refused.refusal.rule).toBe('link');

    const r = engine.place(late, { migrations: 1 });
    expect(r).toMatchObject({ ok: true, node: 'edge-b', phase: 0 });
    if (!r.ok) return;
    expect(r.migrations).toEqual([
      { id: 'far-0', from: { node: 'edge-a', phase: 0 }, to: { node: 'edge-a', phase: 40 } },
    ]);
    expect(engine.bookings()).toHaveLength(3);
    expect(check(engine, [a, b, late])).toMatchObject({ competingSlotSeconds: 0, linkSlotSeconds: 0, violations: 0 });
  });

  it('moves no more than K runs: two runs fill the link, K = 1 is refused and leaves everything as it was', () => {
    const engine = new Engine(site(), { horizon: 60 });
    const x = test('x-0', 400);
    const y = test('y-0', 400);
    expect(engine.book(x, { node: 'edge-a', phase: 0 }).ok).toBe(true);
    expect(engine.book(y, { node: 'edge-a', phase: 0 }).ok).toBe(true);
    const late = test('late-0', 700, { node: 'edge-b', startWithin: 0 });
    const before = placedOf(engine);
    expect(engine.place(late, { migrations: 1 }).ok).toBe(false);
    expect(placedOf(engine)).toEqual(before);

    const r = engine.place(late, { migrations: 2 });
    expect(r).toMatchObject({ ok: true, node: 'edge-b', phase: 0 });
    if (r.ok) expect(r.migrations.map((m) => m.id).sort()).toEqual(['x-0', 'y-0']);
    expect(check(engine, [x, y, late])).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
  });

  it('rolls back when a run it would move has nowhere else to go (no net gain, no change)', () => {
    const engine = new Engine(site(), { horizon: 60 });
    // Neither may move in time, and edge-b's other slot is taken: evicting one loses it.
    const fixed = test('fixed-0', 600, { node: 'edge-a', startWithin: 0 });
    const wide = test('wide-0', 600, { node: 'edge-a', duration: 40, startWithin: 0, release: 20 });
    expect(engine.place(fixed).ok).toBe(true);
    expect(engine.place(wide).ok).toBe(true);
    const before = placedOf(engine);
    const r = engine.place(test('late-0', 600, { node: 'edge-b', startWithin: 0 }), { migrations: 3 });
    expect(r.ok).toBe(false);
    expect(placedOf(engine)).toEqual(before);
  });

  it('on generated sites whose uplinks bind, readapt never places fewer and every plan passes the checker', () => {
    let gained = 0;
    for (const seed of [1, 2, 3]) {
      const { nodes, apps } = generateWorkload({
        seed,
        nodes: 6,
        instances: 90,
        capacityFactor: 0.6,
        siteSize: 3,
        uplinkMbps: 150,
      });
      const plain = new Engine(nodes, { horizon: apps.horizon });
      const repaired = new Engine(nodes, { horizon: apps.horizon });
      for (const s of apps.instances) {
        plain.place(s);
        repaired.place(s, { migrations: 3 });
      }
      const report = checkPlacement(nodes, apps, placedOf(repaired));
      expect(report.problems, `seed ${seed}`).toEqual([]);
      expect(report.linkSlotSeconds).toBe(0);
      expect(repaired.bookings().length).toBeGreaterThanOrEqual(plain.bookings().length);
      gained += repaired.bookings().length - plain.bookings().length;
    }
    expect(gained).toBeGreaterThan(0);
  });
});
