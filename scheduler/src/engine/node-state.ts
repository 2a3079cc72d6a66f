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
import type { LinkState } from './link-state.js';
import { DAY_SECONDS, gcd, isDayPeriod, isFolded, slotStep } from './period.js';
import { runsMeet } from './rules/exclusive.js';
import { SlotBudget, type BudgetMember } from './slot-budget.js';

/**
 * The slot layout, private to this module: per slot, SLOT_WORDS int32 words — what active instances
 * add to cpu, memory and bandwidth, then the active count in the low 16 bits and the active exclusive
 * count above (in EXCLUSIVE_UNITs). Everything else reads slots through NodeState's methods.
 */
const EXCLUSIVE_UNIT = 65536;
const SLOT_WORDS = 4;

/**
 * One day of load (cpu, memory, bandwidth per second), shared by every node of the process: the engine is
 * synchronous, and only the phase search of a day period on a node holding another one fills it
 * (`dayProfile`). Allocated on first use; nodes never hold a day of slots.
 */
let dayBuffer: Int32Array | null = null;

export interface BookedInstance {
  spec: InstanceSpec;
  shape: Shape;
  node: NodeState;
  phase: number;
}

/** A cached phase search: the best phase and its crowding, or null when nothing fits. */
export type PhaseFitResult = { phase: number; crowding: number } | null;

export class NodeState implements BudgetMember {
  readonly cap: [number, number, number];
  readonly pool: string | null;
  /** Σ idle of every booked instance (always reserved). */
  readonly idleSum: [number, number, number] = [0, 0, 0];
  /** Σ over the horizon of the per-slot extra, per resource (for averages). */
  readonly extraTotal: [number, number, number] = [0, 0, 0];
  /** Σ max(run, idle): what a time-blind scheduler reserving run for the whole horizon would hold. */
  readonly reserved: [number, number, number] = [0, 0, 0];
  /**
   * The slot array when materialised, else null: before the first booking, and after the cluster's slot
   * budget let it go (slot-budget.ts). The bookings determine it exactly (`rebuild`), so every reader goes
   * through `words` or `ensureSlots`, which bring it back.
   */
  private slots: Int32Array | null = null;
  lruPrev: BudgetMember | null = null;
  lruNext: BudgetMember | null = null;
  heldBytes = 0;
  private peakCache: [number, number, number] | null = [0, 0, 0];
  readonly apps = new Map<string, number>();
  /** Apps that some instance here refuses to share the node with (anti-affinity, seen from this side). */
  readonly refused = new Map<string, number>();
  readonly spread = new Map<string, number>();
  readonly booked = new Map<string, BookedInstance>();
  /**
   * Bookings whose period does not divide the horizon (period.ts): their load is folded into the slots,
   * their activity is not (it would make two daily runs at different hours look simultaneous), so
   * exclusivity against them is tested pairwise (`runsMeet`), exactly.
   */
  readonly folded = new Set<BookedInstance>();
  exclusiveCount = 0;
  /** Shared links the node sits behind (registered by the Cluster). */
  readonly links: LinkState<NodeState>[] = [];
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
    /** The memory budget of the derived arrays, shared by the cluster's nodes (slot-budget.ts). */
    private readonly budget: SlotBudget = new SlotBudget(),
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
   * dropped on removal (a max cannot be un-maxed) and rebuilt lazily. The arrays (`foldArrays`, for
   * `foldPeriods`) go with the slots when the budget lets them go; `keptFolds` lists the folds built since
   * the last removal whether or not their arrays are held, so that what a fold is said to cost
   * (`foldCost`, which bounds the refusal's search) and hence every answer does not depend on the budget.
   */
  private foldPeriods: number[] = [];
  private foldArrays: Int32Array[] = [];
  private keptFolds: number[] = [];
  /** Whether the slots were ever written (since the node joined): what `foldCost` calls "built". */
  private written = false;

  /** Slot reads a `fold(period)` costs: 0 when it is kept, the horizon when it must be built. */
  foldCost(period: number): number {
    return period >= this.horizon || !this.written || this.keptFolds.includes(period) ? 0 : this.horizon;
  }

  fold(period: number): Int32Array {
    const s = this.ensureSlots();
    if (period >= this.horizon) return s;
    const k = this.foldPeriods.indexOf(period);
    if (k >= 0) return this.foldArrays[k]!;
    const f = this.budget.take(period * SLOT_WORDS, -2147483648);
    for (let t = 0, j = 0; t < this.horizon; t++) {
      const i = t * SLOT_WORDS;
      for (let w = 0; w < SLOT_WORDS; w++) if (s[i + w]! > f[j + w]!) f[j + w] = s[i + w]!;
      j += SLOT_WORDS;
      if (j === period * SLOT_WORDS) j = 0;
    }
    this.foldPeriods.push(period);
    this.foldArrays.push(f);
    if (!this.keptFolds.includes(period)) this.keptFolds.push(period);
    this.budget.resize(this, this.heldBytes + f.byteLength);
    return f;
  }

  /** Bytes the slot array holds now (0 until the first booking, while the budget holds it elsewhere, and after the node is dropped). */
  slotBytes(): number {
    return this.slots?.byteLength ?? 0;
  }

  /** Lets go of the slot array and folds, for a node leaving the engine. */
  dropSlots(): void {
    this.budget.forget(this);
    this.dayMax = null;
    this.keptFolds = [];
    this.written = false;
  }

  /** Lets the derived arrays go (the budget's call): the slots and folds, rebuilt from the bookings on the next read. */
  evict(recycle: (a: Int32Array) => void): void {
    if (this.slots !== null) recycle(this.slots);
    for (const f of this.foldArrays) recycle(f);
    this.slots = null;
    this.foldPeriods = [];
    this.foldArrays = [];
  }

  /** Drops the fold arrays (a removal or a day-load change moved the slots both ways); rebuilt lazily. */
  private dropFolds(): void {
    if (this.foldArrays.length === 0 && this.keptFolds.length === 0) return;
    let bytes = this.heldBytes;
    for (const f of this.foldArrays) {
      bytes -= f.byteLength;
      this.budget.recycle(f);
    }
    this.foldPeriods = [];
    this.foldArrays = [];
    this.keptFolds = [];
    this.budget.resize(this, bytes);
  }

  /** The slots, materialised (rebuilt from the bookings when the budget let them go) and marked used. */
  private ensureSlots(): Int32Array {
    if (this.slots !== null) {
      this.budget.touch(this);
      return this.slots;
    }
    const s = this.budget.take(this.horizon * SLOT_WORDS, 0);
    if (this.written) {
      this.rebuild(s);
      this.budget.rebuilds++;
    }
    this.slots = s;
    this.written = true;
    this.budget.resize(this, this.heldBytes + s.byteLength);
    return s;
  }

  /**
   * The slots for reading, or null when nothing is booked (every word is then 0: removals give back
   * exactly what bookings added, integers being reversible).
   */
  private words(): Int32Array | null {
    return this.booked.size === 0 ? null : this.ensureSlots();
  }

  /**
   * Writes into zeroed slots what the bookings add: each booking's runs as `apply` writes them, and the
   * day-period bookings through `dayMax`. Integer sums do not depend on order: the array is the one the
   * bookings built one by one.
   */
  private rebuild(s: Int32Array): void {
    const H = this.horizon;
    for (const b of this.booked.values()) {
      const { shape } = b;
      if (isDayPeriod(shape.every, H)) continue;
      const folded = isFolded(shape.every, H);
      const { step: P, length: D } = slotStep(shape.every, shape.duration, H);
      const [d0, d1, d2] = shape.delta;
      const c = folded ? 0 : shape.exclusive ? EXCLUSIVE_UNIT + 1 : 1;
      for (let start = b.phase % P; start < H; start += P) {
        for (let d = 0; d < D; d++) {
          let t = start + d;
          if (t >= H) t -= H;
          const i = t * SLOT_WORDS;
          s[i] = s[i]! + d0;
          s[i + 1] = s[i + 1]! + d1;
          s[i + 2] = s[i + 2]! + d2;
          s[i + 3] = s[i + 3]! + c;
        }
      }
    }
    const max = this.dayMax;
    if (max === null) return;
    for (let h = 0; h < H; h++) {
      const k = h * SLOT_WORDS;
      s[k] = s[k]! + max[h * 3]!;
      s[k + 1] = s[k + 1]! + max[h * 3 + 1]!;
      s[k + 2] = s[k + 2]! + max[h * 3 + 2]!;
    }
  }

  /** Highest per-slot extra per resource (lazily recomputed after a removal). */
  peak(): [number, number, number] {
    if (this.peakCache !== null) return this.peakCache;
    const p: [number, number, number] = [0, 0, 0];
    const s = this.words();
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
    // A folded booking adds its load every gcd(P, H) slots and no activity count (see `folded`).
    const folded = isFolded(shape.every, H);
    const { step: P, length: D } = slotStep(shape.every, shape.duration, H);
    const d0 = shape.delta[0] * sign,
      d1 = shape.delta[1] * sign,
      d2 = shape.delta[2] * sign;
    const c = folded ? 0 : (shape.exclusive ? EXCLUSIVE_UNIT + 1 : 1) * sign;
    // Folds follow bookings by max, which holds only while a booking raises its slots: one that lowers
    // some (idle above run, an input the app model refuses but the engine reads) drops them like a removal.
    const lowers = d0 < 0 || d1 < 0 || d2 < 0;
    const peak = sign > 0 ? this.peakCache : null;
    let p0 = peak ? peak[0] : 0,
      p1 = peak ? peak[1] : 0,
      p2 = peak ? peak[2] : 0;
    // A day period's load enters the slots through `refreshDayMax` below, as the max over the day's hours.
    const day = isDayPeriod(shape.every, H);
    for (let start = b.phase % P; start < H && !day; start += P) {
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
    if (sign < 0 || lowers) this.dropFolds();
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
    if (folded && sign > 0) this.folded.add(b);
    else if (folded) this.folded.delete(b);
    if (day) this.refreshDayMax();
  }

  /**
   * Per slot of the hour, the most the day-period bookings (period.ts) add at that second of any hour of
   * the day: exact for every booking whose period divides the hour (it runs at that second every hour),
   * and at most the capacity, since the day bookings themselves never overlap beyond it. Kept in the
   * slots (words 0–2) as the difference to the previous value; null when the node holds no day booking.
   */
  private dayMax: Int32Array | null = null;

  private refreshDayMax(): void {
    const H = this.horizon;
    const s = this.ensureSlots();
    const next = new Int32Array(H * 3);
    const any = [...this.folded].some((f) => isDayPeriod(f.shape.every, H));
    if (any) {
      const buf = this.dayRuns();
      next.fill(-2147483648);
      for (let t = 0, i = 0, h = 0; t < DAY_SECONDS; t++, i += 3) {
        const k = h * 3;
        if (buf[i]! > next[k]!) next[k] = buf[i]!;
        if (buf[i + 1]! > next[k + 1]!) next[k + 1] = buf[i + 1]!;
        if (buf[i + 2]! > next[k + 2]!) next[k + 2] = buf[i + 2]!;
        if (++h === H) h = 0;
      }
    }
    const prev = this.dayMax;
    for (let h = 0; h < H; h++) {
      for (let r = 0; r < 3; r++) {
        const diff = next[h * 3 + r]! - (prev ? prev[h * 3 + r]! : 0);
        if (diff !== 0) s[h * SLOT_WORDS + r] = s[h * SLOT_WORDS + r]! + diff;
      }
    }
    this.dayMax = any ? next : null;
    // The slots moved both ways: folds and the peak are rebuilt lazily (as after a removal).
    this.dropFolds();
    this.peakCache = null;
  }

  /** The day-period bookings' real runs over one day (3 words a second) in the shared day buffer. */
  private dayRuns(): Int32Array {
    const buf = (dayBuffer ??= new Int32Array(DAY_SECONDS * 3));
    buf.fill(0);
    for (const f of this.folded) {
      if (!isDayPeriod(f.shape.every, this.horizon)) continue;
      const [d0, d1, d2] = f.shape.delta;
      for (let start = f.phase; start < DAY_SECONDS; start += f.shape.every) {
        for (let d = 0; d < f.shape.duration; d++) {
          const i = ((start + d) % DAY_SECONDS) * 3;
          buf[i] = buf[i]! + d0;
          buf[i + 1] = buf[i + 1]! + d1;
          buf[i + 2] = buf[i + 2]! + d2;
        }
      }
    }
    return buf;
  }

  /**
   * Marks in `bad` (length ≥ P) the offsets of the shape's period at which a run would be active together
   * with a folded booking while one of the two is exclusive: offset j meets booking B iff
   * (j − φ_B) mod gcd(P, P_B) < D_B. Exact pairwise (`runsMeet`); nothing to do on nodes without one.
   */
  private markFoldedClashes(shape: Shape, bad: Uint8Array | Int32Array): void {
    if (this.folded.size === 0) return;
    const P = shape.every;
    for (const f of this.folded) {
      if (!shape.exclusive && !f.shape.exclusive) continue;
      const g = gcd(P, f.shape.every);
      if (f.shape.duration >= g) {
        for (let j = 0; j < P; j++) bad[j] = 1;
        continue;
      }
      for (let base = f.phase % g; base < P; base += g)
        for (let d = 0; d < f.shape.duration && base + d < P; d++) bad[base + d] = 1;
      // A run of the folded booking that starts near the end of one g-cycle wraps to the first offsets.
      for (let d = g - (f.phase % g); d < f.shape.duration; d++) bad[d - (g - (f.phase % g))] = 1;
    }
  }

  /** The folded bookings whose runs meet a run of `shape` at `phase` while one of the two is exclusive. */
  foldedClashes(shape: Shape, phase: number): BookedInstance[] {
    const out: BookedInstance[] = [];
    for (const f of this.folded) {
      if (!shape.exclusive && !f.shape.exclusive) continue;
      const other = { every: f.shape.every, duration: f.shape.duration, phase: f.phase };
      if (runsMeet({ every: shape.every, duration: shape.duration, phase }, other)) out.push(f);
    }
    return out;
  }

  /**
   * Which limits a run of `shape` would break in slot t: bit r (0 cpu, 1 memory, 2 bandwidth) when the
   * resource overflows on top of the idle reservations, bit 3 when exclusivity forbids sharing the slot.
   */
  runBlockedAt(t: number, shape: Shape): number {
    return this.blockedBits(this.words(), t, shape);
  }

  /**
   * Sets `bit` in mark[t] for every slot t of a run of `shape` at `phase` that runBlockedAt would report
   * blocked (the run's own slots only; a folded period's slots as slotStep gives them). It restates
   * blockedBits with the limits worked out once: the repair's search runs it for every phase it weighs,
   * and calling blockedBits per slot made that search a quarter slower (fit.test.ts holds the two equal).
   */
  markRunBlocked(shape: Shape, phase: number, mark: Uint8Array, bit: number): void {
    const H = this.horizon;
    const { step, length } = slotStep(shape.every, shape.duration, H);
    const s = this.words();
    const lim0 = this.cap[0]! - this.idleSum[0]! - shape.run[0]!;
    const lim1 = this.cap[1]! - this.idleSum[1]! - shape.run[1]!;
    const lim2 = this.cap[2]! - this.idleSum[2]! - shape.run[2]!;
    const excl = shape.exclusive;
    for (let start = phase % step; start < H; start += step) {
      for (let d = 0; d < length; d++) {
        const t = (start + d) % H;
        const i = t * SLOT_WORDS;
        const v3 = s === null ? 0 : s[i + 3]!;
        const blocked =
          s === null
            ? lim0 < 0 || lim1 < 0 || lim2 < 0
            : s[i]! > lim0 || s[i + 1]! > lim1 || s[i + 2]! > lim2 || (excl ? v3 !== 0 : v3 >= EXCLUSIVE_UNIT);
        if (blocked) mark[t]! |= bit;
      }
    }
  }

  /**
   * Per position p of the shape's period, how many of its repetitions over the horizon block a run of
   * `shape` (exact), written into `out` (length ≥ P).
   */
  blockedCounts(shape: Shape, out: Int32Array): void {
    const P = shape.every;
    // A folded period (period.ts) meets the slots by its offset modulo the gcd: count there, then repeat.
    const n = slotStep(P, shape.duration, this.horizon).step;
    out.fill(0, 0, P);
    const s = this.words();
    if (s === null) {
      // Nothing booked: the run alone against the capacity left by the idle load, the same in every slot.
      const blocked = this.blockedBits(null, 0, shape) !== 0 ? this.horizon / n : 0;
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
      if (++p === n) p = 0;
    }
    for (let j = n; j < P; j++) out[j] = out[j - n]!;
    if (this.folded.size > 0) {
      const clash = new Uint8Array(P);
      this.markFoldedClashes(shape, clash);
      for (let j = 0; j < P; j++) out[j] = out[j]! + clash[j]!;
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
    if (this.readsDay(shape)) {
      this.scanDay(shape, bad, crowd);
      this.markFoldedClashes(shape, bad);
      return;
    }
    const n = this.scanResidues(shape, bad, crowd);
    const P = shape.every;
    repeat(bad, n, P);
    if (crowd !== null) {
      repeat(crowd.load, n, P);
      repeat(crowd.idleRun, n, P);
    }
    this.markFoldedClashes(shape, bad);
  }

  /**
   * Whether a phase search of `shape` reads the node's exact day (`dayProfile`): a day period (period.ts)
   * on a node holding another one, whose folded sum would count runs at different hours as simultaneous.
   */
  readsDay(shape: Shape): boolean {
    if (this.folded.size === 0 || !isDayPeriod(shape.every, this.horizon)) return false;
    for (const f of this.folded) if (isDayPeriod(f.shape.every, this.horizon)) return true;
    return false;
  }

  /**
   * The node's extra load over one day (3 words a second): the slots, with the day-period bookings' max
   * over the hours (`dayMax`) replaced by their real runs. Exact between day-period bookings; the others
   * stay folded.
   */
  private dayProfile(): Int32Array {
    const H = this.horizon;
    const s = this.ensureSlots();
    const max = this.dayMax;
    const buf = this.dayRuns();
    for (let t = 0, i = 0, h = 0; t < DAY_SECONDS; t++, i += 3) {
      const k = h * SLOT_WORDS;
      const m = h * 3;
      buf[i] = buf[i]! + s[k]! - (max ? max[m]! : 0);
      buf[i + 1] = buf[i + 1]! + s[k + 1]! - (max ? max[m + 1]! : 0);
      buf[i + 2] = buf[i + 2]! + s[k + 2]! - (max ? max[m + 2]! : 0);
      if (++h === H) h = 0;
    }
    return buf;
  }

  /** `scanFold` of a day period from the exact day (`dayProfile`), before the folded bookings' exclusive marks. */
  private scanDay(
    shape: Shape,
    bad: Uint8Array,
    crowd: { load: Float64Array; idleRun: Float64Array; idleWeight: number } | null,
  ): void {
    const day = this.dayProfile();
    const s = this.ensureSlots();
    const H = this.horizon;
    const P = shape.every;
    const cap = this.cap;
    const lim0 = cap[0] - this.idleSum[0] - shape.run[0];
    const lim1 = cap[1] - this.idleSum[1] - shape.run[1];
    const lim2 = cap[2] - this.idleSum[2] - shape.run[2];
    const excl = shape.exclusive;
    const w0 = cap[0] > 0 ? 1 / cap[0] : 0;
    const w1 = cap[1] > 0 ? 1 / cap[1] : 0;
    const w2 = cap[2] > 0 ? 1 / cap[2] : 0;
    bad.fill(0, 0, P);
    if (crowd) {
      crowd.load.fill(0, 0, P);
      crowd.idleRun.fill(crowd.idleWeight, 0, P);
    }
    for (let t = 0, i = 0, j = 0, h = 0; t < DAY_SECONDS; t++, i += 3) {
      const v0 = day[i]!,
        v1 = day[i + 1]!,
        v2 = day[i + 2]!,
        v3 = s[h * SLOT_WORDS + 3]!;
      if (v0 > lim0 || v1 > lim1 || v2 > lim2 || (excl ? v3 !== 0 : v3 >= EXCLUSIVE_UNIT)) bad[j] = 1;
      if (crowd) {
        let m = v0 * w0;
        const m1 = v1 * w1,
          m2 = v2 * w2;
        if (m1 > m) m = m1;
        if (m2 > m) m = m2;
        if (m > crowd.load[j]!) crowd.load[j] = m;
        if (v3 !== 0) crowd.idleRun[j] = 0;
      }
      if (++j === P) j = 0;
      if (++h === H) h = 0;
    }
  }

  /** Over a day, the seconds of a run of a day period at `phase` that break capacity (exact, see `dayProfile`). */
  dayOverloaded(shape: Shape, phase: number): number {
    const day = this.dayProfile();
    let over = 0;
    for (let start = phase; start < DAY_SECONDS; start += shape.every) {
      for (let d = 0; d < shape.duration; d++) {
        const i = ((start + d) % DAY_SECONDS) * 3;
        for (let r = 0; r < 3; r++) {
          if (day[i + r]! + this.idleSum[r]! + shape.run[r]! > this.cap[r]!) {
            over++;
            break;
          }
        }
      }
    }
    return over;
  }

  /**
   * Whether a run of `shape` could meet a folded booking under the exclusive rule here: then its offsets
   * are not interchangeable modulo gcd(P, H) and a phase search must read the whole period.
   */
  foldedClashPossible(shape: Shape): boolean {
    if (this.folded.size === 0) return false;
    if (shape.exclusive) return true;
    for (const f of this.folded) if (f.shape.exclusive) return true;
    return false;
  }

  /**
   * `scanFold` over the first n = gcd(P, H) offsets only (n = P when P divides H), without the folded
   * bookings' exclusive marks; returns n. Every other offset j repeats offset j mod n, so a search of a
   * folded period on a node where `foldedClashPossible` is false reads n offsets instead of P.
   */
  scanResidues(
    shape: Shape,
    bad: Uint8Array,
    crowd: { load: Float64Array; idleRun: Float64Array; idleWeight: number } | null,
  ): number {
    const cap = this.cap;
    const lim0 = cap[0] - this.idleSum[0] - shape.run[0];
    const lim1 = cap[1] - this.idleSum[1] - shape.run[1];
    const lim2 = cap[2] - this.idleSum[2] - shape.run[2];
    const excl = shape.exclusive;
    // A folded period (period.ts) reads the fold of its gcd with the horizon.
    const n = slotStep(shape.every, shape.duration, this.horizon).step;
    const f = this.fold(n);
    if (crowd === null) {
      for (let j = 0, i = 0; j < n; j++, i += SLOT_WORDS) {
        const v3 = f[i + 3]!;
        bad[j] =
          f[i]! > lim0 || f[i + 1]! > lim1 || f[i + 2]! > lim2 || (excl ? v3 !== 0 : v3 >= EXCLUSIVE_UNIT) ? 1 : 0;
      }
      return n;
    }
    const { load, idleRun, idleWeight } = crowd;
    const w0 = cap[0] > 0 ? 1 / cap[0] : 0;
    const w1 = cap[1] > 0 ? 1 / cap[1] : 0;
    const w2 = cap[2] > 0 ? 1 / cap[2] : 0;
    for (let j = 0, i = 0; j < n; j++, i += SLOT_WORDS) {
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
    return n;
  }

  /**
   * How many slots of the horizon have at least one instance active (folded bookings, which carry no
   * activity count, excluded). Read from the slots when they are held; otherwise from the bookings' runs,
   * so that a report over every node (a snapshot) does not rebuild every node's array.
   */
  busySlots(): number {
    if (this.booked.size === 0) return 0;
    const s = this.slots;
    if (s === null) return this.busySlotsFromRuns();
    let busy = 0;
    for (let i = 3; i < s.length; i += SLOT_WORDS) if ((s[i]! & (EXCLUSIVE_UNIT - 1)) > 0) busy++;
    return busy;
  }

  /** `busySlots` from the bookings: the length of the union of their runs over the horizon. */
  private busySlotsFromRuns(): number {
    const H = this.horizon;
    const runs: number[] = [];
    for (const b of this.booked.values()) {
      if (isFolded(b.shape.every, H)) continue;
      const { every: P, duration: D } = b.shape;
      for (let start = b.phase % P; start < H; start += P) {
        if (start + D <= H) runs.push(start, start + D);
        else runs.push(start, H, 0, start + D - H);
      }
    }
    const order = Array.from({ length: runs.length / 2 }, (_, k) => k).sort((x, y) => runs[2 * x]! - runs[2 * y]!);
    let busy = 0;
    let reach = 0;
    for (const k of order) {
      const from = Math.max(runs[2 * k]!, reach);
      const to = runs[2 * k + 1]!;
      if (to > from) {
        busy += to - from;
        reach = to;
      }
    }
    return busy;
  }

  /** Instances active in slot t (idle ones excluded): how many, and how many of them exclusive. */
  activeCount(t: number): { active: number; exclusive: number } {
    const s = this.words();
    const c = s === null ? 0 : s[t * SLOT_WORDS + 3]!;
    return { active: c & (EXCLUSIVE_UNIT - 1), exclusive: Math.floor(c / EXCLUSIVE_UNIT) };
  }

  /** What active instances add in slot t on top of the idle reservations, for resource r (engine units). */
  extraAt(t: number, r: number): number {
    const s = this.words();
    return s === null ? 0 : s[t * SLOT_WORDS + r]!;
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

/** Repeats a[0, n) over a[0, P) (n divides P), doubling the copied stretch each time. */
function repeat(a: Uint8Array | Float64Array, n: number, P: number): void {
  for (let len = n; len < P; len *= 2) a.copyWithin(len, 0, Math.min(len, P - len));
}

function bump(map: Map<string, number>, key: string, sign: number): void {
  const v = (map.get(key) ?? 0) + sign;
  if (v === 0) map.delete(key);
  else map.set(key, v);
}
