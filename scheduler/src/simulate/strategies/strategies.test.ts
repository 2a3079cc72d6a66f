import { describe, expect, it } from 'vitest';
import { checkPlacement, describeRefusal, Engine, type InstanceSpec, type NodeSpec } from '../../engine/index.js';
import { generateWorkload } from '../workload.js';
import { instanceSpec, nodesBehindLink } from '../../engine/testing.js';
import { STRATEGIES, STRATEGY_NAMES } from './index.js';

function placedOf(engine: Engine) {
  return engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
}

function engineFor(name: keyof typeof STRATEGIES, nodes: NodeSpec[], horizon: number): Engine {
  const policy = STRATEGIES[name].policy;
  return new Engine(nodes, { horizon, ...(policy ? { policy } : {}) });
}

describe('baselines', () => {
  it('kube causes competition that nmaas avoids; ffd is safe but places less', () => {
    const { nodes, apps } = generateWorkload({ seed: 21, nodes: 10, instances: 200, capacityFactor: 0.4 });
    const results = Object.fromEntries(
      STRATEGY_NAMES.map((strategy) => {
        const e = engineFor(strategy, nodes, apps.horizon);
        expect(e.strategy).toBe(strategy);
        for (const s of apps.instances) e.place(s);
        return [strategy, checkPlacement(nodes, apps, placedOf(e))];
      }),
    );
    expect(results['nmaas']!.competingSlotSeconds).toBe(0);
    expect(results['ffd']!.competingSlotSeconds).toBe(0);
    expect(results['kube']!.competingSlotSeconds).toBeGreaterThan(0);
    expect(results['nmaas']!.placed).toBeGreaterThan(results['ffd']!.placed);
    for (const r of Object.values(results)) expect(r.violations).toBe(0);
  });

  it('each baseline explains a refusal by its own view of capacity', () => {
    const nodes: NodeSpec[] = [{ name: 'n-0', labels: {}, capacity: { cpu: 1000, memory: 1024, bandwidth: 100 } }];
    const spec = (id: string): InstanceSpec =>
      instanceSpec(id, {
        app: 'probe',
        every: 300,
        duration: 30,
        startWithin: 300,
        run: { cpu: 400, memory: 64, bandwidth: 60 },
        idle: { cpu: 300, memory: 32 },
      });
    const ffd = engineFor('ffd', nodes, 600);
    expect(ffd.place(spec('a')).ok).toBe(true);
    const r = ffd.place(spec('b'));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.refusal).toMatchObject({ code: 'capacity', kind: 'reservation', strategy: 'ffd' });
      expect(r.reason).toBe(
        'no node in the cluster has 400m cpu, 64 MiB and 60 Mbps unreserved for b (ffd reserves the run load for the whole horizon); closest: n-0, 600m cpu, 960 MiB and 40 Mbps left',
      );
      expect(describeRefusal(r.refusal)).toBe(r.reason);
    }
    const kube = engineFor('kube', nodes, 600);
    for (const id of ['a', 'b', 'c']) expect(kube.place(spec(id)).ok).toBe(true);
    const k = kube.place(spec('d'));
    expect(k.ok).toBe(false);
    if (!k.ok)
      expect(k.reason).toBe(
        'no node in the cluster has 300m cpu and 32 MiB unreserved for d (kube requests only the idle load); closest: n-0, 100m cpu and 928 MiB left',
      );
  });

  it('ffd reserves a shared link for the whole horizon and says so when the link is what is full', () => {
    const nodes = nodesBehindLink(
      ['n-0', 'n-1'],
      { cpu: 1000, memory: 1024, bandwidth: 100 },
      { name: 'site-a', capacity: 100 },
    );
    const spec = (id: string): InstanceSpec =>
      instanceSpec(id, { every: 300, duration: 30, startWithin: 300, run: { cpu: 100, memory: 64, bandwidth: 60 } });
    const ffd = engineFor('ffd', nodes, 600);
    expect(ffd.place(spec('a')).ok).toBe(true);
    // n-1 has all its own 100 Mbps, but 60 of the link's 100 are reserved by a on n-0.
    const r = ffd.place(spec('b'));
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.reason).toBe(
        'no node in the cluster has 100m cpu, 64 MiB and 60 Mbps unreserved for b (ffd reserves the run load for the ' +
          'whole horizon, on nodes and on their shared links); closest: n-1, 1 cpu, 1 GiB and 40 Mbps left',
      );
  });
});
