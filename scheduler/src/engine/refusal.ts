/**
 * Why an instance could not be placed, as data: which rule emptied the candidate set (counted over
 * every candidate node), or — when nodes match but time is short — the closest node, who keeps it busy
 * and the window the instance needs. Runs only on rejection; `describeRefusal` (reporting.ts) words it.
 */
import type { Amount, Refusal, RefusalBase, RuleCounts, StrategyName, TooSmall } from './types.js';
import { staticCulprits, type StaticRejection } from './filter.js';
import type { InstanceSpec } from './instance.js';
import type { NodeState } from './node-state.js';
import type { Shape } from './shape.js';
import { fromUnits, RESOURCES } from './units.js';

export interface RefusalContext {
  horizon: number;
  strategy: StrategyName;
  nodes: NodeState[];
}

/**
 * Exact slot reads the closest-node search may spend (about 10 ms): nodes are visited in the order of
 * a lower bound read from their period folds, and the search stops early once no node left can beat
 * the best found, or when this budget runs out (the refusal then says it was not exhaustive).
 */
const EXACT_READ_BUDGET = 4_000_000;

function amount(r: number, units: number): Amount {
  return { resource: RESOURCES[r]!, amount: fromUnits(r, units) };
}

/** The refusal of an instance whose spec the engine cannot place in its horizon at all. */
export function invalidRefusal(spec: InstanceSpec, problem: string): Refusal {
  return {
    ...base(spec, 0, { affinity: 0, 'anti-affinity': 0, spread: 0 }),
    code: 'invalid',
    rule: 'invalid',
    problem,
  };
}

function base(spec: InstanceSpec, candidates: number, counts: RuleCounts): RefusalBase {
  return {
    id: spec.id,
    app: spec.app,
    scope: { node: spec.node, selector: { ...spec.nodeSelector } },
    candidates,
    counts,
    affinity: [...spec.affinity],
    antiAffinity: [...spec.antiAffinity],
    spreadGroup: spec.spreadGroup,
  };
}

export function refusalOf(ctx: RefusalContext, spec: InstanceSpec, shape: Shape, candidates: NodeState[]): Refusal {
  const counts: RuleCounts = { affinity: 0, 'anti-affinity': 0, spread: 0 };
  if (candidates.length === 0) {
    const common = base(spec, 0, counts);
    if (spec.node !== null && !ctx.nodes.some((n) => !n.dead && n.name === spec.node))
      return { ...common, code: 'no-node', rule: 'pin' };
    const pools = [...new Set(ctx.nodes.filter((n) => !n.dead && n.pool !== null).map((n) => n.pool!))].sort();
    return { ...common, code: 'no-node', rule: 'selector', pools };
  }
  // Every rule a node breaks is counted (not only the first), over all candidates: the counts say
  // what really blocks the pod, and how much room each rule leaves.
  const firstRule: RuleCounts = { affinity: 0, 'anti-affinity': 0, spread: 0 };
  const open: NodeState[] = [];
  let antiNode: NodeState | null = null;
  let antiCulprits: string[] = [];
  for (const n of candidates) {
    const rules = staticRejections(n, spec);
    if (rules.length === 0) open.push(n);
    else {
      firstRule[rules[0]!]++;
      for (const rule of rules) counts[rule]++;
      if (rules.includes('anti-affinity')) {
        // The node with the fewest instances in the way: the one a user would free first.
        const culprits = staticCulprits(n, spec, 'anti-affinity');
        if (antiNode === null || culprits.length < antiCulprits.length) {
          antiNode = n;
          antiCulprits = culprits;
        }
      }
    }
  }
  const common = base(spec, candidates.length, counts);
  if (open.length === 0) {
    if (
      firstRule.affinity > 0 &&
      firstRule.affinity >= firstRule['anti-affinity'] &&
      firstRule.affinity >= firstRule.spread
    ) {
      return {
        ...common,
        code: 'affinity',
        rule: 'affinity',
        culprits: [...spec.affinity],
        hosting: candidates.length - counts.affinity,
      };
    }
    if (firstRule['anti-affinity'] >= firstRule.spread && antiNode !== null) {
      return {
        ...common,
        code: 'anti-affinity',
        rule: 'anti-affinity',
        culprits: antiCulprits.sort(),
        closest: { node: antiNode.name },
      };
    }
    return { ...common, code: 'spread', rule: 'spread' };
  }
  if (ctx.strategy === 'ffd' || ctx.strategy === 'kube')
    return { ...common, code: 'capacity', ...reservationRefusal(shape, open, ctx.strategy) };
  // Nodes that could never hold one run (or the idle reservation), whatever the time: counted over all of them.
  const small = [0, 0, 0];
  const roomy: NodeState[] = [];
  for (const n of open) {
    let fits = true;
    for (let r = 0; r < 3; r++) {
      if (n.cap[r]! < Math.max(shape.run[r]!, shape.idle[r]!)) {
        small[r]!++;
        fits = false;
      }
    }
    if (fits) roomy.push(n);
  }
  const tooSmall: TooSmall[] = [0, 1, 2]
    .filter((r) => small[r]! > 0)
    .map((r) => ({ ...amount(r, Math.max(shape.run[r]!, shape.idle[r]!)), nodes: small[r]! }));
  if (roomy.length === 0) {
    const largest = [0, 1, 2]
      .filter((r) => small[r]! > 0)
      .map((r) => amount(r, Math.max(...open.map((n) => n.cap[r]!))));
    return { ...common, code: 'capacity', rule: 'capacity', kind: 'size', tooSmall, largest, open: open.length };
  }
  return {
    ...common,
    code: 'capacity',
    ...timeRefusal(ctx.horizon, shape, roomy),
    tooSmall,
    open: open.length,
    tooSmallNodes: open.length - roomy.length,
  };
}

/** Every static rule a node breaks for the instance, in the engine's filter order. */
function staticRejections(node: NodeState, spec: InstanceSpec): StaticRejection[] {
  const out: StaticRejection[] = [];
  if (spec.affinity.some((a) => !node.apps.has(a))) out.push('affinity');
  if (spec.antiAffinity.some((a) => node.apps.has(a)) || node.refused.has(spec.app)) out.push('anti-affinity');
  if (spec.spreadGroup !== null && node.spread.has(spec.spreadGroup)) out.push('spread');
  return out;
}

/** For the time-blind baselines: the node with the least shortfall once their reservations are counted. */
function reservationRefusal(shape: Shape, nodes: NodeState[], strategy: 'ffd' | 'kube') {
  const demand =
    strategy === 'ffd' ? shape.run.map((v, r) => Math.max(v, shape.idle[r]!)) : [shape.idle[0], shape.idle[1], 0];
  let best = nodes[0]!;
  let bestShort = Infinity;
  for (const n of nodes) {
    const held = strategy === 'ffd' ? n.reserved : n.idleSum;
    let short = 0;
    for (let r = 0; r < 3; r++) short += Math.max(0, held[r]! + demand[r]! - n.cap[r]!) / Math.max(1, n.cap[r]!);
    if (shape.exclusive && strategy === 'ffd' && n.count > 0) short += 1;
    if (short < bestShort) {
      bestShort = short;
      best = n;
    }
  }
  const held = strategy === 'ffd' ? best.reserved : best.idleSum;
  const shown = [0, 1, 2].filter((r) => demand[r]! > 0);
  return {
    rule: 'capacity' as const,
    kind: 'reservation' as const,
    strategy,
    need: shown.map((r) => amount(r, demand[r]!)),
    closest: { node: best.name, left: shown.map((r) => amount(r, Math.max(0, best.cap[r]! - held[r]!))) },
  };
}

/** The resource whose idle reservation cannot fit beside the node's busiest slot, or -1. */
function idleShort(node: NodeState, shape: Shape): number {
  if (node.count === 0) return -1;
  const peak = node.peak();
  for (let r = 0; r < 3; r++) if (peak[r]! + node.idleSum[r]! + shape.idle[r]! > node.cap[r]!) return r;
  return -1;
}

/**
 * Least blocked window sum over the allowed phases, from per-position counts (a sliding window: O(P)).
 * Ties go to the earliest allowed start.
 */
function bestPhase(counts: Int32Array, shape: Shape, first: number, last: number): { phase: number; blocked: number } {
  const P = shape.every;
  let sum = 0;
  for (let d = 0; d < shape.duration; d++) sum += counts[(first + d) % P]!;
  let best = { phase: first % P, blocked: sum };
  for (let k = 1; k <= last; k++) {
    const phase = (first + k) % P;
    sum += counts[(phase + shape.duration - 1) % P]! - counts[(phase - 1 + P) % P]!;
    if (sum < best.blocked) best = { phase, blocked: sum };
  }
  return best;
}

function timeRefusal(horizon: number, shape: Shape, roomy: NodeState[]) {
  // The closest node: least blocked slots at its best allowed phase, over every roomy node. A node whose
  // idle reservation cannot fit is farther than any other; among those, the first in engine order.
  const timed: { node: NodeState; bound: number }[] = [];
  let firstIdleShort: NodeState | null = null;
  for (const n of roomy) {
    if (idleShort(n, shape) >= 0) {
      if (firstIdleShort === null) firstIdleShort = n;
      continue;
    }
    timed.push({ node: n, bound: bestPhase(n.foldBlockedCounts(shape), shape, shape.release, shape.kmax).blocked });
  }
  if (timed.length === 0) {
    const n = firstIdleShort!;
    const r = idleShort(n, shape);
    return {
      rule: 'capacity' as const,
      kind: 'idle' as const,
      need: amount(r, shape.idle[r]!),
      closest: {
        node: n.name,
        free: amount(r, Math.max(0, n.cap[r]! - n.idleSum[r]! - n.peak()[r]!)),
        instances: n.count,
      },
    };
  }
  timed.sort((a, b) => a.bound - b.bound || a.node.index - b.node.index);
  let best: { node: NodeState; phase: number; blocked: number; counts: Int32Array } | null = null;
  let reads = 0;
  let examined = 0;
  let exhaustive = true;
  for (const { node, bound } of timed) {
    if (best !== null && (bound > best.blocked || (bound === best.blocked && node.index > best.node.index))) break;
    if (best !== null && reads + horizon > EXACT_READ_BUDGET) {
      exhaustive = false;
      break;
    }
    reads += horizon;
    examined++;
    const counts = node.blockedCounts(shape);
    const at = bestPhase(counts, shape, shape.release, shape.kmax);
    if (best === null || at.blocked < best.blocked || (at.blocked === best.blocked && node.index < best.node.index))
      best = { node, ...at, counts };
  }
  const { node, phase, blocked, counts } = best!;
  const P = shape.every;
  // Which limits the run breaks over its slots at that phase.
  const causes = [0, 0, 0, 0];
  for (let start = phase; start < horizon; start += P) {
    for (let d = 0; d < shape.duration; d++) {
      const bits = node.runBlockedAt((start + d) % horizon, shape);
      for (let b = 0; b < 4; b++) if (bits & (1 << b)) causes[b]!++;
    }
  }
  // The first blocked stretch at that phase, and who is active then.
  let busy: { from: number; to: number } | null = null;
  for (let start = phase; start < horizon && busy === null; start += P) {
    for (let d = 0; d < shape.duration; d++) {
      const t = (start + d) % horizon;
      if (node.runBlockedAt(t, shape) !== 0) {
        if (busy === null) busy = { from: t, to: t + 1 };
        else busy.to = t + 1;
      } else if (busy !== null) break;
    }
  }
  const culprits =
    busy === null
      ? []
      : node
          .activeAt(busy.from)
          .map((b) => b.spec.id)
          .sort();
  // Whether the start window is what blocks: a phase outside it where the node is free.
  let freeOutside: number | null = null;
  if (shape.kmax + 1 < P) {
    const outside = bestPhase(counts, shape, (shape.release + shape.kmax + 1) % P, P - shape.kmax - 2);
    if (outside.blocked === 0) freeOutside = outside.phase;
  }
  const short = [0, 1, 2].filter((r) => causes[r]! > 0).map((r) => amount(r, shape.run[r]!));
  const exclusiveBlocks = causes[3]! > 0;
  return {
    rule:
      freeOutside !== null
        ? ('start-window' as const)
        : short.length === 0 && exclusiveBlocks
          ? ('exclusive' as const)
          : ('capacity' as const),
    kind: 'time' as const,
    short,
    run: [0, 1, 2].map((r) => amount(r, shape.run[r]!)),
    exclusive: { self: shape.exclusive, blocking: exclusiveBlocks },
    culprits,
    window: {
      every: P,
      duration: shape.duration,
      earliest: shape.release,
      latest: (shape.release + shape.kmax) % P,
      phase,
      blockedSlots: blocked,
      busy,
      freeOutside,
    },
    closest: { node: node.name, instances: node.count, examined, exhaustive },
  };
}
