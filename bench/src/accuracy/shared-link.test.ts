import { describe, expect, it } from 'vitest';
import { checkPlacement, Engine } from '@nmaas/scheduler/engine';
import {
  renderSharedLink,
  renderSharedLinkPanel,
  sharedLinkFigures,
  sharedLinkInstances,
  sharedLinkNodes,
  type ProbeRun,
} from './shared-link.js';

const plan = { rateMbit: 100, periodSeconds: 20, durationSeconds: 5 };

function phases(links: boolean): Record<string, number> {
  const engine = new Engine(sharedLinkNodes(plan, links), { horizon: 3600 });
  const out: Record<string, number> = {};
  for (const spec of sharedLinkInstances(plan)) {
    const r = engine.place(spec);
    if (!r.ok) throw new Error(r.reason);
    out[r.node] = r.phase;
  }
  return out;
}

describe('shared-link set-up', () => {
  it('the engine overlaps the two probes without the link model and staggers them with it', () => {
    const without = phases(false);
    const withLinks = phases(true);
    expect(without['node-a']).toBe(without['node-b']);
    const gap = (withLinks['node-b']! - withLinks['node-a']! + plan.periodSeconds) % plan.periodSeconds;
    expect(gap).toBeGreaterThanOrEqual(plan.durationSeconds);
    expect(gap).toBeLessThanOrEqual(plan.periodSeconds - plan.durationSeconds);
    const apps = { horizon: 3600, instances: sharedLinkInstances(plan) };
    const placed = (p: Record<string, number>) =>
      Object.entries(p).map(([node, phase]) => ({ id: `bandwidth-${node}`, node, phase }));
    const nodes = sharedLinkNodes(plan, true);
    expect(checkPlacement(nodes, apps, placed(without)).competingSlotSeconds).toBe(900);
    expect(checkPlacement(nodes, apps, placed(withLinks)).competingSlotSeconds).toBe(0);
  });

  it('reports each set-up’s error against the shaped rate', () => {
    const runs: ProbeRun[] = [
      { setup: 'without-link-model', node: 'node-a', period: 0, mbps: 48 },
      { setup: 'without-link-model', node: 'node-b', period: 0, mbps: 46 },
      { setup: 'with-link-model', node: 'node-a', period: 0, mbps: 95 },
      { setup: 'with-link-model', node: 'node-b', period: 0, mbps: 93 },
    ];
    const figures = sharedLinkFigures(runs, 100);
    expect(figures).toEqual([
      {
        setup: 'without-link-model',
        runs: 2,
        medianMbps: 47,
        perNode: { 'node-a': 48, 'node-b': 46 },
        medianError: -0.53,
        medianAbsError: 0.53,
        worstAbsError: 0.54,
      },
      {
        setup: 'with-link-model',
        runs: 2,
        medianMbps: 94,
        perNode: { 'node-a': 95, 'node-b': 93 },
        medianError: -0.06,
        medianAbsError: 0.06,
        worstAbsError: 0.07,
      },
    ]);
    const result = {
      date: '2026-12-04T18:00:00Z',
      wallSeconds: 500,
      bed: 'four namespaces',
      plan: { ...plan, periods: 1, rounds: 1 },
      declaredMbps: 80,
      phases: { 'without-link-model': { 'node-a': 0, 'node-b': 0 }, 'with-link-model': { 'node-a': 0, 'node-b': 5 } },
      competingSlotSeconds: { 'without-link-model': 900, 'with-link-model': 0 },
      commands: [],
      loadAverage: { start: [1], end: [2] },
      figures,
      runs,
    };
    const md = renderSharedLink(result);
    const panel = renderSharedLinkPanel(result, 650, 740);
    expect(panel.match(/<circle /g)).toHaveLength(4);
    expect(panel).toContain('median 47.0 Mbit/s (-53.0 %)');
    expect(md).toContain('| without-link-model | 2 | 47 | 48 | 46 | -53.0 % | 53.0 % | 54.0 % |');
    expect(md).toContain('| with-link-model | 2 | 94 | 95 | 93 | -6.0 % | 6.0 % | 7.0 % |');
  });
});
