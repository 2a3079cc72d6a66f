/**
 * A strategy the simulator compares: the order it sees instances in and how it chooses a node. The
 * production engine has one decision (nmaas); the baselines exist only here, as placement policies
 * the engine accepts in its options.
 */
import type { InstanceSpec, NodeSpec, PlacementPolicy } from '../../engine/index.js';

export interface Strategy {
  readonly name: string;
  /** One line for `--strategy`'s help and the docs. */
  readonly summary: string;
  /** The engine's placement policy, or null for the engine's own decision. */
  readonly policy: PlacementPolicy | null;
  /** Whether it may move booked instances to make room (`--migrations`). */
  readonly migrates: boolean;
  /** The order it sees the instances in. */
  order(nodes: NodeSpec[], instances: InstanceSpec[]): InstanceSpec[];
}
