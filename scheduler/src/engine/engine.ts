/**
 * The placement engine: a kube-scheduler-framework pipeline (filter → score → reserve) over
 * incremental per-node, per-slot occupancy. One engine holds one cluster's bookings; it is synchronous
 * and must be driven from one place (see ENGINE_API.md).
 */
import type { NodeOffer } from '@nmaas/sdk/contract';
import { fitsAt, idleFits, Scratch, searchPhase } from './fit.js';
import { matchesSelector, staticFilter } from './filter.js';
import { nodeSpecFromOffer, type InstanceSpec, type NodeSpec } from './instance.js';
import { NodeState, type BookedInstance } from './node-state.js';
import { invalidRefusal, refusalOf } from './refusal.js';
import { describeRefusal } from './reporting.js';
import { compileShape, type Shape } from './shape.js';
import { isActive, isAllowedPhase } from './time.js';
import { fromUnits, RESOURCES } from './units.js';
import type { ResourceAmounts } from '@nmaas/sdk/model';
import type {
  Booking,
  EngineOptions,
  EngineSnapshot,
  Migration,
  NodeSnapshot,
  Placement,
  PlaceResult,
  Refusal,
  StrategyName,
} from './types.js';

/**
 * Score weights (tuned on seeded small workloads against the exact ILP): best fit in space (time-averaged
 * utilisation), minus how crowded the chosen phase's slots already are, minus how many apps the booking
 * would newly shut out of the node through anti-affinity.
 */
const NODE_UTIL = 1;
const NODE_CROWD = 2;
const NODE_EXCL = 0.5;

/**
 * Look-ahead ("least constraining value", tuned on the same seeded workloads): among the best-scored
 * LOOKAHEAD_NODES nodes and every feasible phase on each, the booking that leaves the shapes seen so far the
 * most room. A shape counts 1 if some allowed phase still fits, plus LOOKAHEAD_FRACTION × the share of its
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

export type {
  Booking,
  EngineOptions,
  EngineSnapshot,
  Migration,
  NodeSnapshot,
  Placement,
  PlaceResult,
  Refusal,
  RejectCode,
  StrategyName,
} from './types.js';

interface Choice {
  node: NodeState;
  phase: number;
}

interface Option {
  node: NodeState;
  score: number;
  phases: { phase: number; score: number }[];
}

interface Cursor {
  pos: number;
  epoch: number;
}

export class Engine {
  readonly horizon: number;
  readonly strategy: StrategyName;
  private readonly sample: number;
  private readonly nodesList: NodeState[] = [];
  private readonly byName = new Map<string, NodeState>();
  private readonly booked = new Map<string, BookedInstance>();
  private readonly hosts = new Map<string, Set<NodeState>>();
  private readonly candidateCache = new Map<string, NodeState[]>();
  private readonly cursors = new Map<string, Cursor>();
  private readonly shapes = new Map<string, Shape>();
  /** Anti-affinity seen so far, both ways (app → apps): which apps refuse an app, and which it refuses. */
  private readonly refusersOf = new Map<string, Map<string, 1>>();
  private readonly antiOf = new Map<string, Map<string, 1>>();
  private readonly scratch: Scratch;
  /** Shapes seen so far (with their selector and pin) and how often they arrived: what a booking should leave room for. */
  private readonly seen = new Map<string, { spec: InstanceSpec; shape: Shape; count: number }>();
  /** Σ over `seen` of P + D: the cost of counting every seen shape's feasible phases on one node. */
  private seenCost = 0;
  /** Bumped on every removal: cursors that skipped full nodes restart (something may fit again). */
  private epoch = 0;
  /** Order of arrival of nodes, never reused: ties between nodes break on it, so a replaced node sorts last. */
  private nextNodeIndex = 0;

  constructor(nodes: NodeSpec[], options: EngineOptions = {}) {
    this.horizon = options.horizon ?? 3600;
    if (!Number.isInteger(this.horizon) || this.horizon < 1)
      throw new RangeError(`horizon must be a whole number of seconds ≥ 1, got ${this.horizon}`);
    this.strategy = options.strategy ?? 'nmaas';
    this.sample = options.sample ?? 8;
    this.scratch = new Scratch(this.horizon);
    for (const n of nodes) this.addNode(n);
  }

  static fromOffers(offers: NodeOffer[], options?: EngineOptions): Engine {
    return new Engine(offers.map(nodeSpecFromOffer), options);
  }

  addNode(spec: NodeSpec): void {
    if (this.byName.has(spec.name)) throw new Error(`node ${spec.name} is already known to the engine`);
    const node = new NodeState(this.nextNodeIndex++, spec, this.horizon);
    this.nodesList.push(node);
    this.byName.set(spec.name, node);
    this.candidateCache.clear();
    this.cursors.clear();
  }

  removeNode(name: string): Booking[] {
    const node = this.byName.get(name);
    if (!node) return [];
    const out: Booking[] = [];
    for (const b of [...node.booked.values()]) {
      out.push(toBooking(b));
      this.unbook(b);
    }
    node.dead = true;
    // Dropped from the list (which stays in arrival order) so node churn does not keep slot arrays alive.
    this.nodesList.splice(this.nodesList.indexOf(node), 1);
    node.slots = null;
    this.byName.delete(name);
    this.candidateCache.clear();
    this.cursors.clear();
    return out;
  }

  /** What the engine holds in memory: nodes (live ones only) and the bytes of their slot arrays. */
  held(): { nodes: number; slotBytes: number } {
    let slotBytes = 0;
    for (const n of this.nodesList) slotBytes += n.slots?.byteLength ?? 0;
    return { nodes: this.nodesList.length, slotBytes };
  }

  has(id: string): boolean {
    return this.booked.has(id);
  }

  get(id: string): Booking | null {
    const b = this.booked.get(id);
    return b ? toBooking(b) : null;
  }

  bookings(node?: string): Booking[] {
    const source = node === undefined ? [...this.booked.values()] : [...(this.byName.get(node)?.booked.values() ?? [])];
    return source.map(toBooking).sort((a, b) => (a.node === b.node ? a.phase - b.phase || cmp(a.id, b.id) : 0));
  }

  /** Validation shared by place and book: null when the spec can be placed in this horizon at all. */
  private invalid(spec: InstanceSpec): string | null {
    const { every, duration } = spec;
    if (!Number.isInteger(every) || every < 1)
      return `${spec.id}: period must be a whole number of seconds ≥ 1 (got ${every})`;
    if (this.horizon % every !== 0)
      return `${spec.id}: period ${every} s does not divide the scheduling horizon (${this.horizon} s); use a divisor such as 60, 300 or 600`;
    if (!Number.isInteger(duration) || duration < 1 || duration > every)
      return `${spec.id}: duration must be a whole number of seconds from 1 to the period (${every} s), got ${duration}`;
    if (!Number.isInteger(spec.startWithin) || spec.startWithin < 0)
      return `${spec.id}: startWithin must be a whole number of seconds ≥ 0`;
    if (!Number.isInteger(spec.release) || spec.release < 0)
      return `${spec.id}: release must be a whole number of seconds ≥ 0`;
    return null;
  }

  private shapeOf(spec: InstanceSpec): Shape {
    const s = compileShape(spec);
    const known = this.shapes.get(s.key);
    if (known) return known;
    this.shapes.set(s.key, s);
    return s;
  }

  /** Filter → score → reserve. */
  place(spec: InstanceSpec, options: { migrations?: number; dryRun?: boolean } = {}): PlaceResult {
    if (this.booked.has(spec.id)) throw new Error(`instance ${spec.id} is already booked; remove it first`);
    const invalid = this.invalid(spec);
    if (invalid) return refused(invalidRefusal(spec, invalid));
    const shape = this.shapeOf(spec);
    this.learnAntiAffinity(spec);
    if (this.strategy === 'nmaas' && !options.dryRun) this.learnShape(spec, shape);
    const choice = this.decide(spec, shape);
    if (choice) {
      if (!options.dryRun) this.reserve(spec, shape, choice.node, choice.phase);
      return { ok: true, id: spec.id, node: choice.node.name, phase: choice.phase, migrations: [] };
    }
    const k = options.migrations ?? 0;
    if (k > 0 && this.strategy === 'nmaas') {
      const moved = this.readapt(spec, shape, k);
      if (moved) {
        if (options.dryRun) {
          this.rollback(spec, moved.undo);
        }
        return { ok: true, id: spec.id, node: moved.node, phase: moved.phase, migrations: moved.migrations };
      }
    }
    return refused(refusalOf(this.refusalContext(), spec, shape, this.candidates(spec)));
  }

  book(
    spec: InstanceSpec,
    at: Placement,
    options: { force?: boolean } = {},
  ): { ok: true; problems: string[] } | { ok: false; problems: string[] } {
    if (this.booked.has(spec.id)) return { ok: false, problems: [`instance ${spec.id} is already booked`] };
    const invalid = this.invalid(spec);
    if (invalid) return { ok: false, problems: [invalid] };
    const node = this.byName.get(at.node);
    if (!node) return { ok: false, problems: [`node ${at.node} is not a measurement node known to the engine`] };
    const shape = this.shapeOf(spec);
    this.learnAntiAffinity(spec);
    const problems: string[] = [];
    if (!Number.isInteger(at.phase) || at.phase < 0 || at.phase >= spec.every) {
      return { ok: false, problems: [`phase ${at.phase} is outside 0..${spec.every - 1}`] };
    }
    if (!isAllowedPhase(at.phase, spec.every, spec.startWithin, spec.release))
      problems.push(
        `phase ${at.phase} is not among the allowed phases (release ${spec.release}, startWithin ${spec.startWithin})`,
      );
    if (spec.node !== null && spec.node !== at.node)
      problems.push(`instance is pinned to ${spec.node}, not ${at.node}`);
    if (!matchesSelector(node, spec.nodeSelector)) problems.push(`node ${at.node} does not match the nodeSelector`);
    const rule = staticFilter(node, spec);
    if (rule) problems.push(`node ${at.node} breaks the ${rule} rule`);
    problems.push(...fitsAt(node, shape, at.phase));
    if (problems.length > 0 && !options.force) return { ok: false, problems };
    this.reserve(spec, shape, node, at.phase);
    return { ok: true, problems };
  }

  remove(id: string): Booking | null {
    const b = this.booked.get(id);
    if (!b) return null;
    this.unbook(b);
    return toBooking(b);
  }

  snapshot(): EngineSnapshot {
    const H = this.horizon;
    const nodes: NodeSnapshot[] = [];
    for (const n of this.nodesList) {
      if (n.dead) continue;
      const peak = n.peak();
      let busy = 0;
      if (n.slots) for (let t = 0; t < H; t++) if ((n.slots[t * 4 + 3]! & 0xffff) > 0) busy++;
      const amounts = (f: (r: number) => number): ResourceAmounts =>
        Object.fromEntries(RESOURCES.map((name, r) => [name, fromUnits(r, f(r))])) as unknown as ResourceAmounts;
      nodes.push({
        name: n.name,
        pool: n.pool,
        labels: { ...n.spec.labels },
        capacity: { ...n.spec.capacity },
        instances: n.count,
        apps: [...n.apps.keys()].sort(),
        peak: amounts((r) => (n.count === 0 ? 0 : n.idleSum[r]! + peak[r]!)),
        average: amounts((r) => n.idleSum[r]! + n.extraTotal[r]! / H),
        busyFraction: busy / H,
        bookings: [...n.booked.values()]
          .map((b) => ({
            id: b.spec.id,
            app: b.spec.app,
            phase: b.phase,
            every: b.shape.every,
            duration: b.shape.duration,
            exclusive: b.shape.exclusive,
          }))
          .sort((a, b) => a.phase - b.phase || cmp(a.id, b.id)),
      });
    }
    return { horizon: H, strategy: this.strategy, nodes, instances: this.booked.size };
  }

  /**
   * Per-slot load of a node as the engine holds it (idle + active extra, in the input units) and the
   * number of active instances: for `nmaas scheduler nodes`, pictures and tests. Null for an unknown node.
   */
  loadProfile(nodeName: string): { cpu: number[]; memory: number[]; bandwidth: number[]; active: number[] } | null {
    const n = this.byName.get(nodeName);
    if (!n) return null;
    const H = this.horizon;
    const out = {
      cpu: new Array<number>(H),
      memory: new Array<number>(H),
      bandwidth: new Array<number>(H),
      active: new Array<number>(H),
    };
    const s = n.slots;
    for (let t = 0; t < H; t++) {
      out.cpu[t] = fromUnits(0, n.idleSum[0] + (s ? s[t * 4]! : 0));
      out.memory[t] = fromUnits(1, n.idleSum[1] + (s ? s[t * 4 + 1]! : 0));
      out.bandwidth[t] = fromUnits(2, n.idleSum[2] + (s ? s[t * 4 + 2]! : 0));
      out.active[t] = s ? s[t * 4 + 3]! & 0xffff : 0;
    }
    return out;
  }

  // ---- filter: which nodes may take the instance regardless of time ----

  /** Nodes matching the pin and the nodeSelector, in engine order (cached per selector). */
  private candidates(spec: InstanceSpec): NodeState[] {
    const sel = Object.keys(spec.nodeSelector)
      .sort()
      .map((k) => `${k}=${spec.nodeSelector[k]}`)
      .join(',');
    const key = spec.node === null ? sel : `${sel}|@${spec.node}`;
    let list = this.candidateCache.get(key);
    if (!list) {
      const pool =
        spec.node === null ? this.nodesList : this.byName.has(spec.node) ? [this.byName.get(spec.node)!] : [];
      list = pool.filter((n) => !n.dead && matchesSelector(n, spec.nodeSelector));
      this.candidateCache.set(key, list);
    }
    return list;
  }

  private decide(spec: InstanceSpec, shape: Shape): Choice | null {
    if (this.strategy === 'ffd') return this.decideFfd(spec, shape);
    if (this.strategy === 'kube') return this.decideKube(spec, shape);
    return this.decideNmaas(spec, shape);
  }

  /**
   * nmaas: walk the candidates from a per-(shape, selector) cursor that skips nodes known not to fit this
   * shape, score up to `sample` feasible nodes (best fit in space and time), reserve the best.
   */
  private decideNmaas(spec: InstanceSpec, shape: Shape): Choice | null {
    let list = this.candidates(spec);
    let cursor: Cursor | null = null;
    if (spec.affinity.length > 0) {
      // Only nodes already hosting the rarest required app can qualify: iterate those, not the cluster.
      let smallest: Set<NodeState> | undefined;
      for (const a of spec.affinity) {
        const h = this.hosts.get(a);
        if (!h) return null;
        if (!smallest || h.size < smallest.size) smallest = h;
      }
      if (smallest!.size < list.length) {
        const sel = spec.nodeSelector;
        list = [...smallest!]
          .filter((n) => (spec.node === null || n.name === spec.node) && matchesSelector(n, sel))
          .sort((a, b) => a.index - b.index);
      } else cursor = this.cursorFor(spec, shape);
    } else cursor = this.cursorFor(spec, shape);
    let start = cursor ? cursor.pos : 0;
    const narrow = shape.anyPhaseKey !== shape.key;
    // The any-phase twin's cursor skips nodes where no phase at all fits this size and period: every
    // instance of that size, whatever its start window, advances it and may start from it.
    const twin = narrow && cursor ? this.cursorFor(spec, shape, shape.anyPhaseKey) : null;
    if (twin && twin.pos > start) start = cursor!.pos = twin.pos;
    let twinContiguous = twin !== null && start === twin.pos;
    let contiguous = cursor !== null;
    let best: Choice | null = null;
    let bestScore = -Infinity;
    let found = 0;
    // Look ahead only when its work fits the budget: options (nodes × allowed phases) × the seen shapes' cost.
    const lookahead = LOOKAHEAD_NODES * (shape.kmax + 1) * this.seenCost <= LOOKAHEAD_BUDGET;
    const pool: Option[] = [];
    for (let i = start; i < list.length; i++) {
      const node = list[i]!;
      const noneFits = narrow && node.noFit.get(shape.anyPhaseKey) === node.removals;
      const noFitHere = noneFits || node.noFit.get(shape.key) === node.removals;
      const rule = noFitHere ? null : staticFilter(node, spec);
      // Skipped for good (until something leaves a node): no phase fits, or an instance there refuses
      // this one or shares its spread group (more bookings never lift those). Affinity may become true later.
      const lasting = rule === 'anti-affinity' || rule === 'spread';
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
      let fit = lookahead ? undefined : node.cachedFit(shape.key);
      const fresh = fit === undefined;
      let phases: { phase: number; score: number }[] | null = null;
      if (lookahead) {
        // Every feasible phase with its score (not cached: the cache keeps only the best phase).
        this.scratch.record = true;
        fit = searchPhase(node, shape, this.scratch, true);
        this.scratch.record = false;
        phases = [];
        for (let q = 0; q < this.scratch.feasN; q++)
          phases.push({ phase: this.scratch.feasPhase[q]!, score: this.scratch.feasScore[q]! / shape.duration });
        phases.sort((x, y) => y.score - x.score || x.phase - y.phase);
      } else if (fit === undefined) {
        fit = searchPhase(node, shape, this.scratch, true);
        node.rememberFit(shape.key, fit);
      }
      if (fit === null) {
        node.noFit.set(shape.key, node.removals);
        if (narrow && fresh && !this.scratch.anyPhaseFits) node.noFit.set(shape.anyPhaseKey, node.removals);
        if (contiguous) cursor!.pos = i + 1;
        continue;
      }
      contiguous = false;
      const score =
        NODE_UTIL * utilization(node) - NODE_CROWD * fit.crowding - NODE_EXCL * this.newExclusions(node, spec);
      if (phases) pool.push({ node, score, phases });
      if (score > bestScore) {
        bestScore = score;
        best = { node, phase: fit.phase };
      }
      if (++found >= this.sample) break;
    }
    if (pool.length > 0) return this.leastConstraining(spec, shape, pool) ?? best;
    return best;
  }

  /** Remembers an arriving shape (per selector and pin): later decisions try to leave room for its kind. */
  private learnShape(spec: InstanceSpec, shape: Shape): void {
    const sel = Object.keys(spec.nodeSelector)
      .sort()
      .map((k) => `${k}=${spec.nodeSelector[k]}`)
      .join(',');
    const key = `${shape.key}|${sel}|${spec.node ?? ''}`;
    const e = this.seen.get(key);
    if (e) e.count++;
    else {
      this.seen.set(key, { spec, shape, count: 1 });
      this.seenCost += shape.every + shape.duration;
    }
  }

  /**
   * Least constraining value: tries each option (the best-scored nodes, every feasible phase on each) on
   * the node itself, and keeps the one after which the shapes seen so far keep the most allowed phases that
   * fit, weighted by how often each arrived; a shape left with no phase at all counts as lost. Narrow start
   * windows lose their phases first, so they weigh most. The node is restored exactly after each try.
   */
  private leastConstraining(spec: InstanceSpec, shape: Shape, pool: Option[]): Choice | null {
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
        const trial: BookedInstance = { spec, shape, node, phase: o.phase };
        const removals = node.removals;
        node.apply(trial, 1);
        let value = 0;
        for (const e of shapes) {
          const n = this.scratch.countFeasible(node, e.shape);
          value += e.count * ((n > 0 ? 1 : 0) + (LOOKAHEAD_FRACTION * n) / (e.shape.kmax + 1));
        }
        node.apply(trial, -1);
        // A trial is not a departure: the node's "does not fit" verdicts stay valid.
        node.removals = removals;
        value += LOOKAHEAD_SCORE * (score + o.score);
        if (value > bestValue) {
          bestValue = value;
          best = { node, phase: o.phase };
        }
      }
    }
    return best;
  }

  /**
   * How many apps would newly be shut out of this node by placing the instance here (anti-affinity works
   * both ways): consolidating apps that others refuse keeps the remaining nodes open to those others.
   */
  private newExclusions(node: NodeState, spec: InstanceSpec): number {
    let n = 0;
    for (const b of spec.antiAffinity) if (!this.excludes(node, b)) n++;
    const refusers = this.refusersOf.get(spec.app);
    if (refusers) for (const b of refusers.keys()) if (!spec.antiAffinity.includes(b) && !this.excludes(node, b)) n++;
    return n;
  }

  /** Whether app b is already unable to join the node. */
  private excludes(node: NodeState, b: string): boolean {
    if (node.refused.has(b)) return true;
    const refusedByB = this.antiOf.get(b);
    if (refusedByB) for (const a of refusedByB.keys()) if (node.apps.has(a)) return true;
    return false;
  }

  /** Cursors are per shape, selector, pin and the rules that only ever close nodes (anti-affinity, spread). */
  private cursorKey(spec: InstanceSpec, shapeKey: string): string {
    const sel = Object.keys(spec.nodeSelector)
      .sort()
      .map((k) => `${k}=${spec.nodeSelector[k]}`)
      .join(',');
    return `${shapeKey}|${sel}|${spec.node ?? ''}|${spec.app}|${[...spec.antiAffinity].sort().join(',')}|${spec.spreadGroup ?? ''}`;
  }

  private cursorFor(spec: InstanceSpec, shape: Shape, shapeKey = shape.key): Cursor {
    const key = this.cursorKey(spec, shapeKey);
    let c = this.cursors.get(key);
    if (!c) {
      c = { pos: 0, epoch: this.epoch };
      this.cursors.set(key, c);
    } else if (c.epoch !== this.epoch) {
      c.pos = 0;
      c.epoch = this.epoch;
    }
    return c;
  }

  /** ffd: first node whose run reservation for the whole horizon still fits (exclusive = the node alone). */
  private decideFfd(spec: InstanceSpec, shape: Shape): Choice | null {
    for (const node of this.candidates(spec)) {
      if (staticFilter(node, spec) !== null) continue;
      if (shape.exclusive ? node.count > 0 : node.exclusiveCount > 0) continue;
      let ok = true;
      for (let r = 0; r < 3; r++)
        if (node.reserved[r]! + Math.max(shape.run[r]!, shape.idle[r]!) > node.cap[r]!) ok = false;
      if (ok) return { node, phase: shape.release };
    }
    return null;
  }

  /** kube: requests = idle (cpu, memory); least-allocated score; blind to time, bandwidth and exclusivity. */
  private decideKube(spec: InstanceSpec, shape: Shape): Choice | null {
    let best: NodeState | null = null;
    let bestScore = -Infinity;
    for (const node of this.candidates(spec)) {
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
  }

  // ---- reserve / release ----

  private learnAntiAffinity(spec: InstanceSpec): void {
    for (const a of spec.antiAffinity) {
      let r = this.refusersOf.get(a);
      if (!r) this.refusersOf.set(a, (r = new Map()));
      r.set(spec.app, 1);
      let o = this.antiOf.get(spec.app);
      if (!o) this.antiOf.set(spec.app, (o = new Map()));
      o.set(a, 1);
    }
  }

  private reserve(spec: InstanceSpec, shape: Shape, node: NodeState, phase: number): BookedInstance {
    const b: BookedInstance = { spec, shape, node, phase };
    node.apply(b, 1);
    this.booked.set(spec.id, b);
    let h = this.hosts.get(spec.app);
    if (!h) this.hosts.set(spec.app, (h = new Set()));
    h.add(node);
    return b;
  }

  private unbook(b: BookedInstance): void {
    b.node.apply(b, -1);
    this.booked.delete(b.spec.id);
    if (!b.node.apps.has(b.spec.app)) {
      const h = this.hosts.get(b.spec.app);
      h?.delete(b.node);
      if (h && h.size === 0) this.hosts.delete(b.spec.app);
    }
    this.epoch++;
  }

  // ---- readapt ----

  /**
   * Tries nodes that pass the static filters; on each, evicts up to k blockers (those most active in the
   * newcomer's best window), books the newcomer, then re-places the evicted ones (same node with a new
   * phase, or another node) within their own constraints. Any failure rolls everything back.
   */
  private readapt(
    spec: InstanceSpec,
    shape: Shape,
    k: number,
  ): { node: string; phase: number; migrations: Migration[]; undo: Undo } | null {
    // Candidates: nodes that pass the static filters, or fail them only because of at most k instances
    // (anti-affinity either way, same spread group) that could move elsewhere.
    const list = this.candidates(spec).filter((n) => {
      const rule = staticFilter(n, spec);
      if (rule === 'affinity') return false;
      if (rule !== null && conflicting(n, spec).length > k) return false;
      return idleRoomAfterEvicting(n, shape, k);
    });
    const limit = Math.min(list.length, 64);
    // Most promising first: fewest conflicts to move, then least crowded.
    const ranked = list
      .map((n) => ({ n, conflicts: conflicting(n, spec).length, crowd: n.count }))
      .sort((a, b) => a.conflicts - b.conflicts || a.crowd - b.crowd || a.n.index - b.n.index)
      .slice(0, limit)
      .map((x) => x.n);
    for (const node of ranked) {
      const attempt = this.tryEvictOn(node, spec, shape, k);
      if (attempt) return attempt;
    }
    return null;
  }

  private tryEvictOn(
    node: NodeState,
    spec: InstanceSpec,
    shape: Shape,
    k: number,
  ): { node: string; phase: number; migrations: Migration[]; undo: Undo } | null {
    const undo: Undo = { evicted: [], placed: [] };
    // First the instances that rule the newcomer out (they must all go), then, by time overlap, those in its way.
    for (const b of conflicting(node, spec)) {
      if (!this.canLeave(b)) {
        this.rollback(spec, undo);
        return null;
      }
      this.unbook(b);
      undo.evicted.push(b);
    }
    if (staticFilter(node, spec) !== null) {
      this.rollback(spec, undo);
      return null;
    }
    const blockers = [...node.booked.values()]
      .map((b) => ({ b, weight: overlapWeight(b, shape, this.horizon) }))
      .filter((x) => x.weight > 0 || shape.exclusive)
      .sort((a, b) => b.weight - a.weight || cmp(a.b.spec.id, b.b.spec.id));
    let fit: { phase: number } | null = searchPhase(node, shape, this.scratch, true);
    for (const { b } of blockers) {
      if (fit || undo.evicted.length >= k) break;
      if (!this.canLeave(b)) continue;
      this.unbook(b);
      undo.evicted.push(b);
      if (staticFilter(node, spec) !== null) break;
      fit = searchPhase(node, shape, this.scratch, true);
      if (fit) break;
    }
    if (!fit || staticFilter(node, spec) !== null) {
      this.rollback(spec, undo);
      return null;
    }
    const newcomer = this.reserve(spec, shape, node, fit.phase);
    undo.placed.push(newcomer);
    const migrations: Migration[] = [];
    const order = [...undo.evicted].sort((a, b) => size(b.shape) - size(a.shape));
    for (const b of order) {
      const choice = this.decideNmaas(b.spec, b.shape);
      if (!choice) {
        this.rollback(spec, undo);
        return null;
      }
      undo.placed.push(this.reserve(b.spec, b.shape, choice.node, choice.phase));
      if (choice.node !== b.node || choice.phase !== b.phase) {
        migrations.push({
          id: b.spec.id,
          from: { node: b.node.name, phase: b.phase },
          to: { node: choice.node.name, phase: choice.phase },
        });
      }
    }
    return { node: node.name, phase: fit.phase, migrations, undo };
  }

  /** An instance may leave its node unless another instance there relies on it for affinity. */
  private canLeave(b: BookedInstance): boolean {
    if ((b.node.apps.get(b.spec.app) ?? 0) > 1) return true;
    for (const o of b.node.booked.values()) if (o !== b && o.spec.affinity.includes(b.spec.app)) return false;
    return true;
  }

  private rollback(_spec: InstanceSpec, undo: Undo): void {
    for (const p of [...undo.placed].reverse()) if (this.booked.get(p.spec.id) === p) this.unbook(p);
    for (const e of [...undo.evicted].reverse()) this.reserve(e.spec, e.shape, e.node, e.phase);
    undo.placed.length = 0;
    undo.evicted.length = 0;
  }

  // ---- explanations ----

  private refusalContext() {
    return { horizon: this.horizon, strategy: this.strategy, nodes: this.nodesList };
  }
}

interface Undo {
  evicted: BookedInstance[];
  placed: BookedInstance[];
}

function refused(refusal: Refusal): PlaceResult {
  return { ok: false, id: refusal.id, code: refusal.code, refusal, reason: describeRefusal(refusal) };
}

function toBooking(b: BookedInstance): Booking {
  return { id: b.spec.id, app: b.spec.app, node: b.node.name, phase: b.phase, instance: b.spec };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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

function size(shape: Shape): number {
  return (shape.run[0] + shape.run[1] + shape.run[2] / 1000) * (shape.duration / shape.every);
}

/** Instances on the node that the static rules say cannot share it with spec (anti-affinity both ways, spread). */
function conflicting(node: NodeState, spec: InstanceSpec): BookedInstance[] {
  const out: BookedInstance[] = [];
  for (const b of node.booked.values()) {
    const o = b.spec;
    if (
      spec.antiAffinity.includes(o.app) ||
      o.antiAffinity.includes(spec.app) ||
      (spec.spreadGroup !== null && o.spreadGroup === spec.spreadGroup)
    )
      out.push(b);
  }
  return out;
}

/** Whether evicting up to k instances could ever make the idle reservation fit (cheap prune). */
function idleRoomAfterEvicting(node: NodeState, shape: Shape, k: number): boolean {
  if (idleFits(node, shape)) return true;
  return node.count > 0 && k > 0;
}

/** How much of b's activity falls into the slots the newcomer could use from its release window. */
function overlapWeight(b: BookedInstance, shape: Shape, horizon: number): number {
  let w = 0;
  const end = Math.min(horizon, shape.every);
  for (let t = 0; t < end; t++) {
    const phaseOk = (t - shape.release + shape.every) % shape.every <= shape.kmax + shape.duration - 1;
    if (phaseOk && isActive(t, b.shape.every, b.shape.duration, b.phase)) w++;
  }
  return w * (1 + size(b.shape));
}
