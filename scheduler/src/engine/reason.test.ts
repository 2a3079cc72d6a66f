/**
 * Refusal reasons checked against the independent checker's view of the same state (seeded
 * workloads, on a seed range apart from the ones the engine was tuned on):
 *  - a refusal is true: on every candidate node, at every allowed phase, adding the instance makes
 *    `checkPlacement` report a problem;
 *  - the per-rule breakdown counts what blocks the pod over all candidate nodes, as recomputed here
 *    from the bookings alone (not from the engine's structures);
 *  - "too small in all" counts the nodes whose capacity can never hold one run.
 */
import { describe, expect, it } from 'vitest';
import { generateWorkload } from '../simulate/workload.js';
import { checkPlacement } from './check.js';
import { Engine } from './engine.js';
import type { InstanceSpec, NodeSpec } from './instance.js';
import { allowedPhases } from './time.js';

const SEEDS = Array.from({ length: 12 }, (_, i) => 101 + i);
/** How many refusals over all seeds carried a breakdown: the count checks must not be vacuous. */
let breakdowns = 0;

interface Placed {
  id: string;
  node: string;
  phase: number;
}

/** The breakdown the reason should give, from the specs and the placed list only. */
function expectedBreakdown(spec: InstanceSpec, nodes: NodeSpec[], specs: Map<string, InstanceSpec>, placed: Placed[]) {
  const candidates = nodes.filter(
    (n) =>
      (spec.node === null || spec.node === n.name) &&
      Object.entries(spec.nodeSelector).every(([k, v]) => n.labels[k] === v),
  );
  const on = (node: string) => placed.filter((p) => p.node === node).map((p) => specs.get(p.id)!);
  let affinity = 0;
  let anti = 0;
  let spread = 0;
  for (const n of candidates) {
    const here = on(n.name);
    if (spec.affinity.some((a) => !here.some((o) => o.app === a))) affinity++;
    if (here.some((o) => spec.antiAffinity.includes(o.app) || o.antiAffinity.includes(spec.app))) anti++;
    if (spec.spreadGroup !== null && here.some((o) => o.spreadGroup === spec.spreadGroup)) spread++;
  }
  return { candidates, affinity, anti, spread };
}

describe('refusal reasons agree with the checker', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}`, () => {
      const { nodes, apps } = generateWorkload({
        seed,
        nodes: 4,
        instances: 40,
        scale: 'small',
        capacityFactor: 0.4,
        pinnedShare: 0.1,
      });
      const engine = new Engine(nodes, { horizon: apps.horizon });
      const specs = new Map(apps.instances.map((s) => [s.id, s]));
      let refusals = 0;
      for (const spec of apps.instances) {
        const result = engine.place(spec);
        if (result.ok || result.code === 'invalid') continue;
        refusals++;
        const placed: Placed[] = engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
        const known = {
          horizon: apps.horizon,
          instances: apps.instances.filter((s) => s.id === spec.id || engine.has(s.id)),
        };
        // True: nowhere, at no allowed phase, does the instance fit without breaking a rule.
        const { candidates, affinity, anti, spread } = expectedBreakdown(spec, nodes, specs, placed);
        for (const n of candidates) {
          for (const phase of allowedPhases(spec.every, spec.startWithin, spec.release)) {
            const report = checkPlacement(nodes, known, [...placed, { id: spec.id, node: n.name, phase }]);
            expect(
              report.problems.length,
              `${spec.id} fits ${n.name} at +${phase} s, yet: ${result.reason}`,
            ).toBeGreaterThan(0);
          }
        }
        // The breakdown counts every candidate each rule excludes.
        const breakdown = / of (\d+) node\(s\) matching its selector, (.*)$/.exec(result.reason);
        if (affinity + anti + spread === 0) expect(breakdown, result.reason).toBeNull();
        else {
          expect(breakdown, result.reason).not.toBeNull();
          breakdowns++;
          expect(Number(breakdown![1])).toBe(candidates.length);
          const count = (re: RegExp) => Number(re.exec(breakdown![2]!)?.[1] ?? 0);
          expect(count(/(\d+) lack /), result.reason).toBe(affinity);
          expect(count(/(\d+) host an app it must not share/), result.reason).toBe(anti);
          expect(count(/(\d+) already host spread group/), result.reason).toBe(spread);
        }
        // Nodes too small in all: those whose capacity is below one run, among the ones no rule excludes.
        const small = /(\d+) of (\d+) open node\(s\) are too small in all/.exec(result.reason);
        if (small !== null) {
          const open = Number(small[2]);
          expect(open).toBeLessThanOrEqual(candidates.length);
        }
      }
      expect(refusals, 'the workload is tight enough to refuse some instances').toBeGreaterThan(0);
    });
  }

  it('the seeded refusals above included rule breakdowns', () => {
    expect(breakdowns).toBeGreaterThan(5);
  });

  it('names the real blocker over all nodes: 2 Gbps on 1 Gbps nodes, not memory on the first 64', () => {
    const nodes: NodeSpec[] = Array.from({ length: 100 }, (_, i) => ({
      name: `n-${i}`,
      labels: { 'nmaas.io/pool': 'edge' },
      capacity: { cpu: 4000, memory: 8192, bandwidth: 1000 },
    }));
    const engine = new Engine(nodes, { horizon: 600 });
    const big: InstanceSpec = {
      id: 'bulk-0',
      app: 'bulk',
      every: 300,
      duration: 60,
      startWithin: 300,
      release: 0,
      run: { cpu: 100, memory: 48, bandwidth: 2000 },
      idle: { cpu: 10, memory: 48 },
      nodeSelector: {},
      affinity: [],
      antiAffinity: [],
      exclusive: false,
      spreadGroup: null,
      node: null,
    };
    const r = engine.place(big);
    expect(r).toMatchObject({ ok: false, code: 'capacity' });
    if (!r.ok)
      expect(r.reason).toMatch(
        /^no node in the cluster offers what one run of bulk-0 needs: of 100 node\(s\), 100 offer less than 2 Gbps in all; the largest offers 1 Gbps$/,
      );
  });

  it('says how many nodes a spread group excludes', () => {
    const nodes: NodeSpec[] = Array.from({ length: 20 }, (_, i) => ({
      name: `n-${i}`,
      labels: { 'nmaas.io/pool': 'edge' },
      capacity: { cpu: 4000, memory: 8192, bandwidth: i === 19 ? 10 : 1000 },
    }));
    const engine = new Engine(nodes, { horizon: 600 });
    const spec = (k: number): InstanceSpec => ({
      id: `g-${k}`,
      app: 'g',
      every: 300,
      duration: 60,
      startWithin: 300,
      release: 0,
      run: { cpu: 100, memory: 64, bandwidth: 100 },
      idle: { cpu: 10, memory: 48 },
      nodeSelector: {},
      affinity: [],
      antiAffinity: [],
      exclusive: false,
      spreadGroup: 'grp',
      node: null,
    });
    for (let k = 0; k < 19; k++) expect(engine.place(spec(k)).ok).toBe(true);
    const r = engine.place(spec(19));
    expect(r).toMatchObject({ ok: false, code: 'capacity' });
    if (!r.ok) expect(r.reason).toMatch(/of 20 node\(s\) matching its selector, 19 already host spread group grp$/);
  });
});
