/**
 * A placement rule between the instances sharing a node, blind to time: a node passes or not whatever
 * the phase. Each such rule is one module carrying every view of it (scheduler/README.md, "Where a
 * change belongs").
 */
import type { InstanceSpec } from '../instance.js';
import type { NodeState } from '../node-state.js';

export interface NodeRule<Name extends string = string> {
  readonly name: Name;
  /**
   * Whether more bookings can never lift the rule (anti-affinity, spread): the decision's cursors then
   * skip the node for good, until something leaves it.
   */
  readonly lasting: boolean;
  /** The engine's view (filter, hot path): whether the node's bookings rule the instance out, from its indexes. */
  blocks(node: NodeState, spec: InstanceSpec): boolean;
  /** Booking ids on the node that make it block (what readapt must move, what a refusal names). */
  culprits(node: NodeState, spec: InstanceSpec): string[];
  /** The refusal's breakdown phrase for the candidates it excludes: "19 already host spread group g". */
  excludes(count: number, spec: { affinity: string[]; spreadGroup: string | null }): string;
}
