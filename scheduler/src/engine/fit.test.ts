import { describe, expect, it } from 'vitest';
import { family } from '../simulate/families.js';
import { Cluster } from './cluster.js';
import { NmaasDecision } from './decision.js';
import { fitsAt, fitsAtPhase, Scratch } from './fit.js';
import { LookAhead } from './lookahead.js';
import type { BookedInstance } from './node-state.js';
import { slotStep } from './period.js';
import { Random } from './random.js';
import { compileShape } from './shape.js';
import { instanceSpec } from './testing.js';

const HORIZON = 3600;

/**
 * A family's pool filled in arrival order by the ordinary decision, then a third of its bookings removed
 * (removals are what make the node-wide peak stale): the states the repair's search asks about.
 */
function filledCluster(name: string, seed: number) {
  const size = name.startsWith('planted') ? { nodes: 8, instances: 80 } : { nodes: 3, instances: 16 };
  const { nodes, apps } = family(name).generate({ seed, ...size });
  const cluster = new Cluster(HORIZON);
  for (const n of nodes) cluster.addNode(n);
  const scratch = new Scratch(HORIZON);
  const decision = new NmaasDecision(cluster, scratch, new LookAhead(cluster, scratch), 8);
  const booked: BookedInstance[] = [];
  for (const spec of apps.instances) {
    const shape = compileShape(spec);
    const choice = decision.decide(spec, shape);
    if (choice) booked.push(cluster.reserve(spec, shape, choice.node, choice.phase));
  }
  const rnd = new Random(seed);
  for (const b of booked) if (rnd.next() < 1 / 3) cluster.unbook(b);
  return { cluster, instances: apps.instances, rnd };
}

// Folded and day periods, shared links, exclusive runs, packed pools: every path of the two checks.
const FAMILIES = ['long-periods', 'shared-uplinks', 'exclusive-mix', 'planted-100', 'heavy'];

describe('the fit answered without its reasons', () => {
  it.each(FAMILIES)('%s: fitsAtPhase says yes exactly when fitsAt finds no problem', (name) => {
    let asked = 0;
    let fits = 0;
    for (let seed = 1; seed <= 3; seed++) {
      const { cluster, instances, rnd } = filledCluster(name, seed);
      for (const node of cluster.nodes) {
        for (const spec of instances) {
          const shape = compileShape(spec);
          for (const phase of [shape.release, Math.floor(rnd.next() * shape.every)]) {
            const expected = fitsAt(node, shape, phase).length === 0;
            expect(fitsAtPhase(node, shape, phase), `${name} seed ${seed} ${spec.id} on ${node.name} at ${phase}`).toBe(
              expected,
            );
            asked++;
            if (expected) fits++;
          }
        }
      }
    }
    // Both answers occur, or the comparison would show nothing.
    expect(fits).toBeGreaterThan(0);
    expect(fits).toBeLessThan(asked);
  });

  it('agrees on random pools with idle reservations, exclusive and folded periods behind a link', () => {
    const PERIODS = [60, 120, 300, 420, 900, 2700, 3600, 7200, 21600, 86400];
    const reasons = new Set<string>();
    let fits = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const rnd = new Random(seed);
      const spec = (id: string) => {
        const every = rnd.pick(PERIODS);
        return instanceSpec(id, {
          every,
          duration: Math.max(1, Math.floor(every * (0.05 + 0.6 * rnd.next()))),
          startWithin: Math.floor(rnd.next() * every),
          run: {
            cpu: 200 + Math.floor(rnd.next() * 1200),
            memory: 100 + Math.floor(rnd.next() * 900),
            bandwidth: rnd.pick([0, 100, 250, 400]),
          },
          idle: { cpu: rnd.pick([0, 0, 50, 300]), memory: rnd.pick([0, 100, 400]) },
          exclusive: rnd.next() < 0.2,
        });
      };
      const cluster = new Cluster(HORIZON);
      for (const name of ['a', 'b'])
        cluster.addNode({
          name,
          labels: {},
          capacity: { cpu: 2000, memory: 2048, bandwidth: 1000 },
          links: [{ name: 'uplink', capacity: 600 }],
        });
      const booked: BookedInstance[] = [];
      for (let i = 0; i < 24; i++) {
        const x = spec(`x-${i}`);
        const shape = compileShape(x);
        const node = rnd.pick(cluster.nodes);
        const phase = Math.floor(rnd.next() * x.every);
        if (fitsAt(node, shape, phase).length === 0) booked.push(cluster.reserve(x, shape, node, phase));
      }
      for (const b of booked) if (rnd.next() < 0.3) cluster.unbook(b);
      for (let i = 0; i < 60; i++) {
        const shape = compileShape(spec(`y-${i}`));
        const node = rnd.pick(cluster.nodes);
        const phase = Math.floor(rnd.next() * shape.every);
        const problems = fitsAt(node, shape, phase);
        expect(fitsAtPhase(node, shape, phase), `seed ${seed} y-${i} at ${phase}: ${problems.join('; ')}`).toBe(
          problems.length === 0,
        );
        if (problems.length === 0) fits++;
        for (const p of problems) reasons.add(p.replace(/^\d+ /, '').replace(/ of .*$/, ''));
      }
    }
    expect(fits).toBeGreaterThan(0);
    // Every kind of problem fitsAt names was met, so each early answer was compared with it.
    expect([...reasons].sort()).toEqual([
      'active slot(s) would break an exclusive rule',
      'active slot(s) would exceed the capacity',
      "active slot(s) would exceed the node's capacity",
      'idle cpu does not fit at the busiest slot',
      'idle memory does not fit at the busiest slot',
      'its runs would meet those',
    ]);
  });

  it.each(FAMILIES)('%s: markRunBlocked marks exactly the run slots the per-slot checks block', (name) => {
    const { cluster, instances, rnd } = filledCluster(name, 1);
    const mark = new Uint8Array(HORIZON);
    let blocked = 0;
    for (const node of cluster.nodes) {
      for (const spec of instances) {
        const shape = compileShape(spec);
        const phase = Math.floor(rnd.next() * shape.every);
        mark.fill(0);
        node.markRunBlocked(shape, phase, mark, 1);
        for (const l of node.links) l.markRunBlocked(shape, phase, mark, 2);
        const expected = new Uint8Array(HORIZON);
        const { step, length } = slotStep(shape.every, shape.duration, HORIZON);
        for (let start = phase % step; start < HORIZON; start += step) {
          for (let d = 0; d < length; d++) {
            const t = (start + d) % HORIZON;
            if (node.runBlockedAt(t, shape) !== 0) expected[t]! |= 1;
            for (const l of node.links) if (l.blockedAt(t, shape)) expected[t]! |= 2;
          }
        }
        const where = `${name} ${spec.id} on ${node.name} at ${phase}`;
        if (!Buffer.from(mark).equals(Buffer.from(expected))) expect(mark, where).toEqual(expected);
        blocked += expected.reduce((n, m) => n + (m !== 0 ? 1 : 0), 0);
      }
    }
    expect(blocked).toBeGreaterThan(0);
  });
});
