/**
 * What kube-scheduler would do with the same pods: requests = the idle load (cpu, memory), the
 * least-allocated score; blind to time, bandwidth, exclusivity and shared links (on purpose: it is what
 * kube-scheduler would do), so its runs compete and the checker counts it.
 */
import {
  staticFilter,
  toAmount,
  type InstanceSpec,
  type NodeState,
  type PlacementPolicy,
  type Shape,
} from '../../engine/index.js';
import type { Strategy } from './strategy.js';

const policy: PlacementPolicy = {
  name: 'kube',
  choose(spec: InstanceSpec, shape: Shape, candidates: readonly NodeState[]) {
    let best: NodeState | null = null;
    let bestScore = -Infinity;
    for (const node of candidates) {
      if (staticFilter(node, spec) !== null) continue;
      const c = node.idleSum[0] + shape.idle[0];
      const m = node.idleSum[1] + shape.idle[1];
      if (c > node.cap[0] || m > node.cap[1]) continue;
      const score =
        (node.cap[0] > 0 ? (node.cap[0] - c) / node.cap[0] : 0) +
        (node.cap[1] > 0 ? (node.cap[1] - m) / node.cap[1] : 0);
      if (score > bestScore) {
        bestScore = score;
        best = node;
      }
    }
    return best ? { node: best, phase: shape.release } : null;
  },
  explain(shape: Shape, open: readonly NodeState[]) {
    const need = [shape.idle[0], shape.idle[1], 0];
    let best = open[0]!;
    let bestShort = Infinity;
    for (const n of open) {
      let short = 0;
      for (let r = 0; r < 3; r++) short += Math.max(0, n.idleSum[r]! + need[r]! - n.cap[r]!) / Math.max(1, n.cap[r]!);
      if (short < bestShort) {
        bestShort = short;
        best = n;
      }
    }
    const shown = [0, 1, 2].filter((r) => need[r]! > 0);
    return {
      how: 'kube requests only the idle load',
      need: shown.map((r) => toAmount(r, need[r]!)),
      closest: { node: best.name, left: shown.map((r) => toAmount(r, Math.max(0, best.cap[r]! - best.idleSum[r]!))) },
    };
  },
};

export const kube: Strategy = {
  name: 'kube',
  summary: 'kube: requests = idle load, least allocated; blind to time, bandwidth and shared links',
  policy,
  migrates: false,
  order: (_nodes, instances) => instances,
};
