import { describe, expect, it } from 'vitest';
import type { NodeSpec } from '../engine/index.js';
import { instanceSpec } from '../engine/testing.js';
import { linkProfiles } from './link-strip.js';
import { renderTimeline } from './svg.js';

const behind = (name: string, capacity: number): NodeSpec => ({
  name,
  labels: {},
  capacity: { cpu: 1000, memory: 1000, bandwidth: 1000 },
  links: [{ name: 'site-a', capacity }],
});
const bw = (id: string) => instanceSpec(id, { every: 60, duration: 20, run: { cpu: 10, memory: 10, bandwidth: 600 } });

describe('link strip of the plan picture', () => {
  it('sums the runs of every node behind a link against its smallest declared capacity', () => {
    const byNode = new Map([
      ['a', [{ spec: bw('x-0'), phase: 0 }]],
      ['b', [{ spec: bw('y-0'), phase: 10 }]],
    ]);
    const [link] = linkProfiles([behind('a', 1000), behind('b', 1500)], 60, byNode);
    expect(link!.name).toBe('site-a');
    expect(link!.capacity).toBe(1000);
    expect(link!.profile.share[5]).toBeCloseTo(0.6);
    expect(link!.profile.share[15]).toBeCloseTo(1.2);
    expect(link!.profile.competing.reduce((n, c) => n + c, 0)).toBe(10);
  });

  it('draws one strip per link under the nodes, red where the link is over-booked', () => {
    const nodes = [behind('a', 1000), behind('b', 1000)];
    const apps = { horizon: 60, instances: [bw('x-0'), bw('y-0')] };
    const apart = renderTimeline(nodes, apps, [
      { id: 'x-0', node: 'a', phase: 0 },
      { id: 'y-0', node: 'b', phase: 30 },
    ]);
    expect(apart).toContain('link site-a / 1000 Mbps');
    expect(apart).toContain('<title>load: peak 60 % of declared capacity</title>');
    const together = renderTimeline(nodes, apps, [
      { id: 'x-0', node: 'a', phase: 0 },
      { id: 'y-0', node: 'b', phase: 0 },
    ]);
    expect(together).toContain('120 % of declared capacity, 20 s competing');
  });
});
