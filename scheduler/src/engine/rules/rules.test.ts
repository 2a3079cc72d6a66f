/**
 * Each node rule's engine view (indexes kept by NodeState) agrees with its definition (the pure
 * function the checker uses), on seeded clusters where instances are booked with no regard for the
 * rules, so every rule is broken somewhere.
 */
import { describe, expect, it } from 'vitest';
import { Cluster } from '../cluster.js';
import { compileShape } from '../shape.js';
import { generateWorkload } from '../../simulate/workload.js';
import { Random } from '../../simulate/random.js';
import { affinity, missingAffinity } from './affinity.js';
import { antiAffinity, antiAffinityConflict } from './anti-affinity.js';
import { NODE_RULES } from './index.js';
import { sameSpreadGroup, spread } from './spread.js';
import type { InstanceSpec } from '../instance.js';

const definitions = {
  affinity: (spec: InstanceSpec, here: InstanceSpec[]) => missingAffinity(spec, here).length > 0,
  'anti-affinity': (spec: InstanceSpec, here: InstanceSpec[]) => here.some((o) => antiAffinityConflict(spec, o)),
  spread: (spec: InstanceSpec, here: InstanceSpec[]) => here.some((o) => sameSpreadGroup(spec, o)),
};

/** How often each rule blocked over all seeds: the agreement must not be vacuous. */
const blocked = { affinity: 0, 'anti-affinity': 0, spread: 0 };

describe('node rules: the engine view is the definition', () => {
  it('covers every registered node rule', () => {
    expect(NODE_RULES.map((r) => r.name).sort()).toEqual(Object.keys(definitions).sort());
    expect(NODE_RULES).toEqual([affinity, antiAffinity, spread]);
  });

  for (const seed of [201, 202, 203, 204, 205, 206]) {
    it(`seed ${seed}: blocks and culprits match the definitions on every node, for every instance`, () => {
      const { nodes, apps } = generateWorkload({ seed, nodes: 6, instances: 60, scale: 'small' });
      const random = new Random(seed);
      const cluster = new Cluster(apps.horizon);
      for (const n of nodes) cluster.addNode(n);
      const [placed, outside] = [apps.instances.slice(0, 45), apps.instances.slice(45)];
      const on = new Map<string, InstanceSpec[]>();
      for (const spec of placed) {
        const node = cluster.nodes[Math.floor(random.next() * cluster.nodes.length)]!;
        cluster.reserve(spec, compileShape(spec), node, 0);
        on.set(node.name, [...(on.get(node.name) ?? []), spec]);
      }
      // Release a few so that the indexes also go down.
      for (const spec of placed.slice(0, 10)) {
        const b = cluster.booked.get(spec.id)!;
        on.set(
          b.node.name,
          on.get(b.node.name)!.filter((s) => s !== spec),
        );
        cluster.unbook(b);
      }
      for (const node of cluster.nodes) {
        const here = on.get(node.name) ?? [];
        for (const spec of outside) {
          for (const rule of NODE_RULES) {
            const expected = definitions[rule.name](spec, here);
            expect(rule.blocks(node, spec), `${rule.name} ${spec.id} on ${node.name}`).toBe(expected);
            if (expected) blocked[rule.name]++;
          }
          expect(antiAffinity.culprits(node, spec).sort()).toEqual(
            here
              .filter((o) => antiAffinityConflict(spec, o))
              .map((o) => o.id)
              .sort(),
          );
          expect(spread.culprits(node, spec).sort()).toEqual(
            here
              .filter((o) => sameSpreadGroup(spec, o))
              .map((o) => o.id)
              .sort(),
          );
        }
      }
    });
  }

  it('every rule blocked somewhere in the seeded clusters above', () => {
    for (const count of Object.values(blocked)) expect(count).toBeGreaterThan(0);
  });
});
