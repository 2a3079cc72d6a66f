import { describe, expect, it } from 'vitest';
import { checkPlacement, type InstanceSpec, type NodeSpec } from '../engine/index.js';
import { bruteForceOptimum, cpuNode, instanceSpec } from '../engine/testing.js';
import { conflictCliques } from './exact-cliques.js';
import { buildExactModel, solveExact } from './exact.js';
import { canonicalAssignment, symmetryRows, type Assignment, type PlacementColumns } from './exact-symmetry.js';
import { Random } from './random.js';
import { generateWorkload } from './workload.js';

const PLAIN = { symmetryBreaking: false, conflictCliques: false, heuristicStart: false } as const;

const node = cpuNode;

/** Tiny pools made of copies: identical nodes, several pods of one shape, pods too large to run two at once. */
function copies(rnd: Random): { nodes: NodeSpec[]; apps: { horizon: number; instances: InstanceSpec[] } } {
  const shapes = Array.from({ length: 2 }, (_, k) => ({
    app: `app${k}`,
    every: 6,
    duration: rnd.int(2, 5),
    startWithin: rnd.int(0, 5),
    release: rnd.int(0, 1),
    run: { cpu: rnd.pick([300, 450, 550, 700]), memory: 10, bandwidth: rnd.pick([100, 450, 600]) },
    idle: { cpu: rnd.pick([0, 20]), memory: 0 },
    exclusive: rnd.next() < 0.2,
  }));
  const instances = Array.from({ length: 4 }, (_, k) => instanceSpec(`x-${k}`, { ...rnd.pick(shapes) }));
  const link = rnd.next() < 0.4 ? [{ name: 'site', capacity: 1000 }] : undefined;
  const nodes = [node('a', 1000, link), node('b', 1000, link), node(rnd.next() < 0.5 ? 'c' : 'c-small', 1000)];
  if (nodes[2]!.name === 'c-small') nodes[2]!.capacity.cpu = 600;
  return { nodes, apps: { horizon: 6, instances } };
}

describe('exact ILP: symmetry rows, conflict cliques and starting plans keep the optimum', () => {
  it('agrees with a brute force over every phase on tiny pools of identical nodes and pods', async () => {
    const rnd = new Random(23);
    for (let round = 0; round < 12; round++) {
      const { nodes, apps } = copies(rnd);
      const keep = round % 3 === 0 ? [apps.instances[0]!.id] : [];
      const brute = bruteForceOptimum(nodes, apps);
      const tightened = await solveExact(nodes, apps, { timeLimitSeconds: 30 });
      const plain = await solveExact(nodes, apps, { timeLimitSeconds: 30, ...PLAIN });
      expect({ round, tightened: tightened.placed.length, plain: plain.placed.length }).toEqual({
        round,
        tightened: brute,
        plain: brute,
      });
      expect(tightened.optimal && plain.optimal).toBe(true);
      expect(checkPlacement(nodes, apps, tightened.placed)).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
      if (keep.length > 0) {
        const kept = await solveExact(nodes, apps, { timeLimitSeconds: 30, keep });
        const keptPlain = await solveExact(nodes, apps, { timeLimitSeconds: 30, keep, ...PLAIN });
        expect(kept.optimal).toBe(true);
        expect(kept.placed.length).toBe(keptPlain.placed.length);
        expect(kept.placed.map((p) => p.id)).toContain(keep[0]);
      }
    }
  });

  it('finds the same proven optimum as the plain model on generated small pools', async () => {
    for (const seed of [3, 4]) {
      const { nodes, apps } = generateWorkload({
        seed,
        nodes: 3,
        instances: 14,
        scale: 'small',
        narrowStartShare: 0.5,
      });
      const plain = await solveExact(nodes, apps, { timeLimitSeconds: 60, ...PLAIN });
      const tightened = await solveExact(nodes, apps, { timeLimitSeconds: 60 });
      expect(plain.optimal && tightened.optimal).toBe(true);
      expect({ seed, placed: tightened.placed.length }).toEqual({ seed, placed: plain.placed.length });
      expect(checkPlacement(nodes, apps, tightened.placed)).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
    }
  });

  it('a plan given as a start is never worse than the answer, and an illegal one is ignored', async () => {
    const nodes = [node('a', 1000), node('b', 1000)];
    const big = (k: number) =>
      instanceSpec(`big-${k}`, { every: 6, duration: 3, startWithin: 5, run: { cpu: 700, memory: 1, bandwidth: 1 } });
    const apps = { horizon: 6, instances: [0, 1, 2, 3, 4].map(big) };
    // Two 3-s runs of 700 m fit on a node one after the other: four of five, however they are ordered.
    const legal = [
      { id: 'big-3', node: 'b', phase: 0 },
      { id: 'big-4', node: 'b', phase: 3 },
      { id: 'big-0', node: 'a', phase: 3 },
      { id: 'big-1', node: 'a', phase: 0 },
    ];
    const illegal = [0, 1, 2, 3, 4].map((k) => ({ id: `big-${k}`, node: 'a', phase: 0 }));
    const r = await solveExact(nodes, apps, { timeLimitSeconds: 30, starts: [illegal, legal], heuristicStart: false });
    expect(r).toMatchObject({ optimal: true, bound: 4 });
    expect(r.placed).toHaveLength(4);
    expect(checkPlacement(nodes, apps, r.placed)).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
  });
});

describe('a time-limited solve', () => {
  it('is optimal when its plan reaches the proven bound: the count of placed pods is whole', async () => {
    // Six small pods on one large node: the start places all six, and no plan places more than six.
    const nodes = [node('a', 4000)];
    const small = (k: number) => instanceSpec(`small-${k}`, { every: 60, duration: 10, startWithin: 59 });
    const apps = { horizon: 60, instances: [0, 1, 2, 3, 4, 5].map(small) };
    const r = await solveExact(nodes, apps, { timeLimitSeconds: 0.0001 });
    expect(r).toMatchObject({ optimal: true, bound: 6, gap: 0 });
    expect(r.placed).toHaveLength(6);
  });
});

describe('symmetry rows', () => {
  it('the canonical member of any plan satisfies every row and keeps each class’s choices', () => {
    const rnd = new Random(5);
    for (let round = 0; round < 40; round++) {
      const { nodes, apps } = copies(rnd);
      const model = buildExactModel(nodes, apps);
      const columns = new Map<string, PlacementColumns>(model.vars.map((v) => [`${v.i},${v.n}`, v]));
      const assignment: Assignment[] = apps.instances.map((_, i) => {
        const on = model.vars.filter((v) => v.i === i);
        if (on.length === 0 || rnd.next() < 0.2) return null;
        const v = rnd.pick(on);
        return { n: v.n, k: rnd.int(0, v.x.length - 1) };
      });
      const canonical = canonicalAssignment(nodes, apps.instances, columns, new Set(), assignment);
      // Same multiset of (node class, phase) choices per instance class: only labels moved.
      expect(canonical.filter((a) => a !== null)).toHaveLength(assignment.filter((a) => a !== null).length);
      const value = new Map<string, number>();
      canonical.forEach((a, i) => {
        if (a === null) return;
        const v = columns.get(`${i},${a.n}`)!;
        value.set(v.x[a.k]!, 1);
        if (v.s) for (let q = a.k; q < v.s.length; q++) value.set(v.s[q]!, 1);
      });
      for (const row of symmetryRows(nodes, apps.instances, columns, new Set())) {
        const lhs = row.reduce((sum, [c, name]) => sum + c * (value.get(name) ?? 0), 0);
        expect({ round, violated: lhs > 0 }).toEqual({ round, violated: false });
      }
    }
  });
});

describe('conflict cliques', () => {
  it('lists every maximal clique of at least two members once', () => {
    // Edges: a 4-clique {0,1,2,3}, a triangle {3,4,5}, an edge {5,6}; 7 is alone.
    const edges = new Set(['0-1', '0-2', '0-3', '1-2', '1-3', '2-3', '3-4', '3-5', '4-5', '5-6']);
    const conflicts = (a: number, b: number) => edges.has(`${Math.min(a, b)}-${Math.max(a, b)}`);
    const cliques = conflictCliques([0, 1, 2, 3, 4, 5, 6, 7], conflicts).map((c) => c.join(','));
    expect(cliques.sort()).toEqual(['0,1,2,3', '3,4,5', '5,6']);
  });
});
