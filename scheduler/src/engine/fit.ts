/**
 * The time/resource fit of one instance on one node: which allowed phases keep every slot within
 * capacity and the exclusive rule, and which of them packs best. One pass over the node's slots
 * folded onto the instance's period: O(H + P), independent of how many instances the node holds.
 */
import type { NodeState } from './node-state.js';
import { linkOverSlots, linksConstrain, markLinkBlocked } from './rules/link.js';
import type { Shape } from './shape.js';
import { isFolded, slotStep } from './period.js';

/**
 * Weight of "nothing runs at this offset yet" against normalised load in the phase score (tuned on the
 * seeded small workloads against the exact ILP; 0 spreads runs freely, 1 fragments exclusive time less).
 */
const IDLE_WEIGHT = 0.15;

export class Scratch {
  /** Set by searchPhase when it returns null: whether some phase outside the allowed window would fit. */
  anyPhaseFits = true;
  bad: Uint8Array;
  load: Float64Array;
  idleRun: Float64Array;
  preBad: Int32Array;
  preLoad: Float64Array;
  /** When `record` is set, searchPhase lists every feasible allowed phase and its score here (for the look-ahead). */
  record = false;
  feasN = 0;
  feasPhase: Int32Array;
  feasScore: Float64Array;
  private countBad: Uint8Array;
  private countPre: Int32Array;
  private size: number;
  constructor(horizon: number) {
    this.size = horizon;
    this.bad = new Uint8Array(horizon);
    this.load = new Float64Array(horizon);
    this.idleRun = new Float64Array(horizon);
    this.preBad = new Int32Array(2 * horizon + 1);
    this.preLoad = new Float64Array(2 * horizon + 1);
    this.feasPhase = new Int32Array(horizon);
    this.feasScore = new Float64Array(horizon);
    this.countBad = new Uint8Array(horizon);
    this.countPre = new Int32Array(2 * horizon + 1);
  }

  /**
   * Room for a period longer than the horizon (a folded one, see period.ts): the arrays grow to it once
   * and stay. One Scratch per engine, so this is per engine, never per node.
   */
  fit(period: number): void {
    if (period <= this.size) return;
    const n = period;
    this.size = n;
    this.bad = new Uint8Array(n);
    this.load = new Float64Array(n);
    this.idleRun = new Float64Array(n);
    this.preBad = new Int32Array(2 * n + 1);
    this.preLoad = new Float64Array(2 * n + 1);
    this.feasPhase = new Int32Array(n);
    this.feasScore = new Float64Array(n);
    this.countBad = new Uint8Array(n);
    this.countPre = new Int32Array(2 * n + 1);
  }

  /** How many of the shape's allowed phases fit on the node as it stands (0 when its idle or run load cannot fit). */
  countFeasible(node: NodeState, shape: Shape): number {
    if (!idleFits(node, shape)) return 0;
    const cap = node.cap;
    const lim0 = cap[0] - node.idleSum[0] - shape.run[0];
    const lim1 = cap[1] - node.idleSum[1] - shape.run[1];
    const lim2 = cap[2] - node.idleSum[2] - shape.run[2];
    if (lim0 < 0 || lim1 < 0 || lim2 < 0) return 0;
    const linked = linksConstrain(node, shape);
    if (node.count === 0 && !linked) return shape.kmax + 1;
    this.fit(shape.every);
    const P = shape.every,
      D = shape.duration;
    const bad = this.countBad,
      pre = this.countPre;
    node.scanFold(shape, bad, null);
    if (linked) markLinkBlocked(node, shape, bad);
    pre[0] = 0;
    for (let i = 0, k = 0; i < P + D; i++) {
      pre[i + 1] = pre[i]! + bad[k]!;
      if (++k === P) k = 0;
    }
    let n = 0;
    for (let k = 0, phase = shape.release; k <= shape.kmax; k++) {
      if (pre[phase + D] === pre[phase]) n++;
      if (++phase === P) phase = 0;
    }
    return n;
  }
}

export interface PhaseFit {
  phase: number;
  /** Mean, over the active window, of the busiest repetition's normalised load (0..1): lower leaves more headroom. */
  crowding: number;
}

/** Whether the idle reservation fits at all (every slot, active or not). */
export function idleFits(node: NodeState, shape: Shape): boolean {
  const peak = node.peak();
  for (let r = 0; r < 3; r++) {
    if (peak[r]! + node.idleSum[r]! + shape.idle[r]! > node.cap[r]!) return false;
  }
  return true;
}

/**
 * Which feasible phase of the start window wins:
 * - 'least-crowded': the phase whose slots are least loaded (every later instance adds its idle load to
 *   every slot, the busiest one included, so a flat profile keeps the node open longest);
 * - 'quiet-first': the earliest phase during which nothing else runs on the node, else the earliest
 *   feasible one (first-fit in time that avoids overlapping runs when it can);
 * - 'earliest': the earliest feasible phase.
 */
export type PhaseRule = 'least-crowded' | 'quiet-first' | 'earliest';

/** Best allowed phase on this node under `rule`, or null when none fits. */
export function searchPhase(node: NodeState, shape: Shape, scratch: Scratch, rule: PhaseRule): PhaseFit | null {
  const pack = rule !== 'earliest';
  const quiet = rule === 'quiet-first';
  scratch.anyPhaseFits = true;
  scratch.feasN = 0;
  if (!idleFits(node, shape)) {
    scratch.anyPhaseFits = false;
    return null;
  }
  const cap = node.cap;
  const lim0 = cap[0] - node.idleSum[0] - shape.run[0];
  const lim1 = cap[1] - node.idleSum[1] - shape.run[1];
  const lim2 = cap[2] - node.idleSum[2] - shape.run[2];
  const P = shape.every;
  const D = shape.duration;
  const excl = shape.exclusive;
  // Links shared with other nodes may be busy even when this node is empty: no shortcut then.
  const linked = linksConstrain(node, shape);
  // An empty node takes the first allowed phase, unless the look-ahead wants every phase listed.
  if (node.count === 0 && !(pack && scratch.record) && !linked) {
    return lim0 >= 0 && lim1 >= 0 && lim2 >= 0 ? { phase: shape.release, crowding: 0 } : null;
  }
  const peak = node.peak();
  scratch.fit(P);
  const trivially =
    peak[0] <= lim0 && peak[1] <= lim1 && peak[2] <= lim2 && (excl ? node.count === 0 : node.exclusiveCount === 0);
  if (trivially && !pack && !linked) return { phase: shape.release, crowding: 0 };
  // A folded period with no exclusive folded booking in the way: offsets repeat modulo gcd(P, H), so
  // only one allowed phase per residue needs reading (period.ts). Links are read on the full scan below.
  if (
    isFolded(P, node.horizon) &&
    !linked &&
    !scratch.record &&
    !node.foldedClashPossible(shape) &&
    !node.readsDay(shape)
  )
    return searchResidues(node, shape, scratch, pack);
  const { bad, load, idleRun, preBad, preLoad } = scratch;
  // Per period offset, the busiest repetition: a phase is as crowded as that. Without `pack` only
  // feasibility counts (the load sums below are then never read).
  node.scanFold(shape, bad, pack ? { load, idleRun, idleWeight: quiet ? 1 : IDLE_WEIGHT } : null);
  if (linked) markLinkBlocked(node, shape, bad);
  const span = P + D;
  preBad[0] = 0;
  preLoad[0] = 0;
  for (let i = 0, k = 0; i < span; i++) {
    preBad[i + 1] = preBad[i]! + bad[k]!;
    // quiet-first counts busy slots (idleRun is 1 where nothing runs): a phase scores minus its overlap.
    preLoad[i + 1] = preLoad[i]! + (quiet ? 1 - idleRun[k]! : load[k]! + idleRun[k]!);
    if (++k === P) k = 0;
  }
  let best = -1;
  let bestScore = -Infinity;
  for (let k = 0, phase = shape.release; k <= shape.kmax; k++) {
    if (preBad[phase + D] === preBad[phase]) {
      if (!pack) return { phase, crowding: 0 };
      const score = preLoad[phase]! - preLoad[phase + D]!;
      if (scratch.record) {
        scratch.feasPhase[scratch.feasN] = phase;
        scratch.feasScore[scratch.feasN++] = score;
      }
      if (score > bestScore + 1e-12) {
        bestScore = score;
        best = phase;
        if (quiet && score === 0 && !scratch.record) break;
      }
    }
    if (++phase === P) phase = 0;
  }
  if (best < 0) {
    // Would any phase at all fit? Free to answer from the same prefix sums; a "no" holds for every
    // instance of this size and period, whatever its start window (see Shape.anyPhaseKey).
    scratch.anyPhaseFits = false;
    for (let phase = 0; phase < P; phase++) {
      if (preBad[phase + D] === preBad[phase]) {
        scratch.anyPhaseFits = true;
        break;
      }
    }
    return null;
  }
  return { phase: best, crowding: -bestScore / D };
}

/**
 * searchPhase for a folded period whose offsets repeat modulo n = gcd(P, H): the same answer (phase and
 * crowding, ties to the earliest allowed phase) from the first n allowed phases, in O(n + D) instead of O(P).
 */
function searchResidues(node: NodeState, shape: Shape, scratch: Scratch, pack: boolean): PhaseFit | null {
  const { bad, load, idleRun, preBad, preLoad } = scratch;
  const n = node.scanResidues(shape, bad, pack ? { load, idleRun, idleWeight: IDLE_WEIGHT } : null);
  const P = shape.every;
  const D = shape.duration;
  preBad[0] = 0;
  preLoad[0] = 0;
  for (let i = 0, k = 0; i < n + D; i++) {
    preBad[i + 1] = preBad[i]! + bad[k]!;
    preLoad[i + 1] = preLoad[i]! + (pack ? load[k]! + idleRun[k]! : 0);
    if (++k === n) k = 0;
  }
  let best = -1;
  let bestScore = -Infinity;
  const tries = Math.min(shape.kmax, n - 1);
  for (let k = 0, phase = shape.release; k <= tries; k++) {
    const r = phase % n;
    if (preBad[r + D] === preBad[r]) {
      if (!pack) return { phase, crowding: 0 };
      const score = preLoad[r]! - preLoad[r + D]!;
      if (score > bestScore + 1e-12) {
        bestScore = score;
        best = phase;
      }
    }
    if (++phase === P) phase = 0;
  }
  if (best < 0) {
    scratch.anyPhaseFits = false;
    for (let r = 0; r < n; r++) {
      if (preBad[r + D] === preBad[r]) {
        scratch.anyPhaseFits = true;
        break;
      }
    }
    return null;
  }
  return { phase: best, crowding: -bestScore / D };
}

/** Whether the instance fits on the node at exactly this phase: [] when it does, else every reason. */
export function fitsAt(node: NodeState, shape: Shape, phase: number): string[] {
  const problems: string[] = [];
  checkAt(node, shape, phase, problems);
  return problems;
}

/**
 * `fitsAt(...).length === 0`, answered at the first problem found and without the reasons: for searches
 * that ask many times between bookings and removals (the repair's chains).
 */
export function fitsAtPhase(node: NodeState, shape: Shape, phase: number): boolean {
  return checkAt(node, shape, phase, null);
}

/**
 * The one fit test behind both: with `problems`, every problem is listed; without, false at the first.
 * The run's own slots come before the node-wide peak, which a removal leaves to be recomputed over
 * every slot.
 */
function checkAt(node: NodeState, shape: Shape, phase: number, problems: string[] | null): boolean {
  const names = ['cpu', 'memory', 'bandwidth'];
  const H = node.horizon;
  // A folded period (period.ts) meets the slots at its phase modulo the gcd with the horizon.
  const { step, length } = slotStep(shape.every, shape.duration, H);
  let ok = true;
  const fail = (message: () => string): boolean => {
    ok = false;
    problems?.push(message());
    return problems !== null;
  };
  for (const l of node.links) {
    const over = linkOverSlots(l, shape, phase);
    if (over > 0 && !fail(() => `${over} active slot(s) would exceed the capacity of link ${l.name}`)) return false;
  }
  if (node.count === 0) {
    for (let r = 0; r < 3; r++)
      if (node.idleSum[r]! + shape.run[r]! > node.cap[r]!)
        if (!fail(() => `run ${names[r]} exceeds the node's capacity`)) return false;
  } else {
    // Beside another day period the capacity is judged over the real day below; exclusivity still here.
    const day = node.readsDay(shape);
    const mask = day ? 8 : 15;
    let overloaded = 0;
    let exclusiveClash = 0;
    for (let start = phase % step; start < H; start += step) {
      for (let d = 0; d < length; d++) {
        let t = start + d;
        if (t >= H) t -= H;
        const bits = node.runBlockedAt(t, shape) & mask;
        if (bits === 0) continue;
        if (problems === null) return false;
        if (bits & 7) overloaded++;
        if (bits & 8) exclusiveClash++;
      }
    }
    if (day) overloaded = node.dayOverloaded(shape, phase);
    if (overloaded > 0 && !fail(() => `${overloaded} active slot(s) would exceed the node's capacity`)) return false;
    if (exclusiveClash > 0) fail(() => `${exclusiveClash} active slot(s) would break an exclusive rule`);
    const clashes = node.foldedClashes(shape, phase);
    if (
      clashes.length > 0 &&
      !fail(() => `its runs would meet those of ${clashes.map((b) => b.spec.id).join(', ')} (exclusive)`)
    )
      return false;
  }
  const peak = node.peak();
  for (let r = 0; r < 3; r++)
    if (peak[r]! + node.idleSum[r]! + shape.idle[r]! > node.cap[r]!)
      if (!fail(() => `idle ${names[r]} does not fit at the busiest slot`)) return false;
  return ok;
}
