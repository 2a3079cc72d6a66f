import { describe, expect, it } from 'vitest';
import { checkPlacement, type NodeSpec } from '../engine/index.js';
import { instanceSpec } from '../engine/testing.js';
import { FAMILIES } from './families.js';
import { firstFit } from './first-fit.js';

const node = (name: string, cpu: number): NodeSpec => ({
  name,
  labels: {},
  capacity: { cpu, memory: 1000, bandwidth: 1000 },
});

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
