/**
 * Look-ahead ("least constraining value"): among the best-scored nodes and every feasible phase on
 * each, the booking that leaves the shapes seen so far the most room.
 */
import type { Cluster } from './cluster.js';
import { selectorKey } from './cluster.js';
import { matchesSelector } from './filter.js';
import type { Scratch } from './fit.js';
import type { InstanceSpec } from './instance.js';
import type { NodeState } from './node-state.js';
import type { Shape } from './shape.js';

/**
 * Tuned on the seeded small workloads against the exact ILP: LOOKAHEAD_NODES best-scored nodes are
 * tried. A shape counts 1 if some allowed phase still fits, plus LOOKAHEAD_FRACTION × the share of its
 * allowed phases that still fit, times how often it arrived; LOOKAHEAD_SCORE × the usual score breaks ties.
 */
const LOOKAHEAD_NODES = 2;
const LOOKAHEAD_FRACTION = 0.3;
const LOOKAHEAD_SCORE = 0.3;
/**
 * The look-ahead's work per decision (options × Σ over seen shapes of P + D, slot reads) must stay under this,
 * or the decision falls back to the score alone: it runs on small clusters and short periods, where it pays,
 * and stays out of the way of the per-decision budget at scale (periods of an hour, start windows of 10 min).
 */
const LOOKAHEAD_BUDGET = 250_000;
/**
 * How many feasible nodes (in candidate order) the packing route weighs by the arrivals they would shut
 * out (tuned on seeds 1–20 of the families and a 100-node cluster of five replicated apps: 1 is plain
 * first-fit and lets exclusive runs spread over every node, 2 too few to find a node that keeps room).
 */
export const PACK_CANDIDATES = 4;
/**
 * The packing route weighs its first PACK_CANDIDATES nodes only when the candidate list is at least this
 * long: then they are a local choice at the front of the cluster, not the whole of it. Measured against
 * plain first-fit (shut-out on / off): on 3- and 8-node families (tuning seeds 1–100) it fell below
 * first-fit on up to 46 seeds per family; on 12 nodes it was mixed; on 32 nodes (seeds 1–15) it placed as many or more
 * on each family tried (colliding windows 4,489 against 4,391, the heavy mix 4,323 against 4,306).
 */
export const SHUT_OUT_MIN_CANDIDATES = 4 * PACK_CANDIDATES;

export interface Choice {
  node: NodeState;
  phase: number;
}

/** A scored node and its feasible phases with their scores: what the look-ahead chooses among. */
export interface Option {
  node: NodeState;
  score: number;
  phases: { phase: number; score: number }[];
}

export class LookAhead {
  /** Shapes seen so far (with their selector and pin) and how often they arrived: what a booking should leave room for. */
  private readonly seen = new Map<string, { spec: InstanceSpec; shape: Shape; count: number }>();
  /** Σ over `seen` of P + D: the cost of counting every seen shape's feasible phases on one node. */
  private seenCost = 0;
  /** Apps that some arrived instance asked to sit beside (affinity): their nodes must keep room for dependants. */
  private readonly partners = new Set<string>();

  constructor(
    private readonly cluster: Cluster,
    private readonly scratch: Scratch,
  ) {}

  /** Remembers an arriving shape (per selector and pin): later decisions try to leave room for its kind. */
  learn(spec: InstanceSpec, shape: Shape): void {
    for (const a of spec.affinity) this.partners.add(a);
    // A period folded onto the horizon (period.ts) costs its whole period (up to a day) per count: left out
    // rather than pricing every other shape out of the budget.
    if (this.cluster.horizon % shape.every !== 0) return;
    const key = `${shape.key}|${selectorKey(spec.nodeSelector)}|${spec.node ?? ''}`;
    const e = this.seen.get(key);
    if (e) e.count++;
    else {
      this.seen.set(key, { spec, shape, count: 1 });
      this.seenCost += shape.every + shape.duration;
    }
  }

  /** Whether instances have asked to sit beside this app: its pods are spread, not packed. */
  isPartner(app: string): boolean {
    return this.partners.has(app);
  }

  /** Whether shutOut (two passes over the seen shapes on one node, per candidate) fits the look-ahead's budget. */
  shutOutAffordable(): boolean {
    return 2 * PACK_CANDIDATES * this.seenCost <= LOOKAHEAD_BUDGET;
  }

  /**
   * How many arrivals of the shapes seen so far would lose this node altogether (some phase fits now, none
   * after the booking): what packing onto this node costs the kinds of instance that keep arriving.
   */
  shutOut(spec: InstanceSpec, shape: Shape, choice: Choice): number {
    const { node } = choice;
    const open: { shape: Shape; count: number }[] = [];
    for (const e of this.seen.values()) {
      if ((e.spec.node === null || e.spec.node === node.name) && matchesSelector(node, e.spec.nodeSelector))
        if (this.scratch.countFeasible(node, e.shape) > 0) open.push(e);
    }
    if (open.length === 0) return 0;
    return this.cluster.trial({ spec, shape, node, phase: choice.phase }, () => {
      let lost = 0;
      for (const e of open) if (this.scratch.countFeasible(node, e.shape) === 0) lost += e.count;
      return lost;
    });
  }

  /** Whether the look-ahead's work for this shape fits its budget. */
  affordable(shape: Shape): boolean {
    // A folded period has up to a day of phases, each a trial booking: never worth it (see learn).
    if (this.cluster.horizon % shape.every !== 0) return false;
    return LOOKAHEAD_NODES * (shape.kmax + 1) * this.seenCost <= LOOKAHEAD_BUDGET;
  }

  /**
   * Tries each option (the best-scored nodes, every feasible phase on each) on the node itself, and
   * keeps the one after which the shapes seen so far keep the most allowed phases that fit, weighted
   * by how often each arrived; a shape left with no phase at all counts as lost. Narrow start windows
   * lose their phases first, so they weigh most.
   */
  choose(spec: InstanceSpec, shape: Shape, pool: Option[]): Choice | null {
    pool.sort((a, b) => b.score - a.score || a.node.index - b.node.index);
    let best: Choice | null = null;
    let bestValue = -Infinity;
    for (let i = 0; i < pool.length && i < LOOKAHEAD_NODES; i++) {
      const { node, score, phases } = pool[i]!;
      const shapes: { shape: Shape; count: number }[] = [];
      for (const e of this.seen.values()) {
        if ((e.spec.node === null || e.spec.node === node.name) && matchesSelector(node, e.spec.nodeSelector))
          shapes.push(e);
      }
      for (const o of phases) {
        let value = this.cluster.trial({ spec, shape, node, phase: o.phase }, () => {
          let v = 0;
          for (const e of shapes) {
            const n = this.scratch.countFeasible(node, e.shape);
            v += e.count * ((n > 0 ? 1 : 0) + (LOOKAHEAD_FRACTION * n) / (e.shape.kmax + 1));
          }
          return v;
        });
        value += LOOKAHEAD_SCORE * (score + o.score);
        if (value > bestValue) {
          bestValue = value;
          best = { node, phase: o.phase };
        }
      }
    }
    return best;
  }
}
