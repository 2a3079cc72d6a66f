import { describe, expect, it } from 'vitest';
import type { InstanceSpec, NodeSpec } from '../engine/index.js';
import { instanceSpec } from '../engine/testing.js';
import { loadProfile, renderLoadStrip } from './load-strip.js';
import { renderTimeline } from './svg.js';

const node: NodeSpec = { name: 'edge-1', labels: {}, capacity: { cpu: 1000, memory: 1024, bandwidth: 100 } };
/** A one-minute probe running 10 s; its app is the id's first word. */
const spec = (id: string, over: Partial<InstanceSpec> = {}): InstanceSpec =>
  instanceSpec(id, {
    app: id.split('-')[0]!,
    duration: 10,
    startWithin: 60,
    run: { cpu: 400, memory: 256, bandwidth: 40 },
    idle: { cpu: 10, memory: 64 },
    ...over,
  });

describe('what competing means, per second of a node', () => {
  it('co-running within the declared capacity is not competition', () => {
    const p = loadProfile(node, 60, [
      { spec: spec('a-0'), phase: 0 },
      { spec: spec('b-0'), phase: 5 },
    ]);
    // Seconds 5-9: both runs active. cpu 2 × 400 = 800 of 1000; bandwidth 80 of 100.
    expect(p.share[7]).toBeCloseTo(0.8);
    expect(p.competing.reduce((n, c) => n + c, 0)).toBe(0);
    // Between runs only the idle footprints count: memory 2 × 64 of 1024.
    expect(p.share[30]).toBeCloseTo(128 / 1024);
  });

  it('summed runs over the capacity in any resource compete, only where they overlap', () => {
    const heavy = spec('a-0', { run: { cpu: 100, memory: 128, bandwidth: 60 } });
    const p = loadProfile(node, 60, [
      { spec: heavy, phase: 0 },
      { spec: spec('b-0', { run: { cpu: 100, memory: 128, bandwidth: 60 } }), phase: 8 },
    ]);
    expect([...p.competing].map((c, t) => (c ? t : -1)).filter((t) => t >= 0)).toEqual([8, 9]);
    expect(p.share[8]).toBeCloseTo(1.2);
  });

  it('an exclusive run competes with any other active run, even a small one', () => {
    const p = loadProfile(node, 60, [
      { spec: spec('x-0', { exclusive: true, run: { cpu: 50, memory: 64, bandwidth: 1 } }), phase: 0 },
      { spec: spec('y-0', { run: { cpu: 50, memory: 64, bandwidth: 1 } }), phase: 9 },
    ]);
    expect([...p.competing].map((c, t) => (c ? t : -1)).filter((t) => t >= 0)).toEqual([9]);
  });

  it('draws the strip with competition in red, and the picture explains it', () => {
    const p = loadProfile(node, 60, [
      { spec: spec('a-0', { exclusive: true }), phase: 0 },
      { spec: spec('b-0'), phase: 5 },
    ]);
    const strip = renderLoadStrip(p, (t) => t * 10, 100);
    expect(strip).toContain('fill="#d00"');
    expect(strip).toContain('5 s competing');
    const svg = renderTimeline([node], { horizon: 60, instances: [spec('a-0'), spec('b-0')] }, [
      { id: 'a-0', node: 'edge-1', phase: 0 },
      { id: 'b-0', node: 'edge-1', phase: 30 },
    ]);
    expect(svg).toContain('bandwidth: peak 40 % of declared capacity');
    expect(svg).not.toContain('class="competing"');
    expect(svg).toContain('runs compete (over capacity, or exclusive not alone)');
  });
});
