/**
 * Repair by ejection chains, for a refused instance that readapt (one node's blockers moved, each re-placed
 * by the ordinary decision) could not place. A bounded depth-first search:
 *  - to place X, pick a node and a phase of X's start window; the bookings in X's way there (those that
 *    rule X out of the node, then those running in the slots where X would overflow the node or one of
 *    its links, in one of three orders) are evicted until X fits, and the ones X turns out not to need are
 *    put back;
 *  - X is booked, then each evicted booking is re-placed by the ordinary decision, or, when nothing has
 *    room for it, by the same search one level deeper, with what is left of the K moves;
 *  - everything goes through the cluster's reserve/unbook and is judged by the engine's own fit
 *    (`fitsAtPhase`, `staticFilter`) or decision, so a chain is legal by construction; a branch that fails is
 *    rolled back to where it started, and a search that fails leaves the cluster as it found it.
 * A booking the chain has taken or placed is never moved again (no cycles), so at most K bookings move
 * and each of them moves once; a chain is kept only when every evicted booking is placed again (net gain:
 * X). The search counts its work (phase evaluations, fit checks, bookings, decisions) against a fixed
 * budget rather than a clock, so a repair is reproducible, and a refusal at scale stays cheap. A caller
 * that must answer in time (the webhook) may also pass a stop predicate, polled every few units.
 */
import type { Cluster } from './cluster.js';
import {
  canLeave,
  cmp,
  conflicting,
  markOf,
  migrationsOf,
  rollbackTo,
  size,
  type Undo,
  type UndoMark,
} from './eviction.js';
import { staticFilter } from './filter.js';
import { fitsAtPhase, idleFits } from './fit.js';
import type { InstanceSpec } from './instance.js';
import { forEachRunSlot, type LinkState } from './link-state.js';
import type { Choice } from './lookahead.js';
import type { BookedInstance, NodeState } from './node-state.js';
import { DAY_SECONDS, gcd, isDayPeriod, slotStep } from './period.js';
import type { Shape } from './shape.js';
import { smallest } from './smallest.js';
import type { Migration } from './types.js';

export interface ChainLimits {
  /** Work units one repair may spend: a phase evaluated, a fit checked, a booking made or released, a decision. */
  work: number;
  /** Levels of the chain: at 1, the evicted bookings are re-placed by the ordinary decision only. */
  depth: number;
  /** Nodes examined for the refused instance, most promising first (every node on smaller pools). */
  nodes: number;
  /** Nodes examined for an evicted booking one level down. */
  deeperNodes: number;
  /** Phases of the start window tried per node, fewest overflowing slots first. */
  phasesPerNode: number;
}

/**
 * Measured on tuning seeds: a larger work budget gains pods on the families that repair most (planted
 * packings) and changes little elsewhere; more depth or phases per node did not. Since the fit test
 * answers at the first problem (fit.ts, fitsAtPhase), 64,000 units take less time on small pools than
 * 16,000 took before; a refusal that fails spends all of it, so where most do (a full cluster, many
 * moves allowed) refusals cost several times as much (the scheduler README's Readapt paragraph gives
 * the figures). Frozen: every engine shares it (a RepairChain takes other limits).
 */
export const DEFAULT_CHAIN_LIMITS: Readonly<ChainLimits> = Object.freeze({
  work: 64000,
  depth: 3,
  nodes: 32,
  deeperNodes: 8,
  phasesPerNode: 4,
});

/** A placement made by moving others (readapt.ts's Readapted), with the work it took. */
export interface ChainRepair {
  node: string;
  phase: number;
  migrations: Migration[];
  undo: Undo;
  work: number;
}

/**
 * In which order the bookings in the way are evicted (those X does not need are put back afterwards):
 * most in the way first (fewest moves), smallest first (each easiest to re-place), largest first.
 */
type BlockerOrder = 'in-the-way' | 'smallest' | 'largest';
const ORDERS: readonly BlockerOrder[] = ['in-the-way', 'smallest', 'largest'];
/** Candidate nodes an ordinary decision may walk per work unit beyond its first (a small pool costs one unit). */
const DECISION_NODES_PER_UNIT = 256;
/** The later orders are tried on the most promising attempts only. */
const LATER_ORDER_ATTEMPTS = 8;
/**
 * Work units between two polls of the stop predicate: a unit is one small step (a fit checked, a booking
 * made), so the search goes on only briefly after its stop, and the clock is not read in the inner loops.
 * The answer's delay after a stop, rollback and refusal included, is measured in the scheduler README.
 */
const STOP_POLL_UNITS = 32;

/** A booking in X's way at one node and phase, by id: a rollback books an equal booking anew. */
interface Blocker {
  id: string;
  /** Overflowing slots of X it runs in. */
  weight: number;
  size: number;
}

/** A node, a phase of X's window there, and what stands in the way. */
interface Attempt {
  node: NodeState;
  phase: number;
  /** Instances that rule X out of the node (anti-affinity, spread group): all of them must go. */
  conflicts: number;
  /** Slots of X's runs where the node or a link would overflow. */
  overflow: number;
  blockers: Blocker[];
}

/** One repair's state, shared by every level of the chain. */
interface Search {
  undo: Undo;
  /** Ids taken off or put on a node by this repair, in order: never moved again. */
  pinned: Set<string>;
  pinLog: string[];
  movesLeft: number;
  work: number;
  /** Polled every STOP_POLL_UNITS units: once true, the search is over. */
  stop: (() => boolean) | undefined;
  /** Work at which the predicate is polled next. */
  nextPoll: number;
  stopped: boolean;
}

interface SearchMark extends UndoMark {
  movesLeft: number;
  pins: number;
}

export class RepairChain {
  /** Work spent by the last run, found or not (for tests and measurements). */
  lastWork = 0;
  /** Whether the last run was ended by its stop predicate before it had found a chain. */
  lastCut = false;
  private slotMark: Uint8Array;

  constructor(
    private readonly cluster: Cluster,
    /** The ordinary decision: where an instance goes without moving anyone, or null. */
    private readonly decide: (spec: InstanceSpec, shape: Shape) => Choice | null,
    private readonly limits: Readonly<ChainLimits> = DEFAULT_CHAIN_LIMITS,
  ) {
    this.slotMark = new Uint8Array(cluster.horizon);
  }

  /**
   * Places `spec` by moving at most k bookings, or returns null with the cluster as it was. `stop` ends
   * the search early (see PlaceOptions.stopRepair); without it the work budget alone bounds it.
   */
  run(spec: InstanceSpec, shape: Shape, k: number, stop?: () => boolean): ChainRepair | null {
    const s: Search = {
      undo: { evicted: [], placed: [] },
      pinned: new Set(),
      pinLog: [],
      movesLeft: k,
      work: 0,
      stop,
      nextPoll: 0,
      stopped: false,
    };
    const done = k > 0 && this.place(spec, shape, 1, s);
    this.lastWork = s.work;
    this.lastCut = !done && s.stopped;
    if (!done) return null;
    const x = s.undo.placed.find((p) => p.spec.id === spec.id)!;
    return { node: x.node.name, phase: x.phase, migrations: migrationsOf(s.undo), undo: s.undo, work: s.work };
  }

  /** Books `spec` (not booked now) by a chain from this level on; on failure the cluster is as it was. */
  private place(spec: InstanceSpec, shape: Shape, depth: number, s: Search): boolean {
    const attempts = this.attempts(spec, shape, depth, s);
    const tried = new Set<string>();
    for (const order of ORDERS) {
      const list = order === ORDERS[0] ? attempts : attempts.slice(0, LATER_ORDER_ATTEMPTS);
      for (const a of list) {
        if (this.spent(s)) return false;
        if (this.tryAttempt(spec, shape, a, order, depth, s, tried)) return true;
      }
    }
    return false;
  }

  /** The nodes and phases worth trying for `spec`, fewest bookings in the way first. */
  private attempts(spec: InstanceSpec, shape: Shape, depth: number, s: Search): Attempt[] {
    const ranked: { n: NodeState; conflicts: number }[] = [];
    for (const n of this.cluster.candidates(spec)) {
      const rule = staticFilter(n, spec);
      // A rule that more bookings may lift (affinity) cannot be fixed by moving instances away.
      if (rule !== null && !rule.lasting) continue;
      const conflicts = rule === null ? [] : conflicting(n, spec);
      if (conflicts.length > s.movesLeft || conflicts.some((b) => s.pinned.has(b.spec.id) || !canLeave(b))) continue;
      ranked.push({ n, conflicts: conflicts.length });
    }
    const nodes = smallest(
      ranked,
      depth === 1 ? this.limits.nodes : this.limits.deeperNodes,
      (a, b) => a.conflicts - b.conflicts || a.n.count - b.n.count || a.n.index - b.n.index,
    );
    const out: Attempt[] = [];
    for (const { n, conflicts } of nodes) {
      const links = shape.run[2] > 0 ? n.links.filter((l) => l.constrains(shape)) : [];
      const phases: { phase: number; overflow: number }[] = [];
      for (const phase of this.phasesOn(n, shape, links)) {
        s.work++;
        phases.push({ phase, overflow: this.overflow(n, shape, phase, links, false) });
      }
      phases.sort((a, b) => a.overflow - b.overflow || windowOffset(shape, a.phase) - windowOffset(shape, b.phase));
      for (const { phase, overflow } of phases.slice(0, this.limits.phasesPerNode)) {
        s.work++;
        out.push({ node: n, phase, conflicts, overflow, blockers: this.blockers(n, shape, phase, links) });
      }
    }
    out.sort(
      (a, b) =>
        a.conflicts + a.blockers.length - (b.conflicts + b.blockers.length) ||
        a.overflow - b.overflow ||
        a.node.index - b.node.index ||
        windowOffset(shape, a.phase) - windowOffset(shape, b.phase),
    );
    return out;
  }

  /**
   * Phases of the window worth trying on a node: its two ends, and every phase where a run of X would
   * start just as a run of a booking there (or behind one of its links) ends, or end just as one starts.
   * Any feasible start can slide back to one of these without meeting anything new.
   */
  private phasesOn(node: NodeState, shape: Shape, links: LinkState[]): number[] {
    const P = shape.every;
    const out = new Set<number>([shape.release, (shape.release + shape.kmax) % P]);
    const add = (target: number, g: number): void => {
      const k = (((target - shape.release) % g) + g) % g;
      if (k <= shape.kmax) out.add((shape.release + k) % P);
    };
    const around = (b: { shape: Shape; phase: number }): void => {
      const g = gcd(P, b.shape.every);
      add(b.phase + b.shape.duration, g);
      add(b.phase - shape.duration, g);
    };
    for (const b of node.booked.values()) around(b);
    for (const l of links) for (const b of l.booked.values()) around(b);
    return [...out];
  }

  /**
   * How many slots of X's runs at `phase` would overflow the node (capacity, exclusivity) or one of the
   * given links; with `keep`, the slots stay marked in slotMark (1 node, 2 link) for `blockers` to read.
   */
  private overflow(node: NodeState, shape: Shape, phase: number, links: LinkState[], keep: boolean): number {
    const mark = this.slotMark;
    const H = this.cluster.horizon;
    node.markRunBlocked(shape, phase, mark, 1);
    for (const l of links) l.markRunBlocked(shape, phase, mark, 2);
    let n = 0;
    const { step, length } = slotStep(shape.every, shape.duration, H);
    for (let start = phase % step; start < H; start += step) {
      for (let d = 0; d < length; d++) {
        const t = (start + d) % H;
        if (mark[t] !== 0) {
          n++;
          if (!keep) mark[t] = 0;
        }
      }
    }
    return n;
  }

  /**
   * The bookings in X's way at `phase`: on the node, those running in a slot where X would overflow it
   * (every one of them when X's idle reservation does not fit, folded ones whose runs meet an exclusive
   * X's); behind a blocking link, those sending in a slot where X would overflow it.
   */
  private blockers(node: NodeState, shape: Shape, phase: number, links: LinkState[]): Blocker[] {
    const H = this.cluster.horizon;
    const mark = this.slotMark;
    this.overflow(node, shape, phase, links, true);
    const weight = new Map<BookedInstance, number>();
    const count = (b: BookedInstance, bits: number): void => {
      let shared = 0;
      const { step, length } = slotStep(b.shape.every, b.shape.duration, H);
      for (let start = b.phase % step; start < H; start += step)
        for (let d = 0; d < length; d++) if ((mark[(start + d) % H]! & bits) !== 0) shared++;
      if (shared > 0) weight.set(b, (weight.get(b) ?? 0) + shared);
    };
    const idleBlocked = !idleFits(node, shape);
    for (const b of node.booked.values()) {
      count(b, b.shape.run[2] > 0 ? 3 : 1);
      if (idleBlocked && !weight.has(b)) weight.set(b, 0);
    }
    for (const f of node.foldedClashes(shape, phase)) if (!weight.has(f)) weight.set(f, 1);
    for (const l of links)
      for (const lb of l.booked.values()) {
        const b = this.cluster.booked.get(lb.spec.id);
        if (b && b.node !== node) count(b, 2);
      }
    forEachRunSlot(phase, shape.every, shape.duration, H, (t) => {
      mark[t] = 0;
    });
    return [...weight].map(([b, w]) => ({ id: b.spec.id, weight: w, size: size(b.shape) }));
  }

  /**
   * Evicts what stands in X's way on the attempt's node and phase (at most the moves left), books X,
   * then places every evicted booking again (ordinary decision, else one level deeper). On failure
   * everything since the start of the attempt is rolled back and false returned.
   */
  private tryAttempt(
    spec: InstanceSpec,
    shape: Shape,
    a: Attempt,
    order: BlockerOrder,
    depth: number,
    s: Search,
    tried: Set<string>,
  ): boolean {
    const { cluster } = this;
    const { node, phase } = a;
    const taken: BookedInstance[] = [];
    const putBack = (): void => {
      for (let i = taken.length - 1; i >= 0; i--) {
        const b = taken[i]!;
        cluster.reserve(b.spec, b.shape, b.node, b.phase);
        s.work += this.cost(b.shape);
      }
    };
    const take = (b: BookedInstance): void => {
      cluster.unbook(b);
      taken.push(b);
      s.work += this.cost(b.shape);
    };
    const fits = (): boolean => {
      s.work += node.readsDay(shape) ? this.dayCost : 1;
      return staticFilter(node, spec) === null && fitsAtPhase(node, shape, phase);
    };
    for (const b of conflicting(node, spec)) {
      if (s.pinned.has(b.spec.id) || !canLeave(b) || taken.length >= s.movesLeft) {
        putBack();
        return false;
      }
      take(b);
    }
    const mandatory = taken.length;
    let ok = fits();
    for (const blocker of ordered(a.blockers, order)) {
      if (ok || taken.length >= s.movesLeft || this.spent(s)) break;
      const b = cluster.booked.get(blocker.id);
      if (!b || s.pinned.has(blocker.id) || !canLeave(b)) continue;
      take(b);
      ok = fits();
    }
    if (!ok) {
      putBack();
      return false;
    }
    // Put back, last taken first, every eviction X turns out not to need.
    for (let i = taken.length - 1; i >= mandatory; i--) {
      const b = taken[i]!;
      const back = cluster.reserve(b.spec, b.shape, b.node, b.phase);
      s.work += this.cost(b.shape);
      if (fits()) taken.splice(i, 1);
      else cluster.unbook(back);
    }
    const key = `${node.index}@${phase}:${taken
      .map((b) => b.spec.id)
      .sort()
      .join(',')}`;
    if (tried.has(key)) {
      putBack();
      return false;
    }
    tried.add(key);
    const mark: SearchMark = { ...markOf(s.undo), movesLeft: s.movesLeft, pins: s.pinLog.length };
    for (const b of taken) {
      s.undo.evicted.push(b);
      pin(s, b.spec.id);
    }
    s.movesLeft -= taken.length;
    s.undo.placed.push(cluster.reserve(spec, shape, node, phase));
    pin(s, spec.id);
    s.work += this.cost(shape);
    // The largest first: the hardest to place again while the most room is left.
    const replace = [...taken].sort((x, y) => size(y.shape) - size(x.shape) || cmp(x.spec.id, y.spec.id));
    for (const b of replace) {
      if (this.spent(s)) {
        this.rollback(s, mark);
        return false;
      }
      // The ordinary decision may walk the whole candidate list: on a large pool it weighs accordingly.
      s.work += this.cost(b.shape) + Math.floor(cluster.candidates(b.spec).length / DECISION_NODES_PER_UNIT);
      const choice = this.decide(b.spec, b.shape);
      if (choice) {
        s.undo.placed.push(cluster.reserve(b.spec, b.shape, choice.node, choice.phase));
        continue;
      }
      if (depth < this.limits.depth && s.movesLeft > 0 && this.place(b.spec, b.shape, depth + 1, s)) continue;
      this.rollback(s, mark);
      return false;
    }
    return true;
  }

  /** Whether the search must end here: its work budget is spent, or its stop predicate said so. */
  private spent(s: Search): boolean {
    if (s.work >= this.limits.work || s.stopped) return true;
    if (s.stop === undefined || s.work < s.nextPoll) return false;
    s.nextPoll = s.work + STOP_POLL_UNITS;
    s.stopped = s.stop();
    return s.stopped;
  }

  /**
   * Work units of booking, releasing or deciding a shape: one for a period within the horizon, one per
   * horizon for a longer one, a day period four times its hours: each of its bookings rebuilds the
   * node's exact day, three words a second (node-state.ts).
   */
  private cost(shape: Shape): number {
    const H = this.cluster.horizon;
    return isDayPeriod(shape.every, H) ? this.dayCost : Math.max(1, Math.ceil(shape.every / H));
  }

  private get dayCost(): number {
    return 4 * Math.ceil(DAY_SECONDS / this.cluster.horizon);
  }

  private rollback(s: Search, mark: SearchMark): void {
    for (let i = mark.placed; i < s.undo.placed.length; i++) s.work += this.cost(s.undo.placed[i]!.shape);
    for (let i = mark.evicted; i < s.undo.evicted.length; i++) s.work += this.cost(s.undo.evicted[i]!.shape);
    rollbackTo(this.cluster, s.undo, mark);
    s.movesLeft = mark.movesLeft;
    while (s.pinLog.length > mark.pins) s.pinned.delete(s.pinLog.pop()!);
  }
}

function pin(s: Search, id: string): void {
  s.pinned.add(id);
  s.pinLog.push(id);
}

/** How far into the start window a phase is (0 at its start). */
function windowOffset(shape: Shape, phase: number): number {
  return (((phase - shape.release) % shape.every) + shape.every) % shape.every;
}

function ordered(blockers: Blocker[], order: BlockerOrder): Blocker[] {
  const byId = (a: Blocker, b: Blocker): number => cmp(a.id, b.id);
  const list = [...blockers];
  if (order === 'in-the-way') list.sort((a, b) => b.weight - a.weight || a.size - b.size || byId(a, b));
  else if (order === 'smallest') list.sort((a, b) => a.size - b.size || b.weight - a.weight || byId(a, b));
  else list.sort((a, b) => b.size - a.size || b.weight - a.weight || byId(a, b));
  return list;
}
