/**
 * First-fit decreasing, time-blind: reserves each instance's run load for the whole horizon (an
 * exclusive instance takes the node alone), in decreasing size order. Safe, but places less. A shared
 * link is reserved the same way: the run bandwidth of every instance on the nodes behind it, for the
 * whole horizon, stays within the link's capacity.
 */
import {
  staticFilter,
  toAmount,
  type InstanceSpec,
  type NodeSpec,
  type NodeState,
  type PlacementPolicy,
  type Shape,
} from '../../engine/index.js';
import type { Strategy } from './strategy.js';

/** Largest run demand, normalised by the largest node, per resource. */
function sizeOf(nodes: NodeSpec[]): (s: InstanceSpec) => number {
  const max = { cpu: 1, memory: 1, bandwidth: 1 };
  for (const n of nodes) {
    max.cpu = Math.max(max.cpu, n.capacity.cpu);
    max.memory = Math.max(max.memory, n.capacity.memory);
    max.bandwidth = Math.max(max.bandwidth, n.capacity.bandwidth);
  }
  return (s) => Math.max(s.run.cpu / max.cpu, s.run.memory / max.memory, s.run.bandwidth / max.bandwidth);
}

/** FFD's order: decreasing size (largest run demand, normalised by the largest node), stable. */
export function ffdOrder(nodes: NodeSpec[], instances: InstanceSpec[]): InstanceSpec[] {
  const size = sizeOf(nodes);
  return instances
    .map((s, k) => ({ s, k, z: size(s) }))
    .sort((a, b) => b.z - a.z || a.k - b.k)
    .map((x) => x.s);
}

/** Run bandwidth ffd has reserved on a link: every instance sending through it, for the whole horizon. */
function linkReserved(link: NodeState['links'][number]): number {
  let sum = 0;
  for (const b of link.booked.values()) sum += b.shape.run[2];
  return sum;
}

/** Whether the run bandwidth still fits, for the whole horizon, on every link behind the node. */
const linksHoldRoom = (node: NodeState, shape: Shape): boolean =>
  shape.run[2] === 0 || node.links.every((l) => linkReserved(l) + shape.run[2] <= l.cap);

/** What ffd holds for an instance on every slot: max(run, idle) per resource. */
const demand = (shape: Shape): number[] => shape.run.map((v, r) => Math.max(v, shape.idle[r]!));

const policy: PlacementPolicy = {
  name: 'ffd',
  choose(spec: InstanceSpec, shape: Shape, candidates: readonly NodeState[]) {
    const need = demand(shape);
    for (const node of candidates) {
      if (staticFilter(node, spec) !== null) continue;
      if (shape.exclusive ? node.count > 0 : node.exclusiveCount > 0) continue;
      let ok = true;
      for (let r = 0; r < 3; r++) if (node.reserved[r]! + need[r]! > node.cap[r]!) ok = false;
      if (ok && linksHoldRoom(node, shape)) return { node, phase: shape.release };
    }
    return null;
  },
  explain(shape: Shape, open: readonly NodeState[]) {
    const need = demand(shape);
    let best = open[0]!;
    let bestShort = Infinity;
    for (const n of open) {
      let short = 0;
      for (let r = 0; r < 3; r++) short += Math.max(0, n.reserved[r]! + need[r]! - n.cap[r]!) / Math.max(1, n.cap[r]!);
      for (const l of n.links) short += Math.max(0, linkReserved(l) + shape.run[2] - l.cap) / Math.max(1, l.cap);
      if (shape.exclusive && n.count > 0) short += 1;
      if (short < bestShort) {
        bestShort = short;
        best = n;
      }
    }
    const shown = [0, 1, 2].filter((r) => need[r]! > 0);
    return {
      how: open.some((n) => n.links.length > 0)
        ? 'ffd reserves the run load for the whole horizon, on nodes and on their shared links'
        : 'ffd reserves the run load for the whole horizon',
      need: shown.map((r) => toAmount(r, need[r]!)),
      closest: { node: best.name, left: shown.map((r) => toAmount(r, Math.max(0, leftOn(best, r)))) },
    };
  },
};

/** What ffd has left unreserved on a node for resource r; for bandwidth, also on every link behind it. */
function leftOn(node: NodeState, r: number): number {
  let left = node.cap[r]! - node.reserved[r]!;
  if (r === 2) for (const l of node.links) left = Math.min(left, l.cap - linkReserved(l));
  return left;
}

export const ffd: Strategy = {
  name: 'ffd',
  summary: 'ffd: first fit decreasing, reserving the run load (and shared links) for the whole horizon',
  policy,
  migrates: false,
  order: ffdOrder,
};
