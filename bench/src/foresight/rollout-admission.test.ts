import { describe, expect, it } from 'vitest';
import { checkPlacement, Engine, type InstanceSpec } from '@nmaas/scheduler/engine';
import { ENGINE_HORIZON, family, leftOutWithRoom, Random } from '@nmaas/scheduler/simulate';
import { cpuNode, sixSecondSpec } from '@nmaas/scheduler/testing';
import { drawnFromTheWorkloadsApps, theRemainingPodsShuffled } from './futures.js';
import { rolloutAdmission } from './rollout-admission.js';

/** A pod of app `<id without -N>` running all the time on `millicores` of cpu. */
const always = (id: string, millicores: number, over: Partial<InstanceSpec> = {}): InstanceSpec =>
  sixSecondSpec(id, { duration: 6, startWithin: 0, run: { cpu: millicores, memory: 10, bandwidth: 1 }, ...over });

const options = { rollouts: 4, seed: 7, phasesPerNode: 8 };

describe('admission that weighs each place by the futures it is told about', () => {
  it('keeps room for a pod it knows will come, where the engine alone does not', () => {
    const nodes = [cpuNode('n1', 100), cpuNode('n2', 100)];
    // y-0 can only go to n1; the engine puts x-0 on the first node that fits, n1.
    const apps = { horizon: 6, instances: [always('x-0', 60), always('y-0', 60, { node: 'n1' })] };
    const engine = new Engine(nodes, { horizon: 6 });
    expect(apps.instances.map((s) => engine.place(s).ok)).toEqual([true, false]);
    const r = rolloutAdmission(nodes, apps, { ...options, futures: theRemainingPodsShuffled });
    expect(r).toEqual({
      plan: [
        { id: 'x-0', node: 'n2', phase: 0 },
        { id: 'y-0', node: 'n1', phase: 0 },
      ],
      refused: [],
    });
    expect(checkPlacement(nodes, apps, r.plan)).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
  });

  it('never refuses a pod it has room for and never moves one, whatever it is told; the same plan for the same seed', () => {
    const { nodes, apps } = family('heavy').generate({ seed: 3, nodes: 3, instances: 16 });
    const engineApps = { horizon: Math.min(apps.horizon, ENGINE_HORIZON), instances: apps.instances };
    for (const futures of [drawnFromTheWorkloadsApps(apps.instances), theRemainingPodsShuffled]) {
      const r = rolloutAdmission(nodes, engineApps, { ...options, futures });
      expect(r.plan.length + r.refused.length).toBe(apps.instances.length);
      expect(checkPlacement(nodes, engineApps, r.plan)).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
      expect(leftOutWithRoom(nodes, engineApps, r.plan)).toEqual([]);
      expect(rolloutAdmission(nodes, engineApps, { ...options, futures }).plan).toEqual(r.plan);
    }
  });
});

describe('futures', () => {
  const { apps } = family('colliding-windows').generate({ seed: 5, nodes: 3, instances: 16 });

  it("draws as many pods as remain, from the workload's apps, opening on its time grid", () => {
    const draw = drawnFromTheWorkloadsApps(apps.instances);
    const future = draw(apps.instances, 3, new Random(1));
    expect(future).toHaveLength(12);
    const contracts = new Map(apps.instances.map((s) => [s.app, s]));
    for (const pod of future) {
      const app = contracts.get(pod.app)!;
      expect({ ...pod, id: '', release: 0 }).toEqual({ ...app, id: '', release: 0 });
      expect(pod.release % 30).toBe(0);
      expect(pod.release).toBeLessThan(pod.every);
    }
    expect(new Set(future.map((p) => p.id)).size).toBe(12);
  });

  it('shuffles the pods still to come, and only those', () => {
    const future = theRemainingPodsShuffled(apps.instances, 9, new Random(2));
    expect(future.map((s) => s.id).sort()).toEqual(
      apps.instances
        .slice(10)
        .map((s) => s.id)
        .sort(),
    );
    expect(future.map((s) => s.id)).not.toEqual(apps.instances.slice(10).map((s) => s.id));
  });
});
