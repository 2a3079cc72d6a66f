/** Filter plugins that do not depend on time: node selector, affinity, anti-affinity (both ways), spread. */
import type { InstanceSpec } from './instance.js';
import type { NodeState } from './node-state.js';

export type StaticRejection = 'affinity' | 'anti-affinity' | 'spread';

export function matchesSelector(node: NodeState, selector: Record<string, string>): boolean {
  const labels = node.spec.labels;
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

/** Null when the node passes; otherwise which rule refuses it. `ignoreSelf` skips one booked instance (re-validation). */
export function staticFilter(node: NodeState, spec: InstanceSpec): StaticRejection | null {
  for (const a of spec.affinity) if (!node.apps.has(a)) return 'affinity';
  for (const a of spec.antiAffinity) if (node.apps.has(a)) return 'anti-affinity';
  if (node.refused.has(spec.app)) return 'anti-affinity';
  if (spec.spreadGroup !== null && node.spread.has(spec.spreadGroup)) return 'spread';
  return null;
}

/** Who on the node makes the static filter fail, for messages. */
export function staticCulprits(node: NodeState, spec: InstanceSpec, rule: StaticRejection): string[] {
  const out: string[] = [];
  for (const b of node.booked.values()) {
    const o = b.spec;
    if (rule === 'anti-affinity' && (spec.antiAffinity.includes(o.app) || o.antiAffinity.includes(spec.app)))
      out.push(o.id);
    if (rule === 'spread' && o.spreadGroup === spec.spreadGroup) out.push(o.id);
  }
  return out;
}
