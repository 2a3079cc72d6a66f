import { describe, expect, it } from 'vitest';
import { family } from '../simulate/families.js';
import { checkPlacement } from './check.js';
import { Cluster } from './cluster.js';
import { NmaasDecision } from './decision.js';
import { Engine } from './engine.js';
import { Scratch } from './fit.js';
import type { InstanceSpec, NodeSpec } from './instance.js';
import { LookAhead } from './lookahead.js';
import { rollbackTo } from './eviction.js';
import { DEFAULT_CHAIN_LIMITS, RepairChain, type ChainLimits } from './repair-chain.js';
import { compileShape } from './shape.js';
import { instanceSpec } from './testing.js';

/**
 * Three nodes; A and B carry zone=ab, C does not. Every run is exclusive, 30 s every minute, so a node
 * holds one run in each half of the minute: A holds y at 0:00 and w at 0:30, B holds z at 0:00 and v at 0:30.
 * x must run on A at 0:00. Moving y (the only run in x's way) is not enough: y may start anywhere in
 * 0:00–0:30 but only on zone ab, where no half-minute is free, so readapt (each evicted run re-placed by
 * the ordinary decision) fails. A chain does it: y goes to A at 0:30, where w was, and w, free to go to
 * any node, goes to the empty C.
 */
const NODES: NodeSpec[] = ['a', 'b', 'c'].map((name) => ({
  name,
  labels: name === 'c' ? ({} as Record<string, string>) : { zone: 'ab' },
  capacity: { cpu: 4000, memory: 4096, bandwidth: 1000 },
}));
const half = (id: string, over: Partial<InstanceSpec> = {}): InstanceSpec =>
  instanceSpec(id, { duration: 30, startWithin: 0, exclusive: true, ...over });
const Y = half('y-0', { startWithin: 30, nodeSelector: { zone: 'ab' } });
const W = half('w-0', { release: 30 });
const Z = half('z-0');
const V = half('v-0', { release: 30, nodeSelector: { zone: 'ab' } });
const X = half('x-0', { node: 'a' });
const BOOKED: [InstanceSpec, string, number][] = [
  [Y, 'a', 0],
  [W, 'a', 30],
  [Z, 'b', 0],
  [V, 'b', 30],
];

function crowdedEngine(): Engine {
  const engine = new Engine(NODES, { horizon: 60 });
  for (const [spec, node, phase] of BOOKED) expect(engine.book(spec, { node, phase }).ok).toBe(true);
  return engine;
}

/** Everything a reader of the engine can see, as one string. */
function observable(engine: Engine): string {
  return JSON.stringify({
    snapshot: engine.snapshot(),
    bookings: engine.bookings().map((b) => [b.id, b.node, b.phase]),
    load: NODES.map((n) => engine.loadProfile(n.name)),
  });
}

/** The same cluster held directly, with the chain search alone (no readapt before it) under `limits`. */
function crowdedChain(limits: ChainLimits = DEFAULT_CHAIN_LIMITS) {
  const cluster = new Cluster(60);
  for (const n of NODES) cluster.addNode(n);
  const scratch = new Scratch(60);
  const decision = new NmaasDecision(cluster, scratch, new LookAhead(cluster, scratch), 8);
  for (const [spec, node, phase] of BOOKED) cluster.reserve(spec, compileShape(spec), cluster.byName.get(node)!, phase);
  const chain = new RepairChain(cluster, (spec, shape) => decision.decide(spec, shape), limits);
  return { cluster, chain };
}

describe('repair by ejection chains', () => {
  it('places a refused run by a chain of two moves where moving its one blocker is not enough', () => {
    const engine = crowdedEngine();
    const online = engine.place(X, { dryRun: true });
    expect(online.ok).toBe(false);

    const r = engine.place(X, { migrations: 2 });
    expect(r).toMatchObject({ ok: true, node: 'a', phase: 0 });
    if (!r.ok) return;
    expect(r.migrations).toEqual([
      { id: 'y-0', from: { node: 'a', phase: 0 }, to: { node: 'a', phase: 30 } },
      { id: 'w-0', from: { node: 'a', phase: 30 }, to: { node: 'c', phase: 30 } },
    ]);
    expect(engine.bookings().map((b) => `${b.id}@${b.node}+${b.phase}`)).toEqual(
      expect.arrayContaining(['x-0@a+0', 'y-0@a+30', 'z-0@b+0', 'v-0@b+30', 'w-0@c+30']),
    );
    expect(engine.bookings()).toHaveLength(5);
    const instances = [X, Y, W, Z, V];
    const placed = engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
    expect(checkPlacement(NODES, { horizon: 60, instances }, placed)).toMatchObject({
      competingSlotSeconds: 0,
      violations: 0,
    });
  });

  it('with one move allowed it refuses, and the cluster is byte-identical to before the search', () => {
    const engine = crowdedEngine();
    const before = observable(engine);
    const r = engine.place(X, { migrations: 1 });
    expect(r.ok).toBe(false);
    expect(observable(engine)).toBe(before);
    // A dry run that succeeds is rolled back as well.
    expect(engine.place(X, { migrations: 2, dryRun: true })).toMatchObject({ ok: true, node: 'a' });
    expect(observable(engine)).toBe(before);
  });

  it('a failed search leaves the cluster as it was, though it booked and released along the way', () => {
    const { cluster, chain } = crowdedChain();
    const state = () =>
      JSON.stringify([...cluster.booked.values()].map((b) => [b.spec.id, b.node.name, b.phase]).sort()) +
      JSON.stringify(cluster.nodes.map((n) => [n.count, [...n.idleSum], [...n.extraTotal], n.peak()]));
    const before = state();
    expect(chain.run(X, compileShape(X), 1)).toBeNull();
    expect(chain.lastWork).toBeGreaterThan(0);
    expect(state()).toBe(before);
  });

  it('the chain alone finds the same two moves, and one level is not enough', () => {
    const found = crowdedChain().chain.run(X, compileShape(X), 2);
    expect(found?.migrations.map((m) => m.id)).toEqual(['y-0', 'w-0']);
    expect(crowdedChain({ ...DEFAULT_CHAIN_LIMITS, depth: 1 }).chain.run(X, compileShape(X), 2)).toBeNull();
  });

  it('the work budget bounds the search: it stops within one step of it, and too small a budget gives up', () => {
    const k = 2;
    const needed = crowdedChain();
    expect(needed.chain.run(X, compileShape(X), k)).not.toBeNull();
    const spent = needed.chain.lastWork;
    for (const work of [1, Math.floor(spent / 2), spent - 1]) {
      const { chain } = crowdedChain({ ...DEFAULT_CHAIN_LIMITS, work });
      expect(chain.run(X, compileShape(X), k)).toBeNull();
      // One step past the budget at most, plus undoing what the failed branch had booked.
      expect(chain.lastWork).toBeLessThanOrEqual(work + 3 * k + 4);
    }
    // Deterministic: the same work, the same answer.
    const again = crowdedChain();
    expect(again.chain.run(X, compileShape(X), k)?.migrations).toEqual(
      crowdedChain().chain.run(X, compileShape(X), k)?.migrations,
    );
    expect(again.chain.lastWork).toBe(spent);
  });

  it('on tightly packed workloads every repair gains one pod, moves at most K, and reports exactly the moves made', () => {
    const k = 5;
    let chained = 0;
    for (const seed of [1, 2]) {
      const w = family('planted-90').generate({ seed, nodes: 8, instances: 80 });
      const engine = new Engine(w.nodes, { horizon: w.apps.horizon });
      for (const spec of w.apps.instances) {
        const before = new Map(engine.bookings().map((b) => [b.id, `${b.node}+${b.phase}`]));
        const r = engine.place(spec, { migrations: k });
        const after = new Map(engine.bookings().map((b) => [b.id, `${b.node}+${b.phase}`]));
        if (!r.ok) {
          expect(after).toEqual(before);
          continue;
        }
        expect(after.size).toBe(before.size + 1);
        expect(r.migrations.length).toBeLessThanOrEqual(k);
        const moved = [...before].filter(([id, at]) => after.get(id) !== at).map(([id]) => id);
        expect(r.migrations.map((m) => m.id).sort()).toEqual(moved.sort());
        for (const m of r.migrations) {
          expect(before.get(m.id)).toBe(`${m.from.node}+${m.from.phase}`);
          expect(after.get(m.id)).toBe(`${m.to.node}+${m.to.phase}`);
        }
        if (r.migrations.length > 1) chained++;
      }
      const placed = engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
      expect(checkPlacement(w.nodes, w.apps, placed)).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
    }
    expect(chained).toBeGreaterThan(0);
  });
});

describe('a stop predicate (the webhook passes its time limit)', () => {
  it('that never fires changes no decision; one that fires ends the search at once, leaving the cluster as it was', () => {
    const k = 5;
    let cuts = 0;
    let searched = 0;
    for (const seed of [1, 2]) {
      const w = family('planted-90').generate({ seed, nodes: 8, instances: 80 });
      const plain = new Engine(w.nodes, { horizon: w.apps.horizon });
      const polled = new Engine(w.nodes, { horizon: w.apps.horizon });
      const stopped = new Engine(w.nodes, { horizon: w.apps.horizon });
      for (const spec of w.apps.instances) {
        let polls = 0;
        const a = plain.place(spec, { migrations: k });
        expect(polled.place(spec, { migrations: k, stopRepair: () => (polls++, false) })).toEqual(a);
        expect(a.ok || a.repairCut === undefined).toBe(true);
        if (polls > 0) searched++;

        // Fires at its third poll: a search that has not found a chain by then gives up there.
        let calls = 0;
        const before = observable(stopped);
        const r = stopped.place(spec, { migrations: k, stopRepair: () => ++calls >= 3 });
        expect(calls).toBeLessThanOrEqual(3);
        if (r.ok) continue;
        if (r.repairCut) {
          cuts++;
          expect(calls).toBe(3);
        }
        expect(observable(stopped)).toBe(before);
      }
    }
    expect(searched).toBeGreaterThan(0);
    expect(cuts).toBeGreaterThan(0);
  });

  it('the chain search itself stops within a poll of the predicate firing, and fails cleanly', () => {
    // A planted packing filled by the ordinary decision; the chain is asked for each pod it refuses.
    const w = family('planted-90').generate({ seed: 3, nodes: 8, instances: 80 });
    const cluster = new Cluster(w.apps.horizon);
    for (const n of w.nodes) cluster.addNode(n);
    const scratch = new Scratch(w.apps.horizon);
    const decision = new NmaasDecision(cluster, scratch, new LookAhead(cluster, scratch), 8);
    const decide = (spec: InstanceSpec, shape: ReturnType<typeof compileShape>) => decision.decide(spec, shape);
    // Sorted: a rollback books anew, so the order of the bookings may change (readapt.ts restores it).
    const state = () =>
      JSON.stringify([...cluster.booked.values()].map((b) => [b.spec.id, b.node.name, b.phase]).sort());
    let checked = 0;
    for (const spec of w.apps.instances) {
      const shape = compileShape(spec);
      const choice = decide(spec, shape);
      if (choice) {
        cluster.reserve(spec, shape, choice.node, choice.phase);
        continue;
      }
      const probe = new RepairChain(cluster, decide);
      const found = probe.run(spec, shape, 5);
      if (found) rollbackTo(cluster, found.undo);
      const full = probe.lastWork;
      if (full < 8 * 32) continue;
      // Fires at the second poll: about 32 units in, far short of what the full search spent.
      let calls = 0;
      const before = state();
      const cut = new RepairChain(cluster, decide);
      expect(cut.run(spec, shape, 5, () => ++calls >= 2)).toBeNull();
      expect(cut.lastCut).toBe(true);
      expect(calls).toBe(2);
      expect(cut.lastWork).toBeLessThan(full / 2);
      expect(state()).toBe(before);
      // A predicate that never fires: the same answer and the same work as none.
      const never = new RepairChain(cluster, decide);
      const again = never.run(spec, shape, 5, () => false);
      expect(again?.migrations).toEqual(found?.migrations);
      expect(never.lastWork).toBe(full);
      expect(never.lastCut).toBe(false);
      if (again) rollbackTo(cluster, again.undo);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('a complete search that fails is not reported as cut', () => {
    const engine = crowdedEngine();
    const r = engine.place(X, { migrations: 1, stopRepair: () => false });
    expect(r).toMatchObject({ ok: false });
    expect(r.ok || r.repairCut).toBeFalsy();
    const cut = crowdedEngine().place(X, { migrations: 2, stopRepair: () => true });
    expect(cut).toMatchObject({ ok: false, repairCut: true });
  });

  it('readapt polls it too: a one-move repair found on the first node is not made once the predicate has fired', () => {
    // A whole-minute exclusive run on a; b is free. A pod pinned to a fits only if that run moves to b.
    const engine = (): Engine => {
      const e = new Engine(NODES.slice(0, 2), { horizon: 60 });
      expect(e.book(instanceSpec('long-0', { duration: 60, exclusive: true }), { node: 'a', phase: 0 }).ok).toBe(true);
      return e;
    };
    const pinned = instanceSpec('pinned-0', { node: 'a' });
    expect(engine().place(pinned, { migrations: 1, stopRepair: () => false })).toMatchObject({
      ok: true,
      migrations: [{ id: 'long-0', to: { node: 'b' } }],
    });
    let calls = 0;
    const r = engine().place(pinned, { migrations: 1, stopRepair: () => (calls++, true) });
    expect(r).toMatchObject({ ok: false, code: 'capacity', repairCut: true });
    expect(calls).toBe(1);
  });
});
