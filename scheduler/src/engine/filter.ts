/**
 * The filter's time-blind part: the node rules (rules/), in order. Null when the node passes;
 * otherwise the first rule that refuses it.
 */
import type { InstanceSpec } from './instance.js';
import type { NodeState } from './node-state.js';
import { NODE_RULES, type NodeRule, type NodeRuleName } from './rules/index.js';

export { matchesSelector } from './rules/selector.js';
export type StaticRejection = NodeRuleName;

export function staticFilter(node: NodeState, spec: InstanceSpec): NodeRule<NodeRuleName> | null {
  for (const rule of NODE_RULES) if (rule.blocks(node, spec)) return rule;
  return null;
}
