/**
 * The nmaas decision: walk the candidates from a per-(shape, selector) cursor that skips nodes known
 * not to fit this shape, then one of two routes.
 *
 * - Packing (most instances): the first node in candidate order that fits, at the earliest phase of the
 *   start window during which nothing else runs there, else the earliest phase that fits: first-fit in
 *   space and in time. Load piles up on the front nodes and at the front of each window, so the free
 *   time left stays contiguous and later (larger, exclusive, narrow-window) instances still find a hole;
 *   preferring a quiet phase keeps measurements from overlapping when that costs nothing. On a long
 *   candidate list (SHUT_OUT_MIN_CANDIDATES), among the first few nodes that fit, the earliest that shuts
 *   out the fewest arrivals of the shapes seen so far (when the look-ahead can afford it): plain first-fit
 *   lets exclusive runs settle on every node until a short-period app fits nowhere. On a short list those
 *   few nodes are the whole cluster, and weighing them gives first-fit up: measured on tuning seeds 1–100
 *   of the families (3 and 8 nodes), it placed fewer than plain first-fit on up to 46 seeds per family, and
 *   fewer in total on 5 of 9 families, while the quiet phase alone placed at least as many in total on 9 of 10.
 * - Spreading (apps that other instances need beside them, affinity): up to `sample` feasible nodes
 *   scored (time-averaged utilisation minus crowding of the chosen slots minus newly shut-out apps), the
 *   least crowded phase, and the look-ahead when it is affordable. Packed partners leave their nodes
 *   full, and the dependants that must join them are refused (512 of 50,000 on the 5,000-node workload).
 */
import { selectorKey, type Cluster } from './cluster.js';
import { matchesSelector, staticFilter } from './filter.js';
import { searchPhase, type Scratch } from './fit.js';
import type { InstanceSpec } from './instance.js';
import { PACK_CANDIDATES, SHUT_OUT_MIN_CANDIDATES, type Choice, type LookAhead, type Option } from './lookahead.js';
import type { NodeState } from './node-state.js';
import type { Shape } from './shape.js';

/**
 * Score weights (tuned on seeded small workloads against the exact ILP): best fit in space (time-averaged
 * utilisation), minus how crowded the chosen phase's slots already are, minus how many apps the booking
 * would newly shut out of the node through anti-affinity.
 */
const NODE_UTIL = 1;
const NODE_CROWD = 2;
const NODE_EXCL = 0.5;

/** A position in a candidate list, valid under the stamps it was advanced under. */
interface Cursor {
  pos: number;
  departures: number;
}

export class NmaasDecision {
  private readonly cursors = new Map<string, Cursor>();
  private cursorTopology = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly scratch: Scratch,
    private readonly lookahead: LookAhead,
    private readonly sample: number,
  ) {}

  decide(spec: InstanceSpec, shape: Shape): Choice | null {
    const pack = !this.lookahead.isPartner(spec.app);
    const choice = this.choose(spec, shape, pack);
    return choice && pack && spec.spreadGroup !== null ? this.unherd(spec, shape, choice) : choice;
  }

  /**
   * A spread pod's phase moved to the one whose run overlaps the fewest runs of its app's pods on other
   * nodes (herd.ts), among the phases the packing rule holds equally good: the phases of its window
   * during which nothing else runs on its node, and of those only the ones that leave that quiet
   * stretch in one piece (flush against where the pod could not run quietly), or any on a node where
   * the whole period is quiet. The packing rule's own phase is always among them.
   */
  private unherd(spec: InstanceSpec, shape: Shape, choice: Choice): Choice {
    const herd = this.cluster.herd;
    if (!herd.overlaps(spec.app, spec.every, spec.duration, choice.phase)) return choice;
    // Every phase of the window that fits, in the window's order, scored minus the run-seconds it would
    // overlap on the node (0 where nothing else runs); `bad` and `idleRun` then hold, per offset of the
    // period, whether the pod's run fits there and whether nothing else runs there.
    const { scratch } = this;
    scratch.record = true;
    searchPhase(choice.node, shape, scratch, 'quiet-first');
    scratch.record = false;
    const P = shape.every;
    const quietAt = (t: number): boolean => {
      const k = t < 0 ? t + P : t >= P ? t - P : t;
      return scratch.bad[k] === 0 && scratch.idleRun[k] === 1;
    };
    let wholePeriodQuiet = true;
    for (let t = 0; t < P && wholePeriodQuiet; t++) wholePeriodQuiet = quietAt(t);
    const phases: number[] = [];
    for (let q = 0; q < scratch.feasN; q++) {
      const p = scratch.feasPhase[q]!;
      if (scratch.feasScore[q] !== 0) continue;
      if (p === choice.phase || wholePeriodQuiet || !quietAt(p - 1) || !quietAt((p + shape.duration) % P))
        phases.push(p);
    }
    // No quiet phase: the packing rule's least overlapping one stays.
    if (!phases.includes(choice.phase)) return choice;
    return { node: choice.node, phase: herd.leastHerded(spec.app, spec.every, spec.duration, phases) };
  }

  private choose(spec: InstanceSpec, shape: Shape, pack: boolean): Choice | null {
    // The fit cache keeps one phase per shape: the packing route keeps its own phase under its own key.
    const fitKey = pack ? `${shape.key}<` : shape.key;
    let list = this.cluster.candidates(spec);
    let cursor: Cursor | null = null;
    if (spec.affinity.length > 0) {
      // Only nodes already hosting the rarest required app can qualify: iterate those, not the cluster.
      let smallest: Set<NodeState> | undefined;
      for (const a of spec.affinity) {
        const h = this.cluster.hosts.get(a);
        if (!h) return null;
        if (!smallest || h.size < smallest.size) smallest = h;
      }
      if (smallest!.size < list.length) {
        const sel = spec.nodeSelector;
        list = [...smallest!]
          .filter((n) => (spec.node === null || n.name === spec.node) && matchesSelector(n, sel))
          .sort((a, b) => a.index - b.index);
      } else cursor = this.cursorFor(spec, shape.key);
    } else cursor = this.cursorFor(spec, shape.key);
    let start = cursor ? cursor.pos : 0;
    const narrow = shape.anyPhaseKey !== shape.key;
    // The any-phase twin's cursor skips nodes where no phase at all fits this size and period: every
    // instance of that size, whatever its start window, advances it and may start from it.
    const twin = narrow && cursor ? this.cursorFor(spec, shape.anyPhaseKey) : null;
    if (twin && twin.pos > start) start = cursor!.pos = twin.pos;
    let twinContiguous = twin !== null && start === twin.pos;
    let contiguous = cursor !== null;
    let best: Choice | null = null;
    let bestScore = -Infinity;
    let found = 0;
    // Look ahead only when its work fits the budget: options (nodes × allowed phases) × the seen shapes' cost.
    const lookahead = !pack && this.lookahead.affordable(shape);
    const pool: Option[] = [];
    for (let i = start; i < list.length; i++) {
      const node = list[i]!;
      const noneFits = narrow && node.knownNoFit(shape.anyPhaseKey);
      const noFitHere = noneFits || node.knownNoFit(shape.key);
      const rule = noFitHere ? null : staticFilter(node, spec);
      // Skipped for good (until something leaves a node): no phase fits, or an instance there refuses
      // this one or shares its spread group (more bookings never lift those). Affinity may become true later.
      const lasting = rule !== null && rule.lasting;
      if (noFitHere || lasting) {
        if (contiguous) cursor!.pos = i + 1;
        if (twinContiguous) {
          if (noneFits || lasting) twin!.pos = i + 1;
          else twinContiguous = false;
        }
        continue;
      }
      twinContiguous = false;
      if (rule !== null) {
        contiguous = false;
        continue;
      }
      let fit = lookahead ? undefined : node.cachedFit(fitKey);
      const fresh = fit === undefined;
      let phases: { phase: number; score: number }[] | null = null;
      if (lookahead) {
        // Every feasible phase with its score (not cached: the cache keeps only the best phase).
        this.scratch.record = true;
        fit = searchPhase(node, shape, this.scratch, 'least-crowded');
        this.scratch.record = false;
        phases = [];
        for (let q = 0; q < this.scratch.feasN; q++)
          phases.push({ phase: this.scratch.feasPhase[q]!, score: this.scratch.feasScore[q]! / shape.duration });
        phases.sort((x, y) => y.score - x.score || x.phase - y.phase);
      } else if (fit === undefined) {
        fit = searchPhase(node, shape, this.scratch, pack ? 'quiet-first' : 'least-crowded');
        node.rememberFit(fitKey, fit);
      }
      if (fit === null) {
        node.rememberNoFit(shape.key);
        if (narrow && fresh && !this.scratch.anyPhaseFits) node.rememberNoFit(shape.anyPhaseKey);
        if (contiguous) cursor!.pos = i + 1;
        continue;
      }
      contiguous = false;
      if (pack) {
        // First-fit, unless (on a long candidate list) the first nodes that fit would shut out kinds of instance
        // that keep arriving: then the earliest of up to PACK_CANDIDATES nodes that shuts out the fewest arrivals.
        if (list.length < SHUT_OUT_MIN_CANDIDATES || !this.lookahead.shutOutAffordable())
          return { node, phase: fit.phase };
        const lost = this.lookahead.shutOut(spec, shape, { node, phase: fit.phase });
        if (best === null || lost < bestScore) {
          bestScore = lost;
          best = { node, phase: fit.phase };
        }
        if (lost === 0 || ++found >= PACK_CANDIDATES) return best;
        continue;
      }
      const score =
        NODE_UTIL * utilization(node) - NODE_CROWD * fit.crowding - NODE_EXCL * this.newExclusions(node, spec);
      if (phases) pool.push({ node, score, phases });
      if (score > bestScore) {
        bestScore = score;
        best = { node, phase: fit.phase };
      }
      if (++found >= this.sample) break;
    }
    if (pool.length > 0) return this.lookahead.choose(spec, shape, pool) ?? best;
    return best;
  }

  /**
   * How many apps would newly be shut out of this node by placing the instance here (anti-affinity works
   * both ways): consolidating apps that others refuse keeps the remaining nodes open to those others.
   */
  private newExclusions(node: NodeState, spec: InstanceSpec): number {
    let n = 0;
    for (const b of spec.antiAffinity) if (!this.cluster.excludes(node, b)) n++;
    const refusers = this.cluster.refusersOf.get(spec.app);
    if (refusers)
      for (const b of refusers.keys()) if (!spec.antiAffinity.includes(b) && !this.cluster.excludes(node, b)) n++;
    return n;
  }

  /**
   * Cursors are per shape, selector, pin and the rules that only ever close nodes (anti-affinity, spread).
   * A cursor restarts when load left any node (something may fit again) or the node set changed.
   */
  private cursorFor(spec: InstanceSpec, shapeKey: string): Cursor {
    const key = `${shapeKey}|${selectorKey(spec.nodeSelector)}|${spec.node ?? ''}|${spec.app}|${[...spec.antiAffinity].sort().join(',')}|${spec.spreadGroup ?? ''}`;
    const { departures, topology } = this.cluster.invalidation;
    if (this.cursorTopology !== topology) {
      // Positions index candidate lists that are rebuilt: all cursors go (and their memory with them).
      this.cursors.clear();
      this.cursorTopology = topology;
    }
    let c = this.cursors.get(key);
    if (!c) {
      c = { pos: 0, departures };
      this.cursors.set(key, c);
    } else if (c.departures !== departures) {
      c.pos = 0;
      c.departures = departures;
    }
    return c;
  }
}

/** Time-averaged normalised load of a node (0..1 per resource, averaged): the best-fit term. */
function utilization(node: NodeState): number {
  let u = 0;
  const H = node.horizon;
  for (let r = 0; r < 3; r++) {
    const cap = node.cap[r]!;
    if (cap > 0) u += (node.idleSum[r]! + node.extraTotal[r]! / H) / cap;
  }
  return u / 3;
}
