import { describe, expect, it } from 'vitest';
import { checkPlacement, type NodeSpec } from '../engine/index.js';
import { instanceSpec } from '../engine/testing.js';
import { LinkOverlap, linkOverlapSeconds, overlapSeconds } from './overlap.js';
import { replan } from './replan.js';

describe('overlap behind a shared link', () => {
  it('counts, per slot, the nodes sending beyond the first (runs on one node are the node’s own overlap)', () => {
    const a = [5, 5, 0, 0, 9, 0];
    const b = [5, 0, 0, 7, 9, 0];
    const c = [0, 0, 0, 7, 9, 3];
    expect(linkOverlapSeconds([a])).toBe(0);
    expect(linkOverlapSeconds([a, b])).toBe(2);
    expect(linkOverlapSeconds([a, b, c])).toBe(1 + 1 + 2);
    // Two runs on one node in one slot: the node counts one overlapping run-second, the link nothing more.
    expect(overlapSeconds([2, 0])).toBe(1);
    expect(
      linkOverlapSeconds([
        [10, 0],
        [0, 0],
      ]),
    ).toBe(0);
  });

  it('keeps a value per link and recomputes only the links behind the nodes a change touched', () => {
    const profiles = new Map<string, number[]>([
      ['a', [1, 1, 0]],
      ['b', [1, 0, 0]],
      ['c', [1, 1, 1]],
    ]);
    const reads: string[] = [];
    const links = new LinkOverlap(
      [
        { name: 'a', links: [{ name: 'up-1' }] },
        { name: 'b', links: [{ name: 'up-1' }] },
        { name: 'c', links: [{ name: 'up-2' }] },
      ],
      (n) => (reads.push(n), profiles.get(n)!),
    );
    expect(links.total()).toBe(1);
    expect(links.around('a')).toBe(1);
    expect(links.around('c')).toBe(0);
    reads.length = 0;
    profiles.set('b', [0, 0, 1]);
    const change = links.change(['b']);
    expect(reads.sort()).toEqual(['a', 'b']);
    expect(change.delta).toBe(-1);
    expect(links.total()).toBe(1);
    change.commit();
    expect(links.total()).toBe(0);
  });

  it('re-planning moves one of two bandwidth tests that start together on two nodes behind one uplink', () => {
    const nodes: NodeSpec[] = ['edge-a', 'edge-b'].map((name) => ({
      name,
      labels: {},
      capacity: { cpu: 4000, memory: 4096, bandwidth: 1000 },
      links: [{ name: 'site-a', capacity: 1000 }],
    }));
    // 300 + 300 Mbps fit the uplink at once, but two tests at once distort each other: the overlap says so.
    const test = (id: string, node: string) =>
      instanceSpec(id, { node, duration: 20, run: { cpu: 100, memory: 10, bandwidth: 300 } });
    const apps = { horizon: 60, instances: [test('bw-0', 'edge-a'), test('bw-1', 'edge-b')] };
    const current = [
      { id: 'bw-0', node: 'edge-a', phase: 0 },
      { id: 'bw-1', node: 'edge-b', phase: 0 },
    ];
    const r = replan(nodes, apps, current, { migrations: 1, timeLimitSeconds: 5, seed: 1 });
    expect(r.before.overlapSeconds).toBe(20);
    expect(r.after.overlapSeconds).toBe(0);
    expect(r.migrations).toBe(1);
    expect(checkPlacement(nodes, apps, r.placed)).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
    const [x, y] = r.placed.map((p) => p.phase);
    expect(Math.abs(x! - y!)).toBeGreaterThanOrEqual(20);
  });
});
