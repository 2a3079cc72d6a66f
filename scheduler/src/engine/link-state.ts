/**
 * Incremental occupancy of one shared link (a site's uplink): per slot, the bandwidth that active runs
 * on the nodes behind it send through it. A run's bandwidth counts on its node and on every link the
 * node sits behind; idle instances send nothing (idle load has no bandwidth). Booking touches only the
 * booked run's active slots, like NodeState.
 */
import { slotStep } from './period.js';
import type { Shape } from './shape.js';
import { capacityUnits } from './units.js';

/**
 * Calls `visit` once for every slot of the horizon where a run of `every`/`duration` at `phase` can be
 * active. A period that divides the horizon lands exactly; any other one is folded onto it as a node's
 * is (period.ts): a run of min(D, g) slots every g = gcd(P, H), which may count a run in hours where it
 * does not fall — conservative, a link is never thought to have more room than it has.
 */
export function forEachRunSlot(
  phase: number,
  every: number,
  duration: number,
  horizon: number,
  visit: (t: number) => void,
): void {
  const { step, length } = slotStep(every, duration, horizon);
  for (let start = phase % step; start < horizon; start += step) {
    for (let k = 0; k < length; k++) visit((start + k) % horizon);
  }
}

/** What LinkState needs of a booking: when it runs and what it sends (a NodeState's BookedInstance fits). */
export interface LinkBooking {
  spec: { id: string };
  shape: Shape;
  phase: number;
}

/** `Node` is the engine's node state; a parameter, so that this module and node-state.ts do not import each other. */
export class LinkState<Node = unknown> {
  /** Capacity in engine units (kbps): the smallest any node behind the link declares. */
  cap = 0;
  /** Node name → the capacity (Mbps) that node declares; a disagreement is reported, the smallest wins. */
  readonly declared = new Map<string, number>();
  /** Bookings that send through the link (run bandwidth above zero). */
  readonly booked = new Map<string, LinkBooking>();
  /** Engine nodes behind the link: a booking on one of them changes what fits on the others. */
  readonly nodes = new Set<Node>();
  private load: Int32Array | null = null;
  /**
   * Per-period folds of the load, fold_P[j] = max over k of load[j + kP], as NodeState keeps them: a
   * phase search for period P reads P entries instead of H. Kept up to date by bookings, dropped when
   * load leaves (a max cannot be un-maxed), rebuilt on first use.
   */
  private foldPeriods: number[] = [];
  private foldArrays: Int32Array[] = [];

  /** Highest per-slot load, or null when load left and it must be recomputed. */
  private peakCache: number | null = 0;

  constructor(
    readonly name: string,
    readonly horizon: number,
    /** The largest run bandwidth of any shape the engine has seen (engine units), shared by all links. */
    private readonly seen: { maxRunBandwidth: number },
  ) {}

  /** Records one node's declaration and recomputes the capacity (the smallest); true when it changed. */
  declare(node: string, mbps: number): boolean {
    this.declared.set(node, mbps);
    return this.recompute();
  }

  /** Drops a leaving node's declaration; true when the capacity changed. */
  withdraw(node: string): boolean {
    this.declared.delete(node);
    return this.recompute();
  }

  private recompute(): boolean {
    let min = Infinity;
    for (const v of this.declared.values()) if (v < min) min = v;
    const before = this.cap;
    this.cap = min === Infinity ? 0 : capacityUnits({ cpu: 0, memory: 0, bandwidth: min })[2];
    return this.cap !== before;
  }

  /** The capacity in Mbps, as declared. */
  get capacityMbps(): number {
    let min = Infinity;
    for (const v of this.declared.values()) if (v < min) min = v;
    return min === Infinity ? 0 : min;
  }

  /** "node b declares 600 Mbps, node a 1000 Mbps": null when every node behind the link agrees. */
  conflict(): { smallest: number; declarations: { node: string; mbps: number }[] } | null {
    const values = new Set(this.declared.values());
    if (values.size <= 1) return null;
    const declarations = [...this.declared]
      .map(([node, mbps]) => ({ node, mbps }))
      .sort((a, b) => a.mbps - b.mbps || (a.node < b.node ? -1 : 1));
    return { smallest: declarations[0]!.mbps, declarations };
  }

  /** Adds (sign 1) or removes (sign −1) a booking's run bandwidth over its active slots. */
  apply(b: LinkBooking, sign: 1 | -1): void {
    const bw = b.shape.run[2];
    if (bw === 0) return;
    if (this.load === null) this.load = new Int32Array(this.horizon);
    const s = this.load;
    const d = bw * sign;
    const folds = sign > 0 ? this.foldArrays.length : 0;
    let peak = sign > 0 ? this.peakCache : null;
    forEachRunSlot(b.phase, b.shape.every, b.shape.duration, this.horizon, (t) => {
      const v = (s[t] = s[t]! + d);
      if (peak !== null && v > peak) peak = v;
      for (let q = 0; q < folds; q++) {
        const f = this.foldArrays[q]!;
        const j = t % this.foldPeriods[q]!;
        if (v > f[j]!) f[j] = v;
      }
    });
    this.peakCache = peak;
    if (sign < 0) {
      this.foldPeriods = [];
      this.foldArrays = [];
    }
    if (sign > 0) this.booked.set(b.spec.id, b);
    else this.booked.delete(b.spec.id);
  }

  /** Sets `bit` in mark[t] for every slot t of a run of `shape` at `phase` where blockedAt holds. */
  markRunBlocked(shape: Shape, phase: number, mark: Uint8Array, bit: number): void {
    if (shape.run[2] === 0) return;
    forEachRunSlot(phase, shape.every, shape.duration, this.horizon, (t) => {
      if (this.blockedAt(t, shape)) mark[t]! |= bit;
    });
  }

  /** Whether a run of `shape` would push the link over its capacity in slot t. */
  blockedAt(t: number, shape: Shape): boolean {
    if (shape.run[2] === 0) return false;
    return (this.load === null ? 0 : this.load[t]!) + shape.run[2] > this.cap;
  }

  /**
   * Marks bad[j] = 1 for every period offset j in [0, P) where a run of `shape` would overflow the link in
   * some repetition. A period that does not divide the horizon reads the fold of its gcd with it (the
   * offsets it can meet), like its booking.
   */
  markBlocked(shape: Shape, bad: Uint8Array): void {
    const bw = shape.run[2];
    if (bw === 0) return;
    const P = shape.every;
    if (bw > this.cap) {
      bad.fill(1, 0, P);
      return;
    }
    if (this.load === null) return;
    const limit = this.cap - bw;
    const g = slotStep(P, shape.duration, this.horizon).step;
    const f = this.fold(g);
    for (let j = 0, r = 0; j < P; j++) {
      if (f[r]! > limit) bad[j] = 1;
      if (++r === g) r = 0;
    }
  }

  private fold(period: number): Int32Array {
    const s = this.load!;
    if (period >= this.horizon) return s;
    const k = this.foldPeriods.indexOf(period);
    if (k >= 0) return this.foldArrays[k]!;
    const f = new Int32Array(period);
    for (let t = 0, j = 0; t < this.horizon; t++) {
      if (s[t]! > f[j]!) f[j] = s[t]!;
      if (++j === period) j = 0;
    }
    this.foldPeriods.push(period);
    this.foldArrays.push(f);
    return f;
  }

  /** Bandwidth (engine units) active runs send through the link in slot t. */
  loadAt(t: number): number {
    return this.load === null ? 0 : this.load[t]!;
  }

  /** Highest per-slot load (engine units). */
  peak(): number {
    if (this.peakCache !== null) return this.peakCache;
    let p = 0;
    if (this.load !== null) for (let t = 0; t < this.horizon; t++) if (this.load[t]! > p) p = this.load[t]!;
    this.peakCache = p;
    return p;
  }

  /**
   * Whether the link can block some run of a shape seen so far: otherwise its load changes nothing of what
   * fits on its nodes, and a booking behind it need not invalidate the other nodes' caches.
   */
  relevant(): boolean {
    const bw = this.seen.maxRunBandwidth;
    return bw > 0 && this.peak() + bw > this.cap;
  }

  /** Bookings sending through the link in slot t, for messages. */
  activeAt(t: number): LinkBooking[] {
    const out: LinkBooking[] = [];
    for (const b of this.booked.values()) {
      const { step, length } = slotStep(b.shape.every, b.shape.duration, this.horizon);
      if ((((t - b.phase) % step) + step) % step < length) out.push(b);
    }
    return out;
  }

  /** Whether the link can block a run of `shape` in some slot: it sends something, and the busiest slot has too little left. */
  constrains(shape: Shape): boolean {
    return shape.run[2] > 0 && this.peak() + shape.run[2] > this.cap;
  }
}
