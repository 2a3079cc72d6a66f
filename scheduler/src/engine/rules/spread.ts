/**
 * Spread: at most one instance of a spread group per node. Lasting: more bookings never lift it.
 *  - filter: `spread.blocks` (the node's spread-group counts);
 *  - phases: none (time-blind);
 *  - refusal: code 'spread' when it excludes every candidate;
 *  - readapt: its culprits are moved first;
 *  - checker: `sameSpreadGroup`, over every pair of instances on a node.
 */
import type { InstanceSpec } from '../instance.js';
import type { NodeState } from '../node-state.js';
import type { NodeRule } from './node-rule.js';

/** The definition: two instances of one spread group. */
export function sameSpreadGroup(a: { spreadGroup: string | null }, b: { spreadGroup: string | null }): boolean {
  return a.spreadGroup !== null && a.spreadGroup === b.spreadGroup;
}

export const spread: NodeRule<'spread'> = {
  name: 'spread',
  lasting: true,
  blocks: (node: NodeState, spec: InstanceSpec) => spec.spreadGroup !== null && node.spread.has(spec.spreadGroup),
  culprits(node: NodeState, spec: InstanceSpec): string[] {
    const out: string[] = [];
    for (const b of node.booked.values()) if (sameSpreadGroup(spec, b.spec)) out.push(b.spec.id);
    return out;
  },
  excludes: (count, spec) => `${count} already host spread group ${spec.spreadGroup}`,
};

/** The refusal's sentence when spread excludes every candidate. */
export function describeSpread(r: { where: string; group: string | null }): string {
  return `every node in ${r.where} already hosts an instance of spread group ${r.group} (one per node); add a node to ${r.where} or drop spread`;
}
