/**
 * Affinity: an instance must share its node with at least one instance of each app it names.
 * Not lasting: a later booking may satisfy it.
 *  - filter: `affinity.blocks` (the node's app counts); with affinity the decision walks only the
 *    nodes hosting the rarest required app (decision.ts);
 *  - phases: none (time-blind);
 *  - refusal: code 'affinity' when it excludes the most candidates, with the apps to place first;
 *  - checker: `missingAffinity`, over the instances placed on the node.
 */
import type { InstanceSpec } from '../instance.js';
import type { NodeState } from '../node-state.js';
import { list } from '../words.js';
import type { NodeRule } from './node-rule.js';

/** The definition: the apps the instance names that no other instance on its node is. */
export function missingAffinity(spec: { affinity: string[] }, neighbours: readonly { app: string }[]): string[] {
  return spec.affinity.filter((app) => !neighbours.some((o) => o.app === app));
}

export const affinity: NodeRule<'affinity'> = {
  name: 'affinity',
  lasting: false,
  blocks(node: NodeState, spec: InstanceSpec): boolean {
    for (const a of spec.affinity) if (!node.apps.has(a)) return true;
    return false;
  },
  // What blocks is an absence: nothing on the node is in the way.
  culprits: () => [],
  excludes: (count, spec) => `${count} lack ${list(spec.affinity)} (affinity)`,
};

/** The refusal's sentence when affinity empties the candidate set. */
export function describeAffinity(r: {
  self: string;
  where: string;
  apps: string[];
  hosting: number;
  candidates: number;
}): string {
  const many = r.apps.length > 1;
  const fix =
    r.hosting === 0
      ? `place ${many ? 'those apps' : r.apps[0]} first`
      : `the ${r.hosting} node(s) hosting ${many ? 'them' : 'it'} are excluded by other rules`;
  return `${r.hosting === 0 ? 'no node' : `only ${r.hosting} of ${r.candidates} nodes`} in ${r.where} already host${r.hosting <= 1 ? 's' : ''} ${list(r.apps)}, which ${r.self} must share a node with (affinity); ${fix}`;
}
