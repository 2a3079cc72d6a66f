import { describe, expect, it } from 'vitest';
import { checkPlacement, Engine, type InstanceSpec, type NodeSpec } from '../engine/index.js';
import { bruteForceOptimum, cpuNode, instanceSpec, sixSecondSpec } from '../engine/testing.js';
import { buildExactModel, exactBlockSeconds, solveExact } from './exact.js';
import { Random } from './random.js';
import { generateWorkload } from './workload.js';

const spec = sixSecondSpec;
const node = cpuNode;

describe('exact ILP', () => {
  it('agrees with a brute force over every phase on tiny random workloads, including coarse blocks', async () => {
    const rnd = new Random(11);
    for (let round = 0; round < 12; round++) {
      // Half the rounds use periods, durations and releases in steps of 2 s, so the model works on 2-s blocks.
      const step = round % 2 === 0 ? 1 : 2;
      const instances = Array.from({ length: 4 }, (_, k) =>
        spec(`${rnd.pick(['a', 'b', 'c'])}-${k}`, {
          every: step * rnd.pick([3, 6]),
          duration: step * rnd.int(1, 2),
          startWithin: rnd.int(0, 5),
          release: step * rnd.int(0, 2),
          run: { cpu: rnd.pick([40, 60, 100]), memory: 10, bandwidth: 1 },
          idle: { cpu: rnd.pick([0, 10]), memory: 0 },
          exclusive: rnd.next() < 0.25,
          spreadGroup: rnd.next() < 0.3 ? 'g' : null,
          node: rnd.next() < 0.2 ? 'n1' : null,
        }),
      );
      if (rnd.next() < 0.3) instances[3]!.affinity = [instances[0]!.app];
      if (rnd.next() < 0.3) instances[2]!.antiAffinity = [instances[1]!.app];
      const apps = { horizon: 12 * step, instances };
      const nodes = [node('n1', 120), node('n2', 100)];
      const exact = await solveExact(nodes, apps, { timeLimitSeconds: 30 });
      expect(exact.optimal).toBe(true);
      expect(exact.blockSeconds % step).toBe(0);
      expect(checkPlacement(nodes, apps, exact.placed)).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
      expect({ round, placed: exact.placed.length }).toEqual({ round, placed: bruteForceOptimum(nodes, apps) });
    }
  });

  it('solves the examples at their real periods (one-hour cycle) to a proven optimum', async () => {
    const { nodes, apps } = generateWorkload({
      seed: 1,
      nodes: 3,
      instances: 12,
      scale: 'full',
      capacityFactor: 0.4,
      releaseGrain: 30,
    });
    const exact = await solveExact(nodes, apps, { timeLimitSeconds: 60 });
    expect(exact).toMatchObject({ status: 'Optimal', optimal: true, gap: 0, blockSeconds: 30, cycleSeconds: 3600 });
    expect(exact.bound).toBe(exact.placed.length);
    expect(checkPlacement(nodes, apps, exact.placed)).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
  });

  it('models a daily period without a slot per second: blocks of the periods’ common divisor', async () => {
    const daily = (k: number): InstanceSpec =>
      spec(`cartography-${k}`, { every: 86_400, duration: 7_200, startWithin: 21_599, exclusive: true });
    const hourly = (k: number): InstanceSpec => spec(`qos-${k}`, { every: 3_600, duration: 600, startWithin: 600 });
    const apps = { horizon: 86_400, instances: [daily(0), daily(1), hourly(0), hourly(1)] };
    const model = buildExactModel([node('n1', 1000)], apps);
    expect(model.blockSeconds).toBe(600);
    expect(model.cycleSeconds).toBe(86_400);
    const exact = await solveExact([node('n1', 1000)], apps, { timeLimitSeconds: 30 });
    expect(exact.optimal).toBe(true);
    // Two exclusive 2-h runs fit in a day, but no hourly 10-min run can then keep its start window: the
    // optimum is either both hourlies (they co-run) or the two dailies; 2 either way, proven.
    expect(exact.placed.length).toBe(2);
    expect(checkPlacement([node('n1', 1000)], apps, exact.placed)).toMatchObject({ violations: 0 });
  });

  it('a solve cut short by its time limit reports the best plan found, the proven bound and the gap', async () => {
    const { nodes, apps } = generateWorkload({
      seed: 2,
      nodes: 4,
      instances: 40,
      scale: 'full',
      capacityFactor: 0.3,
      releaseGrain: 30,
    });
    const cut = await solveExact(nodes, apps, { timeLimitSeconds: 0.05 });
    expect(cut.status).toBe('Time limit reached');
    expect(cut.optimal).toBe(false);
    expect(cut.bound).toBeGreaterThanOrEqual(cut.placed.length);
    expect(cut.bound).toBeLessThanOrEqual(apps.instances.length);
    expect(cut.gap).toBeCloseTo(cut.bound === 0 ? 0 : (cut.bound - cut.placed.length) / cut.bound, 3);
    expect(checkPlacement(nodes, apps, cut.placed)).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
  });

  it('with pods to keep, the optimum places them: the ceiling of a re-plan, which never un-places a pod', async () => {
    // One node, runs of a 6-s period: three 2-s pods fill it one after another, or one 4-s pod takes
    // the whole node for 4 s and leaves room for one 2-s pod.
    const big = spec('big', { duration: 4, run: { cpu: 1000, memory: 10, bandwidth: 10 } });
    const small = (k: number) => spec(`small-${k}`, { run: { cpu: 1000, memory: 10, bandwidth: 10 } });
    const apps = { horizon: 6, instances: [big, small(0), small(1), small(2)] };
    const free = await solveExact([node('n1', 1000)], apps, { timeLimitSeconds: 10 });
    expect(free.placed.map((p) => p.id).sort()).toEqual(['small-0', 'small-1', 'small-2']);
    const kept = await solveExact([node('n1', 1000)], apps, { timeLimitSeconds: 10, keep: ['big'] });
    expect(kept.optimal).toBe(true);
    expect(kept.placed.map((p) => p.id)).toContain('big');
    expect(kept.placed).toHaveLength(2);
    expect(checkPlacement([node('n1', 1000)], apps, kept.placed)).toMatchObject({ violations: 0 });
  });

  it('honours a shared link: two 600 Mbps runs behind a 1 Gbps link take turns, a third stays out', async () => {
    const behind = (name: string): NodeSpec => ({ ...node(name, 1000), links: [{ name: 'site-a', capacity: 1000 }] });
    const nodes = [behind('a'), behind('b')];
    const bw = (k: number): InstanceSpec => spec(`bw-${k}`, { run: { cpu: 100, memory: 10, bandwidth: 600 } });
    const apps = { horizon: 6, instances: [bw(0), bw(1), bw(2), bw(3)] };
    const exact = await solveExact(nodes, apps, { timeLimitSeconds: 30 });
    expect(exact.optimal).toBe(true);
    // Each node alone could run three 2-s runs in 6 s; the link carries one 600 Mbps run at a time.
    expect(exact.placed.length).toBe(3);
    expect(checkPlacement(nodes, apps, exact.placed)).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
    expect(bruteForceOptimum(nodes, apps)).toBe(3);
    // Without the link the same nodes hold all four (two on each, in turns).
    const free = await solveExact([node('a', 1000), node('b', 1000)], apps, { timeLimitSeconds: 30 });
    expect(free.placed.length).toBe(4);
  });

  it('block length is the gcd of periods, durations and releases', () => {
    expect(
      exactBlockSeconds([spec('a-0', { every: 300, duration: 30 }), spec('b-0', { every: 900, duration: 120 })]),
    ).toBe(30);
    expect(exactBlockSeconds([spec('a-0', { every: 300, duration: 30, release: 45 })])).toBe(15);
  });
});

describe('exact ILP and the engine on periods beyond one hour', () => {
  it('agree on how many fit: 6-hourly exclusive runs in the one free stretch of each hour', async () => {
    const SIX_HOURS = 21600;
    // Exclusivity binds here, not cpu.
    const nodes = [node('only', 4000)];
    const instances: InstanceSpec[] = [
      instanceSpec('hourly-0', { every: 3600, duration: 3000, startWithin: 0, exclusive: true }),
      // 7 six-hourly exclusive runs of 10 minutes: one per hour fits beside the hourly run (50:00–60:00), so
      // the optimum is 7 of 8 either way (the ILP may drop the hourly one instead; online, the last one goes).
      ...Array.from({ length: 7 }, (_, k) =>
        instanceSpec(`six${k}-0`, { every: SIX_HOURS, duration: 600, startWithin: SIX_HOURS - 1, exclusive: true }),
      ),
    ];
    const apps = { horizon: 3600, instances };
    const exact = await solveExact(nodes, apps, { timeLimitSeconds: 30 });
    expect(exact.optimal).toBe(true);
    expect(exact.cycleSeconds).toBe(SIX_HOURS);
    expect(exact.placed.length).toBe(7);
    const engine = new Engine(nodes);
    const placed = instances.flatMap((s) => {
      const r = engine.place(s);
      return r.ok ? [{ id: s.id, node: r.node, phase: r.phase }] : [];
    });
    expect(placed.length).toBe(exact.placed.length);
    expect(checkPlacement(nodes, apps, placed)).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
  });
});
