/**
 * Incremental occupancy of one node: per slot, what active instances add on top of the idle
 * reservations (cpu, memory, bandwidth), and how many instances (and exclusive ones) are active.
 * Booking touches only the booked instance's active slots; nothing rescans the cluster.
 */
import type { InstanceSpec, NodeSpec } from './instance.js';
import type { Shape } from './shape.js';
import { capacityUnits } from './units.js';
import { NodeStamps } from './invalidation.js';
import { NoFitVerdicts } from './no-fit.js';
import { NODE_POOL_LABEL } from '@nmaas/sdk/contract';

/**
 * The slot layout, private to this module: per slot, SLOT_WORDS int32 words — what active instances
 * add to cpu, memory and bandwidth, then the active count in the low 16 bits and the active exclusive
 * count above (in EXCLUSIVE_UNITs). Everything else reads slots through NodeState's methods.
 */
const EXCLUSIVE_UNIT = 65536;
const SLOT_WORDS = 4;

export interface BookedInstance {
  spec: InstanceSpec;
  shape: Shape;
  node: NodeState;
  phase: number;
}

/** A cached phase search: the best phase and its crowding, or null when nothing fits. */
export type PhaseFitResult = { phase: number; crowding: number } | null;

export class NodeState {
  readonly cap: [number, number, number];
  readonly pool: string | null;
  /** Σ idle of every booked instance (always reserved). */
  readonly idleSum: [number, number, number] = [0, 0, 0];
  /** Σ over the horizon of the per-slot extra, per resource (for averages). */
  readonly extraTotal: [number, number, number] = [0, 0, 0];
  /** Σ max(run, idle): what a time-blind scheduler reserving run for the whole horizon would hold. */
  readonly reserved: [number, number, number] = [0, 0, 0];
  private slots: Int32Array | null = null;
  private peakCache: [number, number, number] | null = [0, 0, 0];
  readonly apps = new Map<string, number>();
  /** Apps that some instance here refuses to share the node with (anti-affinity, seen from this side). */
  readonly refused = new Map<string, number>();
  readonly spread = new Map<string, number>();
  readonly booked = new Map<string, BookedInstance>();
  exclusiveCount = 0;
  /** Cache stamps, moved by the engine's Invalidation on named events (see invalidation.ts). */
  readonly stamps = new NodeStamps();
  private fitCacheStamp = 0;
  private readonly fitCache = new Map<string, PhaseFitResult>();

  /** Phase-search result for a shape if computed since the node last changed (nodes scored but not chosen stay valid). */
  cachedFit(shapeKey: string): PhaseFitResult | undefined {
    if (this.fitCacheStamp !== this.stamps.changes) return undefined;
    return this.fitCache.get(shapeKey);
  }

  rememberFit(shapeKey: string, fit: PhaseFitResult): void {
    if (this.fitCacheStamp !== this.stamps.changes) {
      this.fitCache.clear();
      this.fitCacheStamp = this.stamps.changes;
    }
    this.fitCache.set(shapeKey, fit);
  }

  /** Whether no allowed phase of this shape key fitted, and nothing has left the node since. */
  knownNoFit(shapeKey: string): boolean {
    return this.verdicts.known(shapeKey, this.index, this.stamps.departures);
  }

  rememberNoFit(shapeKey: string): void {
    this.verdicts.remember(shapeKey, this.index, this.stamps.departures);
  }
  dead = false;

  constructor(
    readonly index: number,
    readonly spec: NodeSpec,
    readonly horizon: number,
    /** Where "no allowed phase fitted" verdicts are kept, shared by the cluster's nodes (no-fit.ts). */
    private readonly verdicts: NoFitVerdicts = new NoFitVerdicts(),
  ) {
    this.cap = capacityUnits(spec.capacity);
    this.pool = spec.labels[NODE_POOL_LABEL] ?? null;
  }

  get name(): string {
    return this.spec.name;
  }

  get count(): number {
    return this.booked.size;
  }

  /**
   * Per-period folds of the slots: fold_P[s] = max over k of slot[s + kP], per word. A phase search for
   * period P then reads P entries instead of H. Built on first use, kept up to date by bookings,
   * dropped on removal (a max cannot be un-maxed) and rebuilt lazily.
   */
  private foldPeriods: number[] = [];
  private foldArrays: Int32Array[] = [];

  /** Slot reads a `fold(period)` costs now: 0 when it is kept, the horizon when it must be built. */
  foldCost(period: number): number {
    return period >= this.horizon || this.slots === null || this.foldPeriods.includes(period) ? 0 : this.horizon;
  }

  fold(period: number): Int32Array {
    const s = this.ensureSlots();
    if (period >= this.horizon) return s;
    const k = this.foldPeriods.indexOf(period);
    if (k >= 0) return this.foldArrays[k]!;
    const f = new Int32Array(period * SLOT_WORDS).fill(-2147483648);
    for (let t = 0, j = 0; t < this.horizon; t++) {
      const i = t * SLOT_WORDS;
      for (let w = 0; w < SLOT_WORDS; w++) if (s[i + w]! > f[j + w]!) f[j + w] = s[i + w]!;
      j += SLOT_WORDS;
      if (j === period * SLOT_WORDS) j = 0;
    }
    this.foldPeriods.push(period);
    this.foldArrays.push(f);
    return f;
  }

  /** Bytes the slot array holds (0 until the first booking, and after the node is dropped). */
  slotBytes(): number {
    return this.slots?.byteLength ?? 0;
  }

  /** Lets go of the slot array and folds, for a node leaving the engine. */
  dropSlots(): void {
    this.slots = null;
    this.foldPeriods = [];
    this.foldArrays = [];
  }

  private ensureSlots(): Int32Array {
    if (this.slots === null) this.slots = new Int32Array(this.horizon * SLOT_WORDS);
    return this.slots;
  }

  /** Highest per-slot extra per resource (lazily recomputed after a removal). */
  peak(): [number, number, number] {
    if (this.peakCache !== null) return this.peakCache;
    const p: [number, number, number] = [0, 0, 0];
    const s = this.slots;
    if (s !== null) {
      let p0 = -Infinity,
        p1 = -Infinity,
        p2 = -Infinity;
      for (let i = 0; i < s.length; i += SLOT_WORDS) {
        if (s[i]! > p0) p0 = s[i]!;
        if (s[i + 1]! > p1) p1 = s[i + 1]!;
        if (s[i + 2]! > p2) p2 = s[i + 2]!;
      }
      p[0] = p0;
      p[1] = p1;
      p[2] = p2;
    }
    this.peakCache = p;
    return p;
  }

  /** Adds (sign 1) or removes (sign −1) an instance's footprint; the caller reports the event to Invalidation. */
  apply(b: BookedInstance, sign: 1 | -1): void {
    const { shape, spec } = b;
    const s = this.ensureSlots();
    const H = this.horizon;
    const P = shape.every;
    const D = shape.duration;
    const d0 = shape.delta[0] * sign,
      d1 = shape.delta[1] * sign,
      d2 = shape.delta[2] * sign;
    const c = (shape.exclusive ? EXCLUSIVE_UNIT + 1 : 1) * sign;
    const peak = sign > 0 ? this.peakCache : null;
    let p0 = peak ? peak[0] : 0,
      p1 = peak ? peak[1] : 0,
      p2 = peak ? peak[2] : 0;
    for (let start = b.phase; start < H; start += P) {
      for (let d = 0; d < D; d++) {
        let t = start + d;
        if (t >= H) t -= H;
        const i = t * SLOT_WORDS;
        const v0 = (s[i] = s[i]! + d0);
        const v1 = (s[i + 1] = s[i + 1]! + d1);
        const v2 = (s[i + 2] = s[i + 2]! + d2);
        s[i + 3] = s[i + 3]! + c;
        if (v0 > p0) p0 = v0;
        if (v1 > p1) p1 = v1;
        if (v2 > p2) p2 = v2;
        if (sign > 0) {
          const v3 = s[i + 3]!;
          for (let q = 0; q < this.foldPeriods.length; q++) {
            const f = this.foldArrays[q]!;
            const j = (t % this.foldPeriods[q]!) * SLOT_WORDS;
            if (v0 > f[j]!) f[j] = v0;
            if (v1 > f[j + 1]!) f[j + 1] = v1;
            if (v2 > f[j + 2]!) f[j + 2] = v2;
            if (v3 > f[j + 3]!) f[j + 3] = v3;
          }
        }
      }
    }
    if (sign < 0) {
      this.foldPeriods = [];
      this.foldArrays = [];
    }
    if (peak) {
      peak[0] = p0;
      peak[1] = p1;
      peak[2] = p2;
    } else if (sign < 0) {
      this.peakCache = null;
    }
    const activeSlots = (H / P) * D;
    for (let r = 0; r < 3; r++) {
      this.idleSum[r] = this.idleSum[r]! + shape.idle[r]! * sign;
      this.extraTotal[r] = this.extraTotal[r]! + shape.delta[r]! * activeSlots * sign;
      this.reserved[r] = this.reserved[r]! + Math.max(shape.run[r]!, shape.idle[r]!) * sign;
    }
    if (shape.exclusive) this.exclusiveCount += sign;
    bump(this.apps, spec.app, sign);
    for (const a of spec.antiAffinity) bump(this.refused, a, sign);
    if (spec.spreadGroup !== null) bump(this.spread, spec.spreadGroup, sign);
    if (sign > 0) this.booked.set(spec.id, b);
    else this.booked.delete(spec.id);
  }

  /**
   * Which limits a run of `shape` would break in slot t: bit r (0 cpu, 1 memory, 2 bandwidth) when the
   * resource overflows on top of the idle reservations, bit 3 when exclusivity forbids sharing the slot.
   */
  runBlockedAt(t: number, shape: Shape): number {
    return this.blockedBits(this.slots, t, shape);
  }

  /**
   * Per position p of the shape's period, how many of its repetitions over the horizon block a run of
   * `shape` (exact), written into `out` (length ≥ P).
   */
  blockedCounts(shape: Shape, out: Int32Array): void {
    const P = shape.every;
    out.fill(0, 0, P);
    const s = this.slots;
    if (s === null) {
      // Nothing booked: the run alone against the capacity left by the idle load, the same in every slot.
      const blocked = this.blockedBits(null, 0, shape) !== 0 ? this.horizon / P : 0;
      out.fill(blocked, 0, P);
      return;
    }
    const cap = this.cap;
    const lim0 = cap[0] - this.idleSum[0] - shape.run[0];
    const lim1 = cap[1] - this.idleSum[1] - shape.run[1];
    const lim2 = cap[2] - this.idleSum[2] - shape.run[2];
    const excl = shape.exclusive;
    for (let t = 0, i = 0, p = 0; t < this.horizon; t++, i += SLOT_WORDS) {
      const v3 = s[i + 3]!;
      if (s[i]! > lim0 || s[i + 1]! > lim1 || s[i + 2]! > lim2 || (excl ? v3 !== 0 : v3 >= EXCLUSIVE_UNIT)) out[p]!++;
      if (++p === P) p = 0;
    }
  }

  /**
   * One pass over the fold of the shape's period: bad[j] = 1 when a run at offset j is blocked in at
   * least one repetition (resources over capacity, or exclusivity). With `crowd`, also the busiest
   * repetition's load at j normalised by capacity (max over resources), and `idleWeight` where nothing
   * runs yet (keeps idle time in one piece for exclusive runs).
   */
  scanFold(
    shape: Shape,
    bad: Uint8Array,
    crowd: { load: Float64Array; idleRun: Float64Array; idleWeight: number } | null,
  ): void {
    const cap = this.cap;
    const lim0 = cap[0] - this.idleSum[0] - shape.run[0];
    const lim1 = cap[1] - this.idleSum[1] - shape.run[1];
    const lim2 = cap[2] - this.idleSum[2] - shape.run[2];
    const excl = shape.exclusive;
    const P = shape.every;
    const f = this.fold(P);
    if (crowd === null) {
      for (let j = 0, i = 0; j < P; j++, i += SLOT_WORDS) {
        const v3 = f[i + 3]!;
        bad[j] =
          f[i]! > lim0 || f[i + 1]! > lim1 || f[i + 2]! > lim2 || (excl ? v3 !== 0 : v3 >= EXCLUSIVE_UNIT) ? 1 : 0;
      }
      return;
    }
    const { load, idleRun, idleWeight } = crowd;
    const w0 = cap[0] > 0 ? 1 / cap[0] : 0;
    const w1 = cap[1] > 0 ? 1 / cap[1] : 0;
    const w2 = cap[2] > 0 ? 1 / cap[2] : 0;
    for (let j = 0, i = 0; j < P; j++, i += SLOT_WORDS) {
      const v0 = f[i]!,
        v1 = f[i + 1]!,
        v2 = f[i + 2]!,
        v3 = f[i + 3]!;
      bad[j] = v0 > lim0 || v1 > lim1 || v2 > lim2 || (excl ? v3 !== 0 : v3 >= EXCLUSIVE_UNIT) ? 1 : 0;
      let m = v0 * w0;
      const m1 = v1 * w1,
        m2 = v2 * w2;
      if (m1 > m) m = m1;
      if (m2 > m) m = m2;
      load[j] = m;
      idleRun[j] = v3 === 0 ? idleWeight : 0;
    }
  }

  /** How many slots of the horizon have at least one instance active. */
  busySlots(): number {
    const s = this.slots;
    if (s === null) return 0;
    let busy = 0;
    for (let i = 3; i < s.length; i += SLOT_WORDS) if ((s[i]! & (EXCLUSIVE_UNIT - 1)) > 0) busy++;
    return busy;
  }

  /** Instances active in slot t (idle ones excluded): how many, and how many of them exclusive. */
  activeCount(t: number): { active: number; exclusive: number } {
    const c = this.slots === null ? 0 : this.slots[t * SLOT_WORDS + 3]!;
    return { active: c & (EXCLUSIVE_UNIT - 1), exclusive: Math.floor(c / EXCLUSIVE_UNIT) };
  }

  /** What active instances add in slot t on top of the idle reservations, for resource r (engine units). */
  extraAt(t: number, r: number): number {
    return this.slots === null ? 0 : this.slots[t * SLOT_WORDS + r]!;
  }

  private blockedBits(words: Int32Array | null, i: number, shape: Shape): number {
    let bits = 0;
    const at = i * SLOT_WORDS;
    for (let r = 0; r < 3; r++)
      if ((words ? words[at + r]! : 0) + this.idleSum[r]! + shape.run[r]! > this.cap[r]!) bits |= 1 << r;
    const c = words ? words[at + 3]! : 0;
    if (shape.exclusive ? c !== 0 : c >= EXCLUSIVE_UNIT) bits |= 8;
    return bits;
  }

  /** Instances active in slot t, for messages. */
  activeAt(t: number): BookedInstance[] {
    const out: BookedInstance[] = [];
    for (const b of this.booked.values()) {
      if ((((t - b.phase) % b.shape.every) + b.shape.every) % b.shape.every < b.shape.duration) out.push(b);
    }
    return out;
  }
}

function bump(map: Map<string, number>, key: string, sign: number): void {
  const v = (map.get(key) ?? 0) + sign;
  if (v === 0) map.delete(key);
  else map.set(key, v);
}
