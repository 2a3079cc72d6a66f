/**
 * Capacity: in every slot, a node's load (each instance's run load while active, its idle load
 * otherwise) stays within its cpu, memory and bandwidth.
 *  - filter and phases: the idle load must fit beside the busiest slot (`idleShortfall`), and a run is
 *    blocked in a slot where its run load would overflow — NodeState keeps the per-slot extra load and
 *    its period folds (`scanFold`, `runBlockedAt` bits 0–2, read by fit.ts and the refusal);
 *  - refusal: code 'capacity' — no node big enough (`tooSmall`), the idle reservation, or the closest
 *    node in time (refusal.ts);
 *  - checker: `overCapacity`, per slot and resource of each node, in floating point.
 */
import type { NodeState } from '../node-state.js';
import type { Shape } from '../shape.js';

/** Tolerance of the checker's floating-point sums. */
const EPS = 1e-9;

/** The definition. */
export function overCapacity(load: number, capacity: number): boolean {
  return load > capacity + EPS;
}

/** Whether the node could never hold one run or the idle load of resource r, whatever else it holds. */
export function tooSmall(node: NodeState, shape: Shape, r: number): boolean {
  return node.cap[r]! < Math.max(shape.run[r]!, shape.idle[r]!);
}

/** The resource whose idle load cannot fit beside the node's busiest slot, or -1. */
export function idleShortfall(node: NodeState, shape: Shape): number {
  if (node.count === 0) return -1;
  const peak = node.peak();
  for (let r = 0; r < 3; r++) if (peak[r]! + node.idleSum[r]! + shape.idle[r]! > node.cap[r]!) return r;
  return -1;
}
