import { describe, expect, it } from 'vitest';
import { checkPlacement, type NodeSpec } from '../engine/index.js';
import { cpuNode, instanceSpec } from '../engine/testing.js';
import { FAMILIES } from './families.js';
import { firstFit } from './first-fit.js';
import { generateWorkload } from './workload.js';

const node = cpuNode;

const spec = instanceSpec;

describe('time-aware first-fit', () => {
  it('takes the first node, then the first phase of the window where the run fits', () => {
    const nodes = [node('a', 100), node('b', 100)];
    const apps = {
      horizon: 60,
      instances: [
        spec('x-0'),
        spec('x-1'),
        spec('x-2'),
        spec('x-3', { startWithin: 10 }),
        spec('x-4', { exclusive: true }),
      ],
    };
    const r = firstFit(nodes, apps);
    expect(r.placed).toEqual([
      { id: 'x-0', node: 'a', phase: 0 },
      { id: 'x-1', node: 'a', phase: 30 },
      { id: 'x-2', node: 'b', phase: 0 },
      { id: 'x-4', node: 'b', phase: 30 },
    ]);
    expect(r.rejected).toEqual([{ id: 'x-3', reason: 'no node and phase of its start window fits' }]);
  });

  it('keeps the rules: affinity needs a partner already there, anti-affinity and spread keep apart, pins hold', () => {
    const nodes = [node('a', 1000), node('b', 1000)];
    const apps = {
      horizon: 60,
      instances: [
        spec('dep-0', { affinity: ['partner'] }),
        spec('partner-0', { node: 'b' }),
        spec('dep-1', { affinity: ['partner'] }),
        spec('solo-0', { antiAffinity: ['partner'] }),
        spec('s-0', { spreadGroup: 'g' }),
        spec('s-1', { spreadGroup: 'g' }),
        spec('s-2', { spreadGroup: 'g' }),
      ],
    };
    const r = firstFit(nodes, apps);
    expect(r.placed.map((p) => `${p.id}@${p.node}`)).toEqual(['partner-0@b', 'dep-1@b', 'solo-0@a', 's-0@a', 's-1@b']);
    expect(r.rejected.map((x) => x.id)).toEqual(['dep-0', 's-2']);
  });

  it('never over-books on any family (the independent checker agrees)', () => {
    for (const f of FAMILIES) {
      for (const seed of [1, 2]) {
        const { nodes, apps } = f.generate({ seed, nodes: 3, instances: 30 });
        const r = firstFit(nodes, apps);
        expect(r.placed.length + r.rejected.length).toBe(apps.instances.length);
        expect(checkPlacement(nodes, apps, r.placed), `${f.name} seed ${seed}`).toMatchObject({
          competingSlotSeconds: 0,
          violations: 0,
        });
      }
    }
  });
});

describe('time-aware first-fit behind shared links', () => {
  /** Two 1 Gbps nodes behind one uplink of `mbps`. */
  const site = (mbps: number): NodeSpec[] =>
    ['a', 'b'].map((name) => ({ ...node(name, 4000), links: [{ name: 'site-a', capacity: mbps }] }));
  const bw = (id: string, mbps: number, over: Parameters<typeof spec>[1] = {}) =>
    spec(id, { duration: 20, run: { cpu: 100, memory: 10, bandwidth: mbps }, ...over });

  it('staggers runs on different nodes behind one full uplink, as it would on one node', () => {
    const apps = {
      horizon: 60,
      instances: [bw('x-0', 600, { node: 'a' }), bw('x-1', 600, { node: 'b' }), bw('x-2', 600, { node: 'b' })],
    };
    expect(firstFit(site(1000), apps).placed).toEqual([
      { id: 'x-0', node: 'a', phase: 0 },
      { id: 'x-1', node: 'b', phase: 20 },
      { id: 'x-2', node: 'b', phase: 40 },
    ]);
    // Without the uplink, the nodes alone would let them start together.
    const bare = site(1000).map(({ links: _links, ...n }) => n);
    expect(firstFit(bare, apps).placed.map((p) => p.phase)).toEqual([0, 0, 20]);
  });

  it('refuses a run wider than the uplink, and takes the smallest capacity declared', () => {
    const nodes = site(1000);
    nodes[1]!.links = [{ name: 'site-a', capacity: 500 }];
    const r = firstFit(nodes, { horizon: 60, instances: [bw('x-0', 600, { node: 'a' }), bw('x-1', 400)] });
    expect(r.placed).toEqual([{ id: 'x-1', node: 'a', phase: 0 }]);
    expect(r.rejected.map((x) => x.id)).toEqual(['x-0']);
  });

  it('never over-books a link on generated sites (the checker agrees)', () => {
    for (const seed of [1, 2, 3]) {
      const { nodes, apps } = generateWorkload({ seed, nodes: 6, instances: 90, siteSize: 3, uplinkMbps: 150 });
      const r = firstFit(nodes, apps);
      const report = checkPlacement(nodes, apps, r.placed);
      expect(report.problems, `seed ${seed}`).toEqual([]);
      expect(report.linkSlotSeconds).toBe(0);
      // The uplinks bind: first-fit blind to them would over-book them.
      const bare = nodes.map(({ links: _links, ...n }) => n);
      expect(checkPlacement(nodes, apps, firstFit(bare, apps).placed).linkSlotSeconds).toBeGreaterThan(0);
    }
  });
});
