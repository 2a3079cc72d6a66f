import { describe, expect, it } from 'vitest';
import type { InstanceSpec, NodeSpec } from '../engine/index.js';
import { instanceSpec } from '../engine/testing.js';
import { renderTimeline } from './svg.js';

const nodes: NodeSpec[] = [
  { name: 'edge-1', labels: {}, capacity: { cpu: 1000, memory: 1024, bandwidth: 100 } },
  { name: 'edge-2', labels: {}, capacity: { cpu: 1000, memory: 1024, bandwidth: 100 } },
];
/** A one-minute probe running 10 s; its app is the id's first word. */
const spec = (id: string, over: Partial<InstanceSpec> = {}): InstanceSpec =>
  instanceSpec(id, {
    app: id.split('-')[0]!,
    duration: 10,
    startWithin: 60,
    run: { cpu: 300, memory: 256, bandwidth: 30 },
    idle: { cpu: 10, memory: 64 },
    ...over,
  });
const apps = { horizon: 60, instances: [spec('a-0'), spec('b-0'), spec('c-0'), spec('d-0')] };
/** edge-1: a and b co-run in seconds 5–9; edge-2: c and d never overlap. */
const placed = [
  { id: 'a-0', node: 'edge-1', phase: 0 },
  { id: 'b-0', node: 'edge-1', phase: 5 },
  { id: 'c-0', node: 'edge-2', phase: 0 },
  { id: 'd-0', node: 'edge-2', phase: 30 },
];

/** The document split per node group, in order. */
const nodeGroups = (svg: string) => svg.split('<g class="node">').slice(1);

describe('the plan picture', () => {
  const svg = renderTimeline(nodes, apps, placed);

  it('puts the legend and the time axis before the first node, at the top', () => {
    const legend = svg.indexOf('<g class="legend">');
    const axis = svg.indexOf('<g class="axis">');
    const firstNode = svg.indexOf('<g class="node">');
    expect(legend).toBeGreaterThan(0);
    expect(axis).toBeGreaterThan(legend);
    expect(firstNode).toBeGreaterThan(axis);
    const axisLabelY = Number(/<g class="axis"><text x="\d+" y="(\d+)"/.exec(svg)![1]);
    const firstBandY = Number(/<g class="node">\n<rect x="\d+" y="(\d+)"/.exec(svg)![1]);
    expect(axisLabelY).toBeLessThan(firstBandY);
    for (const app of ['a', 'b', 'c', 'd']) expect(svg.slice(legend, axis)).toContain(`>${app}</text>`);
  });

  it("draws each node's cpu, memory and bandwidth use over the period", () => {
    for (const group of nodeGroups(svg)) {
      expect(group).toContain('<g class="strip cpu">');
      expect(group).toContain('<g class="strip memory">');
      expect(group).toContain('<g class="strip bandwidth">');
    }
    // edge-1 at its peak: a and b both run, 2 × 300 of 1000 cpu, 2 × 30 of 100 Mbps.
    expect(nodeGroups(svg)[0]).toContain('cpu: peak 60 % of declared capacity');
    expect(nodeGroups(svg)[0]).toContain('bandwidth: peak 60 % of declared capacity');
    // edge-2: one run at a time, 300 plus the other's idle 10.
    expect(nodeGroups(svg)[1]).toContain('cpu: peak 31 % of declared capacity');
  });

  it('marks overlapping runs where two co-run, and only there', () => {
    const [edge1, edge2] = nodeGroups(svg);
    const marks = [...edge1!.matchAll(/<rect class="overlap" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)];
    expect(marks).toHaveLength(1);
    // Seconds 5–9 of a 60 s horizon drawn 1200 px wide from x = 280.
    expect(Number(marks[0]![1])).toBeCloseTo(280 + (5 / 60) * 1200);
    expect(Number(marks[0]![2])).toBeCloseTo((5 / 60) * 1200);
    expect(edge1).toContain('overlap: 5 s with runs co-running within capacity');
    expect(edge2).not.toContain('class="overlap"');
    expect(edge2).toContain('overlap: 0 s');
    expect(svg).not.toContain('class="competing"');
  });

  it('marks competition apart from overlap', () => {
    const heavy = { horizon: 60, instances: [spec('a-0', { exclusive: true }), spec('b-0')] };
    const picture = renderTimeline(nodes, heavy, placed.slice(0, 2));
    expect(picture).toContain('class="competing"');
    expect(picture).not.toContain('class="overlap"');
    expect(picture).toContain('5 s competing');
  });

  it('bounds big plans with a note at the top', () => {
    const picture = renderTimeline(nodes, apps, placed, { maxNodes: 1, note: 'a partial view' });
    expect(nodeGroups(picture)).toHaveLength(1);
    const note = picture.indexOf('1 more nodes with runs not drawn');
    expect(note).toBeGreaterThan(0);
    expect(note).toBeLessThan(picture.indexOf('<g class="legend">'));
    expect(picture).toContain('a partial view');
  });
});
