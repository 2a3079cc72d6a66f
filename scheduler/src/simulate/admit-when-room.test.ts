import { describe, expect, it } from 'vitest';
import { checkPlacement, type InstanceSpec, type NodeSpec } from '../engine/index.js';
import { bruteForceOptimum, cpuNode, sixSecondSpec } from '../engine/testing.js';
import { admitWhenRoom } from './admit-when-room.js';
import { Random } from './random.js';

const spec = sixSecondSpec;
const node = cpuNode;

const cpu = (n: number) => ({ cpu: n, memory: 10, bandwidth: 1 });

/** A pod that runs all the time, taking `millicores` of cpu wherever it is. */
const always = (id: string, millicores: number, over: Partial<InstanceSpec> = {}) =>
  spec(id, { every: 6, duration: 6, startWithin: 0, run: cpu(millicores), ...over });

/** The same policy, with room judged by enumerating every plan. */
function referenceAdmitted(nodes: NodeSpec[], apps: { horizon: number; instances: InstanceSpec[] }): string[] {
  let admitted: InstanceSpec[] = [];
  const fits = (s: InstanceSpec) => {
    const set = [...admitted, s];
    if (bruteForceOptimum(nodes, { horizon: apps.horizon, instances: set }) < set.length) return false;
    admitted = set;
    return true;
  };
  let waiting: InstanceSpec[] = [];
  for (const s of apps.instances) {
    if (!fits(s)) {
      if (s.affinity.length > 0) waiting.push(s);
      continue;
    }
    for (let progress = true; progress;) {
      const before = waiting.length;
      waiting = waiting.filter((w) => !fits(w));
      progress = waiting.length < before;
    }
  }
  return admitted.map((s) => s.id).sort();
}

describe('admit when some plan has room', () => {
  it('admits a pod there is room for beside every admitted one, in a plan that keeps them all', async () => {
    const nodes = [node('n1', 100), node('n2', 100)];
    // a and b (each half a node, always running) must share a node for c, which needs a whole one.
    const instances = [always('a-0', 50), always('b-0', 50), always('c-0', 100)];
    const apps = { horizon: 6, instances };
    const r = await admitWhenRoom(nodes, apps, { timeLimitSeconds: 10 });
    expect(r.plan.map((p) => p.id).sort()).toEqual(['a-0', 'b-0', 'c-0']);
    expect(checkPlacement(nodes, apps, r.plan)).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
    expect(r).toMatchObject({ undecided: 0, solves: 3 });
  });

  it('stays below the optimum when a pod that fits takes the room of two later ones', async () => {
    const nodes = [node('n1', 100)];
    const instances = [always('big-0', 60), always('small-0', 50), always('small-1', 50)];
    const apps = { horizon: 6, instances };
    const r = await admitWhenRoom(nodes, apps, { timeLimitSeconds: 10 });
    expect(r.plan.map((p) => p.id)).toEqual(['big-0']);
    expect(bruteForceOptimum(nodes, apps)).toBe(2);
  });

  it("offers a pod again once its affinity partner is admitted, as a controller's retry would", async () => {
    const nodes = [node('n1', 100)];
    const instances = [always('dep-0', 40, { affinity: ['partner'] }), always('partner-0', 40), always('other-0', 30)];
    const apps = { horizon: 6, instances };
    const r = await admitWhenRoom(nodes, apps, { timeLimitSeconds: 10 });
    // dep-0 is refused on arrival (no partner), admitted after partner-0, and then other-0 has no room.
    expect(r.plan.map((p) => p.id).sort()).toEqual(['dep-0', 'partner-0']);
    expect(r.solves).toBe(4);
  });

  it('admits what enumerating every plan admits, on small random workloads', async () => {
    const rnd = new Random(23);
    let refusedSome = 0;
    let belowOptimum = 0;
    for (let round = 0; round < 10; round++) {
      const instances = Array.from({ length: 5 }, (_, k) =>
        spec(`${rnd.pick(['a', 'b', 'c'])}-${k}`, {
          every: rnd.pick([3, 6]),
          duration: rnd.int(1, 3),
          startWithin: rnd.int(0, 2),
          release: rnd.int(0, 2),
          run: cpu(rnd.pick([40, 60, 100])),
          exclusive: rnd.next() < 0.2,
          spreadGroup: rnd.next() < 0.2 ? 'g' : null,
        }),
      );
      if (rnd.next() < 0.4) instances[1]!.affinity = [instances[3]!.app];
      if (rnd.next() < 0.3) instances[2]!.antiAffinity = [instances[0]!.app];
      const apps = { horizon: 6, instances };
      const nodes = [node('n1', 120), node('n2', 100)];
      const r = await admitWhenRoom(nodes, apps, { timeLimitSeconds: 10 });
      expect(checkPlacement(nodes, apps, r.plan)).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
      expect({ round, admitted: r.plan.map((p) => p.id).sort() }).toEqual({
        round,
        admitted: referenceAdmitted(nodes, apps),
      });
      expect(r.undecided).toBe(0);
      refusedSome += r.plan.length < instances.length ? 1 : 0;
      belowOptimum += r.plan.length < bruteForceOptimum(nodes, apps) ? 1 : 0;
    }
    // The rounds exercise refusals, and greedy admission falling below the optimum.
    expect(refusedSome).toBeGreaterThanOrEqual(3);
    expect(belowOptimum).toBeGreaterThanOrEqual(1);
  });
});
