/**
 * Why an instance could not be placed, as data: which rule emptied the candidate set (counted over
 * every candidate node), or — when nodes match but time is short — the closest node, who keeps it busy
 * and the window the instance needs. Runs only on rejection; `describeRefusal` (reporting.ts) words it.
 */
import type { Amount, PlacementPolicy, Refusal, RefusalBase, RuleCounts, TooSmall } from './types.js';
import type { InstanceSpec } from './instance.js';
import type { NodeState } from './node-state.js';
import type { Shape } from './shape.js';
import { toAmount } from './units.js';
import { idleShortfall, tooSmall as tooSmallIn } from './rules/capacity.js';
import { antiAffinity } from './rules/anti-affinity.js';
import { NODE_RULES } from './rules/index.js';

export interface RefusalContext {
  horizon: number;
  /** The placement policy in place of the engine's own decision, if any: it explains capacity its way. */
  policy: PlacementPolicy | null;
  nodes: NodeState[];
}

/**
 * What the closest-node search may spend, in slot reads (about 10 ns each): a lower bound for open
 * nodes from their period fold (P reads a node), then exact reads of the horizon (H a node) in the
 * order of those bounds, stopping once no node left can beat the best found. Sized so a refusal costs
 * well under a millisecond at any cluster size (the whole search at thousands of nodes took ~10 ms);
 * small clusters (a hundred nodes at a five-minute period, folds built) are still searched whole. When a budget runs out,
 * the nodes not read are left out and the refusal says the search was not exhaustive.
 */
const BOUND_READ_BUDGET = 40_000;
const EXACT_READ_BUDGET = 3 * 3600;

const amount: (r: number, units: number) => Amount = toAmount;

/** The refusal of an instance whose spec the engine cannot place in its horizon at all. */
export function invalidRefusal(spec: InstanceSpec, problem: string): Refusal {
  return {
    ...base(spec, 0, zeroCounts()),
    code: 'invalid',
    rule: 'invalid',
    problem,
  };
}

function zeroCounts(): RuleCounts {
  return Object.fromEntries(NODE_RULES.map((r) => [r.name, 0])) as RuleCounts;
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
  const counts = zeroCounts();
  if (candidates.length === 0) {
    const common = base(spec, 0, counts);
    if (spec.node !== null && !ctx.nodes.some((n) => !n.dead && n.name === spec.node))
      return { ...common, code: 'no-node', rule: 'pin' };
    const pools = [...new Set(ctx.nodes.filter((n) => !n.dead && n.pool !== null).map((n) => n.pool!))].sort();
    return { ...common, code: 'no-node', rule: 'selector', pools };
  }
  // Every rule a node breaks is counted (not only the first), over all candidates: the counts say
  // what really blocks the pod, and how much room each rule leaves. Plain arrays indexed like
  // NODE_RULES on this loop over every candidate, the named records after it.
  const byRule = new Array<number>(NODE_RULES.length).fill(0);
  const byFirst = new Array<number>(NODE_RULES.length).fill(0);
  const open: NodeState[] = [];
  for (const n of candidates) {
    let first = -1;
    for (let k = 0; k < NODE_RULES.length; k++) {
      if (!NODE_RULES[k]!.blocks(n, spec)) continue;
      byRule[k]!++;
      if (first < 0) first = k;
    }
    if (first < 0) open.push(n);
    else byFirst[first]!++;
  }
  const firstRule = zeroCounts();
  NODE_RULES.forEach((rule, k) => {
    counts[rule.name] = byRule[k]!;
    firstRule[rule.name] = byFirst[k]!;
  });
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
    if (firstRule['anti-affinity'] >= firstRule.spread && counts['anti-affinity'] > 0) {
      // The node with the fewest instances in the way: the one a user would free first.
      let antiNode: NodeState | null = null;
      let antiCulprits: string[] = [];
      for (const n of candidates) {
        if (!antiAffinity.blocks(n, spec)) continue;
        const culprits = antiAffinity.culprits(n, spec);
        if (antiNode === null || culprits.length < antiCulprits.length) {
          antiNode = n;
          antiCulprits = culprits;
        }
      }
      return {
        ...common,
        code: 'anti-affinity',
        rule: 'anti-affinity',
        culprits: antiCulprits.sort(),
        closest: { node: antiNode!.name },
      };
    }
    return { ...common, code: 'spread', rule: 'spread' };
  }
  if (ctx.policy !== null)
    return {
      ...common,
      code: 'capacity',
      rule: 'capacity',
      kind: 'reservation',
      strategy: ctx.policy.name,
      ...ctx.policy.explain(shape, open),
    };
  // Nodes that could never hold one run (or the idle reservation), whatever the time: counted over all of them.
  const small = [0, 0, 0];
  const roomy: NodeState[] = [];
  for (const n of open) {
    let fits = true;
    for (let r = 0; r < 3; r++)
      if (tooSmallIn(n, shape, r)) {
        small[r]!++;
        fits = false;
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

/**
 * Least blocked window sum over the allowed phases, from per-position counts (a sliding window: O(P)).
 * Ties go to the earliest allowed start.
 */
function bestPhase(
  counts: ArrayLike<number>,
  shape: Shape,
  first: number,
  last: number,
): { phase: number; blocked: number } {
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
  // Per offset of the period, whether some repetition blocks it (the fold): a lower bound on the
  // exact count, read in O(P) per node.
  const marks = new Uint8Array(shape.every);
  let boundReads = 0;
  let exhaustive = true;
  // Last-arrived nodes first: decisions fill nodes in engine order, so where the budget cuts the bound
  // pass, the nodes left unread are the earliest, the fullest, the least likely to be closest. The order
  // does not change the answer of a whole search (the bounds are sorted below).
  for (let k = roomy.length - 1; k >= 0; k--) {
    const n = roomy[k]!;
    if (idleShortfall(n, shape) >= 0) {
      if (firstIdleShort === null || n.index < firstIdleShort.index) firstIdleShort = n;
      continue;
    }
    if (n.count === 0) timed.push({ node: n, bound: 0 });
    else {
      // A fold dropped by a departure is rebuilt from the horizon: that counts too.
      const cost = shape.every + n.foldCost(shape.every);
      if (boundReads + cost > BOUND_READ_BUDGET && timed.length > 0) {
        exhaustive = false;
        break;
      }
      boundReads += cost;
      n.scanFold(shape, marks, null);
      timed.push({ node: n, bound: bestPhase(marks, shape, shape.release, shape.kmax).blocked });
    }
  }
  if (timed.length === 0) {
    const n = firstIdleShort!;
    const r = idleShortfall(n, shape);
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
  let best: { node: NodeState; phase: number; blocked: number } | null = null;
  const counts = new Int32Array(shape.every);
  const bestCounts = new Int32Array(shape.every);
  let reads = 0;
  let examined = 0;
  for (const { node, bound } of timed) {
    if (best !== null && (bound > best.blocked || (bound === best.blocked && node.index > best.node.index))) break;
    if (best !== null && reads + horizon > EXACT_READ_BUDGET) {
      exhaustive = false;
      break;
    }
    reads += horizon;
    examined++;
    node.blockedCounts(shape, counts);
    const at = bestPhase(counts, shape, shape.release, shape.kmax);
    if (best === null || at.blocked < best.blocked || (at.blocked === best.blocked && node.index < best.node.index)) {
      best = { node, ...at };
      bestCounts.set(counts);
    }
  }
  const { node, phase, blocked } = best!;
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
    const outside = bestPhase(bestCounts, shape, (shape.release + shape.kmax + 1) % P, P - shape.kmax - 2);
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
