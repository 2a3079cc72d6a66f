/**
 * Anti-affinity: an instance must not share its node with the apps it names, nor with an instance
 * that names its app (enforced both ways). Lasting: more bookings never lift it.
 *  - filter: `antiAffinity.blocks` (the node's app counts and its `refused` counts);
 *  - score: the decision prefers nodes where a booking shuts out the fewest apps (decision.ts);
 *  - phases: none (time-blind);
 *  - refusal: code 'anti-affinity', naming the node with the fewest instances in the way;
 *  - readapt: its culprits are moved first;
 *  - checker: `antiAffinityConflict`, over every pair of instances on a node.
 */
import type { InstanceSpec } from '../instance.js';
import type { NodeState } from '../node-state.js';
import { list } from '../words.js';
import type { NodeRule } from './node-rule.js';

/** The definition: two instances that may not share a node. */
export function antiAffinityConflict(
  a: { app: string; antiAffinity: string[] },
  b: { app: string; antiAffinity: string[] },
): boolean {
  return a.antiAffinity.includes(b.app) || b.antiAffinity.includes(a.app);
}

export const antiAffinity: NodeRule<'anti-affinity'> = {
  name: 'anti-affinity',
  lasting: true,
  blocks(node: NodeState, spec: InstanceSpec): boolean {
    for (const a of spec.antiAffinity) if (node.apps.has(a)) return true;
    return node.refused.has(spec.app);
  },
  culprits(node: NodeState, spec: InstanceSpec): string[] {
    const out: string[] = [];
    for (const b of node.booked.values()) if (antiAffinityConflict(spec, b.spec)) out.push(b.spec.id);
    return out;
  },
  excludes: (count) => `${count} host an app it must not share a node with (anti-affinity)`,
};

/** The refusal's sentence when anti-affinity empties the candidate set; `culprits` are already named. */
export function describeAntiAffinity(r: {
  self: string;
  where: string;
  app: string;
  refuses: string[];
  closest: string;
  culprits: string[];
}): string {
  return `every node in ${r.where} that could take ${r.self} hosts an app it must not share a node with (anti-affinity${r.refuses.length ? ` with ${list(r.refuses)}` : ''}, or an app refusing ${r.app}); e.g. ${r.closest} (${list(r.culprits)})`;
}
