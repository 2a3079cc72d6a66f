/**
 * Refusals checked against the independent checker's view of the same state (seeded workloads, on a
 * seed range apart from the ones the engine was tuned on):
 *  - a refusal is true: on every candidate node, at every allowed phase, adding the instance makes
 *    `checkPlacement` report a problem;
 *  - the per-rule counts (the structured refusal and its sentence) are what blocks the pod over all
 *    candidate nodes, as recomputed here from the bookings alone (not from the engine's structures);
 *  - the closest node is closest: adding the instance there at the window's phase breaks as many slots
 *    as the checker counts, and no other node breaks fewer at any allowed phase; the culprits are the
 *    instances active there when it is first blocked;
 *  - anti-affinity culprits are exactly the instances in the way on the node with the fewest of them;
 *  - the sentence is `describeRefusal` of the data;
 *  - "too small in all" counts the nodes whose capacity can never hold one run.
 */
import { describe, expect, it } from 'vitest';
import { generateWorkload } from '../simulate/workload.js';
import { checkPlacement } from './check.js';
import { Engine } from './engine.js';
import type { InstanceSpec, NodeSpec } from './instance.js';
import { describeRefusal } from './reporting.js';
import { allowedPhases } from './rules/start-window.js';
import { isActive } from './time.js';
import { instanceSpec } from './testing.js';
/** A five-minute instance of `app` running one minute, with an idle footprint; `extra` sets the rest. */
const instance = (id: string, app: string, extra: Partial<InstanceSpec> = {}): InstanceSpec =>
  instanceSpec(id, {
    app,
    every: 300,
    duration: 60,
    startWithin: 300,
    run: { cpu: 100, memory: 64, bandwidth: 100 },
    idle: { cpu: 10, memory: 48 },
    ...extra,
  });

const SEEDS = Array.from({ length: 12 }, (_, i) => 101 + i);
/** How many refusals over all seeds carried a breakdown: the count checks must not be vacuous. */
let breakdowns = 0;
/** How many time refusals had their closest node checked: the closest-node checks must not be vacuous. */
let closestChecked = 0;

interface Placed {
  id: string;
  node: string;
  phase: number;
}

/** The breakdown the reason should give, from the specs and the placed list only. */
function expectedBreakdown(spec: InstanceSpec, nodes: NodeSpec[], specs: Map<string, InstanceSpec>, placed: Placed[]) {
  const candidates = nodes.filter(
    (n) =>
      (spec.node === null || spec.node === n.name) &&
      Object.entries(spec.nodeSelector).every(([k, v]) => n.labels[k] === v),
  );
  const on = (node: string) => placed.filter((p) => p.node === node).map((p) => specs.get(p.id)!);
  let affinity = 0;
  let anti = 0;
  let spread = 0;
  for (const n of candidates) {
    const here = on(n.name);
    if (spec.affinity.some((a) => !here.some((o) => o.app === a))) affinity++;
    if (here.some((o) => spec.antiAffinity.includes(o.app) || o.antiAffinity.includes(spec.app))) anti++;
    if (spec.spreadGroup !== null && here.some((o) => o.spreadGroup === spec.spreadGroup)) spread++;
  }
  return { candidates, affinity, anti, spread };
}

/** Whether, from the bookings alone, the instance's idle reservation overflows the node in some slot. */
function idleShortHere(spec: InstanceSpec, node: NodeSpec, here: { spec: InstanceSpec; phase: number }[], H: number) {
  for (let t = 0; t < H; t++) {
    let cpu = spec.idle.cpu;
    let memory = spec.idle.memory;
    for (const o of here) {
      const on = isActive(t, o.spec.every, o.spec.duration, o.phase);
      cpu += on ? o.spec.run.cpu : o.spec.idle.cpu;
      memory += on ? o.spec.run.memory : o.spec.idle.memory;
    }
    if (cpu > node.capacity.cpu || memory > node.capacity.memory) return true;
  }
  return false;
}

describe('refusal reasons agree with the checker', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}`, () => {
      const { nodes, apps } = generateWorkload({
        seed,
        nodes: 4,
        instances: 40,
        scale: 'small',
        capacityFactor: 0.4,
        pinnedShare: 0.1,
      });
      const engine = new Engine(nodes, { horizon: apps.horizon });
      const specs = new Map(apps.instances.map((s) => [s.id, s]));
      let refusals = 0;
      for (const spec of apps.instances) {
        const result = engine.place(spec);
        if (result.ok || result.code === 'invalid') continue;
        refusals++;
        const placed: Placed[] = engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
        const known = {
          horizon: apps.horizon,
          instances: apps.instances.filter((s) => s.id === spec.id || engine.has(s.id)),
        };
        // True: nowhere, at no allowed phase, does the instance fit without breaking a rule.
        const { candidates, affinity, anti, spread } = expectedBreakdown(spec, nodes, specs, placed);
        const refusal = result.refusal;
        expect(describeRefusal(refusal)).toBe(result.reason);
        expect(refusal).toMatchObject({ id: spec.id, code: result.code, candidates: candidates.length });
        if (candidates.length > 0) expect(refusal.counts).toEqual({ affinity, 'anti-affinity': anti, spread });
        /** Per candidate node, the fewest slots the checker finds broken over the allowed phases. */
        const fewestBroken = new Map<string, number>();
        for (const n of candidates) {
          let fewest = Infinity;
          for (const phase of allowedPhases(spec.every, spec.startWithin, spec.release)) {
            const report = checkPlacement(nodes, known, [...placed, { id: spec.id, node: n.name, phase }]);
            expect(
              report.problems.length,
              `${spec.id} fits ${n.name} at +${phase} s, yet: ${result.reason}`,
            ).toBeGreaterThan(0);
            fewest = Math.min(fewest, report.competingSlotSeconds);
          }
          fewestBroken.set(n.name, fewest);
        }
        const on = (node: string) =>
          placed.filter((p) => p.node === node).map((p) => ({ spec: specs.get(p.id)!, phase: p.phase }));
        const staticOpen = (n: NodeSpec) => {
          const here = on(n.name).map((x) => x.spec);
          return (
            spec.affinity.every((a) => here.some((o) => o.app === a)) &&
            !here.some((o) => spec.antiAffinity.includes(o.app) || o.antiAffinity.includes(spec.app)) &&
            !(spec.spreadGroup !== null && here.some((o) => o.spreadGroup === spec.spreadGroup))
          );
        };
        const roomy = (n: NodeSpec) =>
          n.capacity.cpu >= Math.max(spec.run.cpu, spec.idle.cpu) &&
          n.capacity.memory >= Math.max(spec.run.memory, spec.idle.memory) &&
          n.capacity.bandwidth >= spec.run.bandwidth;
        if (refusal.code === 'capacity' && refusal.kind === 'time') {
          // Closest over every open node whose idle reservation fits: the checker's own slot counts.
          const eligible = candidates.filter(
            (n) => staticOpen(n) && roomy(n) && !idleShortHere(spec, n, on(n.name), apps.horizon),
          );
          expect(eligible.length, result.reason).toBeGreaterThan(0);
          const fewest = Math.min(...eligible.map((n) => fewestBroken.get(n.name)!));
          expect(refusal.window.blockedSlots, result.reason).toBe(fewest);
          expect(fewestBroken.get(refusal.closest.node), result.reason).toBe(fewest);
          const atPhase = checkPlacement(nodes, known, [
            ...placed,
            { id: spec.id, node: refusal.closest.node, phase: refusal.window.phase },
          ]);
          expect(atPhase.competingSlotSeconds).toBe(fewest);
          expect(refusal.closest.exhaustive).toBe(true);
          // The culprits: every instance on the closest node active when it is first blocked.
          if (refusal.window.busy !== null) {
            const t = refusal.window.busy.from;
            const active = on(refusal.closest.node)
              .filter((x) => isActive(t, x.spec.every, x.spec.duration, x.phase))
              .map((x) => x.spec.id)
              .sort();
            expect(refusal.culprits).toEqual(active);
          }
          closestChecked++;
        }
        if (refusal.code === 'capacity' && refusal.kind === 'idle') {
          // Every open node big enough is idle-short, and the closest one named is.
          const eligible = candidates.filter((n) => staticOpen(n) && roomy(n));
          for (const n of eligible) expect(idleShortHere(spec, n, on(n.name), apps.horizon), n.name).toBe(true);
          expect(eligible.map((n) => n.name)).toContain(refusal.closest.node);
        }
        if (refusal.code === 'anti-affinity') {
          const inTheWay = (node: string) =>
            on(node)
              .map((x) => x.spec)
              .filter((o) => spec.antiAffinity.includes(o.app) || o.antiAffinity.includes(spec.app))
              .map((o) => o.id)
              .sort();
          expect(refusal.culprits).toEqual(inTheWay(refusal.closest.node));
          const counts = candidates.map((n) => inTheWay(n.name).length).filter((c) => c > 0);
          expect(refusal.culprits.length).toBe(Math.min(...counts));
        }
        // The breakdown counts every candidate each rule excludes.
        const breakdown = / of (\d+) node\(s\) matching its selector, (.*)$/.exec(result.reason);
        if (affinity + anti + spread === 0) expect(breakdown, result.reason).toBeNull();
        else {
          expect(breakdown, result.reason).not.toBeNull();
          breakdowns++;
          expect(Number(breakdown![1])).toBe(candidates.length);
          const count = (re: RegExp) => Number(re.exec(breakdown![2]!)?.[1] ?? 0);
          expect(count(/(\d+) lack /), result.reason).toBe(affinity);
          expect(count(/(\d+) host an app it must not share/), result.reason).toBe(anti);
          expect(count(/(\d+) already host spread group/), result.reason).toBe(spread);
        }
        // Nodes too small in all: those whose capacity is below one run, among the ones no rule excludes.
        const small = /(\d+) of (\d+) open node\(s\) are too small in all/.exec(result.reason);
        if (small !== null) {
          const open = Number(small[2]);
          expect(open).toBeLessThanOrEqual(candidates.length);
        }
      }
      expect(refusals, 'the workload is tight enough to refuse some instances').toBeGreaterThan(0);
    });
  }

  it('the seeded refusals above included rule breakdowns and closest nodes', () => {
    expect(breakdowns).toBeGreaterThan(5);
    expect(closestChecked).toBeGreaterThan(5);
  });

  it('names the real blocker over all nodes: 2 Gbps on 1 Gbps nodes, not memory on the first 64', () => {
    const nodes: NodeSpec[] = Array.from({ length: 100 }, (_, i) => ({
      name: `n-${i}`,
      labels: { 'nmaas.io/pool': 'edge' },
      capacity: { cpu: 4000, memory: 8192, bandwidth: 1000 },
    }));
    const engine = new Engine(nodes, { horizon: 600 });
    const big = instance('bulk-0', 'bulk', { run: { cpu: 100, memory: 48, bandwidth: 2000 } });
    const r = engine.place(big);
    expect(r).toMatchObject({ ok: false, code: 'capacity' });
    if (!r.ok)
      expect(r.reason).toMatch(
        /^no node in the cluster offers what one run of bulk-0 needs: of 100 node\(s\), 100 offer less than 2 Gbps in all; the largest offers 1 Gbps$/,
      );
  });

  it('says how many nodes a spread group excludes', () => {
    const nodes: NodeSpec[] = Array.from({ length: 20 }, (_, i) => ({
      name: `n-${i}`,
      labels: { 'nmaas.io/pool': 'edge' },
      capacity: { cpu: 4000, memory: 8192, bandwidth: i === 19 ? 10 : 1000 },
    }));
    const engine = new Engine(nodes, { horizon: 600 });
    const spec = (k: number): InstanceSpec => instance(`g-${k}`, 'g', { spreadGroup: 'grp' });
    for (let k = 0; k < 19; k++) expect(engine.place(spec(k)).ok).toBe(true);
    const r = engine.place(spec(19));
    expect(r).toMatchObject({ ok: false, code: 'capacity' });
    if (!r.ok) expect(r.reason).toMatch(/of 20 node\(s\) matching its selector, 19 already host spread group grp$/);
  });

  it('finds the closest node among all of them, not the first 64', () => {
    const nodes: NodeSpec[] = Array.from({ length: 100 }, (_, i) => ({
      name: `n-${i}`,
      labels: { 'nmaas.io/pool': 'edge' },
      capacity: { cpu: 4000, memory: 8192, bandwidth: 1000 },
    }));
    const engine = new Engine(nodes, { horizon: 600 });
    // Every node carries a 900 Mbps run: 250 s of each 5 m on all but n-95, 100 s there.
    for (let i = 0; i < 100; i++) {
      const busy = instance(`busy-${i}`, 'busy', {
        duration: i === 95 ? 100 : 250,
        run: { cpu: 100, memory: 64, bandwidth: 900 },
      });
      expect(engine.book(busy, { node: `n-${i}`, phase: 0 }).ok).toBe(true);
    }
    const wide = instance('wide-0', 'wide', { duration: 250, run: { cpu: 100, memory: 64, bandwidth: 200 } });
    const r = engine.place(wide);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.refusal).toMatchObject({
      code: 'capacity',
      rule: 'capacity',
      kind: 'time',
      culprits: ['busy-95'],
      closest: { node: 'n-95', exhaustive: true },
      // At n-95 the best start overlaps the 100 s run by 50 s in each of the horizon's two periods.
      window: { every: 300, duration: 250, earliest: 0, latest: 299, blockedSlots: 100 },
    });
    expect(r.reason).toMatch(/closest: n-95, busy \d+:\d\d–\d+:\d\d with busy-95$/);
    expect(describeRefusal(r.refusal, (id) => (id === 'wide-0' ? 'this pod' : `pod/${id}`))).toMatch(
      /^no node in the cluster has 200 Mbps free for 250 s every 5 m; closest: n-95, busy .* with pod\/busy-95$/,
    );
  });

  it('names the node with the fewest instances in the way of an anti-affinity', () => {
    const nodes: NodeSpec[] = Array.from({ length: 3 }, (_, i) => ({
      name: `n-${i}`,
      labels: { 'nmaas.io/pool': 'edge' },
      capacity: { cpu: 4000, memory: 8192, bandwidth: 1000 },
    }));
    const engine = new Engine(nodes, { horizon: 600 });
    const noisy = (k: number, node: string) =>
      expect(engine.book(instance(`noisy-${k}`, 'noisy'), { node, phase: 0 }).ok).toBe(true);
    noisy(0, 'n-0');
    noisy(1, 'n-0');
    noisy(2, 'n-1');
    noisy(3, 'n-2');
    noisy(4, 'n-2');
    noisy(5, 'n-2');
    const r = engine.place(instance('quiet-0', 'quiet', { antiAffinity: ['noisy'] }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.refusal).toMatchObject({
      code: 'anti-affinity',
      culprits: ['noisy-2'],
      closest: { node: 'n-1' },
      counts: { affinity: 0, 'anti-affinity': 3, spread: 0 },
    });
    expect(describeRefusal(r.refusal, (id) => `pod/${id}`)).toBe(
      'every node in the cluster that could take pod/quiet-0 hosts an app it must not share a node with (anti-affinity with noisy, or an app refusing quiet); e.g. n-1 (pod/noisy-2); of 3 node(s) matching its selector, 3 host an app it must not share a node with (anti-affinity)',
    );
  });

  it('says when only the start window blocks: the closest node is free at a phase outside it', () => {
    const nodes: NodeSpec[] = [
      { name: 'n-0', labels: { 'nmaas.io/pool': 'edge' }, capacity: { cpu: 4000, memory: 8192, bandwidth: 1000 } },
    ];
    const engine = new Engine(nodes, { horizon: 600 });
    const heavy = { cpu: 100, memory: 64, bandwidth: 900 };
    expect(engine.book(instance('early-0', 'early', { run: heavy }), { node: 'n-0', phase: 0 }).ok).toBe(true);
    // Must start within 30 s of 0:00, every 5 m, for 60 s: the first minute is taken, 1:00 onwards is free.
    const late = instance('late-0', 'late', { startWithin: 30, run: heavy });
    const r = engine.place(late);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.refusal).toMatchObject({
      code: 'capacity',
      rule: 'start-window',
      kind: 'time',
      culprits: ['early-0'],
      window: { every: 300, duration: 60, earliest: 0, latest: 30, freeOutside: 60 },
      closest: { node: 'n-0', exhaustive: true },
    });
    expect(r.reason).toBe(
      'no node in the cluster has 900 Mbps free for 60 s every 5 m starting between 0:00 and 0:30 into each period; closest: n-0, busy 0:30–1:00 with early-0',
    );
  });
});
