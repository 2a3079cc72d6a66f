import { describe, expect, it } from 'vitest';
import type { InstanceSpec } from '../engine/index.js';
import { bruteForceOptimum, cpuNode, sixSecondSpec } from '../engine/testing.js';
import { family } from './families.js';
import { firstFit } from './first-fit.js';
import { leftOutWithRoom } from './left-out-with-room.js';
import { ENGINE_HORIZON } from './quality.js';
import { simulate } from './run.js';

const cpu = (n: number) => ({ cpu: n, memory: 10, bandwidth: 1 });

/** A pod that runs all the time, taking `millicores` of cpu wherever it is. */
const always = (id: string, millicores: number, over: Partial<InstanceSpec> = {}) =>
  sixSecondSpec(id, { every: 6, duration: 6, startWithin: 0, run: cpu(millicores), ...over });

describe('pods a plan leaves out although they had room on arrival', () => {
  it('names the pod the optimum refuses to keep room for two later ones', () => {
    const nodes = [cpuNode('n1', 100)];
    const apps = { horizon: 6, instances: [always('big-0', 60), always('small-0', 50), always('small-1', 50)] };
    const optimum = [
      { id: 'small-0', node: 'n1', phase: 0 },
      { id: 'small-1', node: 'n1', phase: 0 },
    ];
    expect(bruteForceOptimum(nodes, apps)).toBe(optimum.length);
    expect(leftOutWithRoom(nodes, apps, optimum)).toEqual(['big-0']);
    // Admitting big-0 first leaves no room for either small pod: nothing was refused with room.
    expect(leftOutWithRoom(nodes, apps, [{ id: 'big-0', node: 'n1', phase: 0 }])).toEqual([]);
  });

  it("judges a pod waiting for its affinity partner once the partner is booked, as a controller's retry would", () => {
    const nodes = [cpuNode('n1', 100)];
    const apps = {
      horizon: 6,
      instances: [always('dep-0', 40, { affinity: ['partner'] }), always('partner-0', 40), always('other-0', 70)],
    };
    // dep-0 has no room on arrival; the plan places it after its partner, and other-0 then has none.
    const both = [
      { id: 'dep-0', node: 'n1', phase: 0 },
      { id: 'partner-0', node: 'n1', phase: 0 },
    ];
    expect(leftOutWithRoom(nodes, apps, both)).toEqual([]);
    // Leaving dep-0 out: once partner-0 is booked there is room for it.
    expect(leftOutWithRoom(nodes, apps, [{ id: 'partner-0', node: 'n1', phase: 0 }])).toEqual(['dep-0']);
  });

  it('refuses a plan that does not hold', () => {
    const nodes = [cpuNode('n1', 100)];
    const apps = { horizon: 6, instances: [always('a-0', 60), always('b-0', 60)] };
    const clash = [
      { id: 'a-0', node: 'n1', phase: 0 },
      { id: 'b-0', node: 'n1', phase: 0 },
    ];
    expect(() => leftOutWithRoom(nodes, apps, clash)).toThrow(/b-0 at n1, phase 0: .*capacity/);
    // A dependant placed beside a partner that never comes waits to the end, and then says why.
    const alone = { horizon: 6, instances: [always('dep-0', 40, { affinity: ['partner'] }), always('other-0', 30)] };
    expect(() => leftOutWithRoom(nodes, alone, [{ id: 'dep-0', node: 'n1', phase: 0 }])).toThrow(
      /dep-0 at n1, phase 0: .*affinity/,
    );
  });

  it('finds nothing in plans made by admitting in arrival order: first-fit and the engine with retries', async () => {
    for (const name of ['heavy', 'colliding-windows', 'shared-uplinks', 'affinity-late', 'long-periods']) {
      for (const seed of [1, 2, 3]) {
        const { nodes, apps } = family(name).generate({ seed, nodes: 3, instances: 16 });
        const engineApps = { horizon: Math.min(apps.horizon, ENGINE_HORIZON), instances: apps.instances };
        const online = await simulate(nodes, engineApps, { strategy: 'nmaas', retry: true });
        expect({ name, seed, online: leftOutWithRoom(nodes, engineApps, online.placed) }).toEqual({
          name,
          seed,
          online: [],
        });
        // First-fit offers each pod once: what it leaves out with room are dependants whose partner came later.
        const ff = firstFit(nodes, apps);
        const late = leftOutWithRoom(nodes, engineApps, ff.placed).filter(
          (id) => apps.instances.find((s) => s.id === id)!.affinity.length === 0,
        );
        expect({ name, seed, late }).toEqual({ name, seed, late: [] });
      }
    }
  });
});
