/**
 * The placement engine's public face: a kube-scheduler-framework pipeline (filter → score → reserve)
 * over incremental per-node, per-slot occupancy. One engine holds one cluster's bookings; it is
 * synchronous and must be driven from one place (see ENGINE_API.md). The decision, look-ahead,
 * readapt and refusal each live in their own module; this class validates, routes and books.
 */
import type { NodeOffer } from '@nmaas/sdk/contract';
import type { ResourceAmounts } from '@nmaas/sdk/model';
import { Cluster } from './cluster.js';
import { NmaasDecision } from './decision.js';
import { matchesSelector, staticFilter } from './filter.js';
import { fitsAt, Scratch } from './fit.js';
import { nodeSpecFromOffer, type InstanceSpec, type NodeSpec } from './instance.js';
import { LookAhead, type Choice } from './lookahead.js';
import type { BookedInstance } from './node-state.js';
import type { LinkState } from './link-state.js';
import { Readapt } from './readapt.js';
import { invalidRefusal, refusalOf } from './refusal.js';
import { describeRefusal } from './reporting.js';
import { compileShape, type Shape } from './shape.js';
import { isAllowedPhase } from './rules/start-window.js';
import { MAX_PERIOD_SECONDS } from './period.js';
import { demandBeyondLimit, fromUnits, RESOURCES } from './units.js';
import type {
  Booking,
  EngineOptions,
  EngineSnapshot,
  LinkSnapshot,
  NodeSnapshot,
  Assignment,
  PlacementPolicy,
  PlaceOptions,
  PlaceResult,
  Refusal,
} from './types.js';

export type {
  Booking,
  EngineOptions,
  EngineSnapshot,
  LinkSnapshot,
  Migration,
  NodeSnapshot,
  Assignment,
  PlacementPolicy,
  PlaceOptions,
  PlaceResult,
  Refusal,
  RejectCode,
} from './types.js';

export class Engine {
  readonly horizon: number;
  /** 'nmaas', or the name of the placement policy given in the options. */
  readonly strategy: string;
  private readonly policy: PlacementPolicy | null;
  private readonly cluster: Cluster;
  private readonly shapes = new Map<string, Shape>();
  private readonly lookahead: LookAhead;
  private readonly decision: NmaasDecision;
  private readonly readapt: Readapt;

  constructor(nodes: NodeSpec[], options: EngineOptions = {}) {
    this.horizon = options.horizon ?? 3600;
    if (!Number.isInteger(this.horizon) || this.horizon < 1)
      throw new RangeError(`horizon must be a whole number of seconds ≥ 1, got ${this.horizon}`);
    this.policy = options.policy ?? null;
    this.strategy = this.policy?.name ?? 'nmaas';
    this.cluster = new Cluster(this.horizon, options.slotBudgetBytes);
    const scratch = new Scratch(this.horizon);
    this.lookahead = new LookAhead(this.cluster, scratch);
    this.decision = new NmaasDecision(this.cluster, scratch, this.lookahead, options.sample ?? 8);
    this.readapt = new Readapt(this.cluster, scratch, (spec, shape) => this.decision.decide(spec, shape));
    for (const n of nodes) this.addNode(n);
  }

  static fromOffers(offers: NodeOffer[], options?: EngineOptions): Engine {
    return new Engine(offers.map(nodeSpecFromOffer), options);
  }

  addNode(spec: NodeSpec): void {
    this.cluster.addNode(spec);
  }

  removeNode(name: string): Booking[] {
    return this.cluster.removeNode(name).map(toBooking);
  }

  /**
   * The nodes behind a shared link that declare different capacities for it (the smallest wins), smallest
   * first; null when they agree or the link is unknown. Callers report it to the node owners.
   */
  linkConflict(name: string): { node: string; mbps: number }[] | null {
    return this.cluster.links.get(name)?.conflict()?.declarations ?? null;
  }

  /**
   * What the engine holds in memory: nodes (live ones only), the bytes of their slot arrays now, the
   * bytes of slot arrays and folds together against the budget, how often the budget let a node's go and
   * how often a node read again rebuilt them.
   */
  held(): {
    nodes: number;
    slotBytes: number;
    derivedBytes: number;
    budgetBytes: number;
    evictions: number;
    rebuilds: number;
  } {
    let slotBytes = 0;
    for (const n of this.cluster.nodes) slotBytes += n.slotBytes();
    const budget = this.cluster.slotBudget;
    return {
      nodes: this.cluster.nodes.length,
      slotBytes,
      derivedBytes: budget.held,
      budgetBytes: budget.limitBytes,
      evictions: budget.evictions,
      rebuilds: budget.rebuilds,
    };
  }

  has(id: string): boolean {
    return this.cluster.booked.has(id);
  }

  get(id: string): Booking | null {
    const b = this.cluster.booked.get(id);
    return b ? toBooking(b) : null;
  }

  bookings(node?: string): Booking[] {
    const source =
      node === undefined
        ? [...this.cluster.booked.values()]
        : [...(this.cluster.byName.get(node)?.booked.values() ?? [])];
    return source.map(toBooking).sort((a, b) => (a.node === b.node ? a.phase - b.phase || cmp(a.id, b.id) : 0));
  }

  /** Validation shared by place and book: null when the spec can be placed in this horizon at all. */
  private invalid(spec: InstanceSpec): string | null {
    const { every, duration } = spec;
    if (!Number.isInteger(every) || every < 1)
      return `${spec.id}: period must be a whole number of seconds ≥ 1 (got ${every})`;
    if (every > MAX_PERIOD_SECONDS)
      return `${spec.id}: period ${every} s is longer than one day (${MAX_PERIOD_SECONDS} s); use at most 24 h`;
    if (!Number.isInteger(duration) || duration < 1 || duration > every)
      return `${spec.id}: duration must be a whole number of seconds from 1 to the period (${every} s), got ${duration}`;
    if (!Number.isInteger(spec.startWithin) || spec.startWithin < 0)
      return `${spec.id}: startWithin must be a whole number of seconds ≥ 0`;
    if (!Number.isInteger(spec.release) || spec.release < 0)
      return `${spec.id}: release must be a whole number of seconds ≥ 0`;
    const beyond = demandBeyondLimit('run', spec.run) ?? demandBeyondLimit('idle', spec.idle);
    if (beyond) return `${spec.id}: ${beyond}`;
    return null;
  }

  private shapeOf(spec: InstanceSpec): Shape {
    const s = compileShape(spec);
    const known = this.shapes.get(s.key);
    if (known) return known;
    this.shapes.set(s.key, s);
    this.cluster.noteShape(s);
    return s;
  }

  /** Filter → score → reserve; when nothing fits, readapt (up to `migrations` moves), else a refusal. */
  place(spec: InstanceSpec, options: PlaceOptions = {}): PlaceResult {
    if (this.cluster.booked.has(spec.id)) throw new Error(`instance ${spec.id} is already booked; remove it first`);
    const invalid = this.invalid(spec);
    if (invalid) return refused(invalidRefusal(spec, invalid));
    const shape = this.shapeOf(spec);
    this.cluster.learnAntiAffinity(spec);
    if (this.policy === null && !options.dryRun) this.lookahead.learn(spec, shape);
    const choice: Choice | null =
      this.policy === null
        ? this.decision.decide(spec, shape)
        : this.policy.choose(spec, shape, this.cluster.candidates(spec));
    if (choice) {
      if (!options.dryRun) this.cluster.reserve(spec, shape, choice.node, choice.phase);
      return { ok: true, id: spec.id, node: choice.node.name, phase: choice.phase, migrations: [] };
    }
    const k = options.migrations ?? 0;
    let repairCut = false;
    if (k > 0 && this.policy === null) {
      const moved = this.readapt.run(spec, shape, k, options.stopRepair);
      if (moved) {
        if (options.dryRun) this.readapt.rollback(moved.undo);
        return { ok: true, id: spec.id, node: moved.node, phase: moved.phase, migrations: moved.migrations };
      }
      repairCut = this.readapt.lastCut;
    }
    const context = { horizon: this.horizon, policy: this.policy, nodes: this.cluster.nodes };
    return refused(refusalOf(context, spec, shape, this.cluster.candidates(spec)), repairCut);
  }

  book(
    spec: InstanceSpec,
    at: Assignment,
    options: { force?: boolean } = {},
  ): { ok: true; problems: string[] } | { ok: false; problems: string[] } {
    if (this.cluster.booked.has(spec.id)) return { ok: false, problems: [`instance ${spec.id} is already booked`] };
    const invalid = this.invalid(spec);
    if (invalid) return { ok: false, problems: [invalid] };
    const node = this.cluster.byName.get(at.node);
    if (!node) return { ok: false, problems: [`node ${at.node} is not a measurement node known to the engine`] };
    const shape = this.shapeOf(spec);
    this.cluster.learnAntiAffinity(spec);
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
    if (rule) problems.push(`node ${at.node} breaks the ${rule.name} rule`);
    problems.push(...fitsAt(node, shape, at.phase));
    if (problems.length > 0 && !options.force) return { ok: false, problems };
    this.cluster.reserve(spec, shape, node, at.phase);
    return { ok: true, problems };
  }

  remove(id: string): Booking | null {
    const b = this.cluster.booked.get(id);
    if (!b) return null;
    this.cluster.unbook(b);
    return toBooking(b);
  }

  snapshot(): EngineSnapshot {
    const H = this.horizon;
    const nodes: NodeSnapshot[] = [];
    for (const n of this.cluster.nodes) {
      if (n.dead) continue;
      const peak = n.peak();
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
        busyFraction: n.busySlots() / H,
        links: n.links.map((l) => l.name).sort(),
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
    return {
      horizon: H,
      strategy: this.strategy,
      nodes,
      links: [...this.cluster.links.values()].map((l) => linkSnapshot(l, H)).sort((a, b) => cmp(a.name, b.name)),
      instances: this.cluster.booked.size,
    };
  }

  /**
   * Per-slot load of a node as the engine holds it (idle + active extra, in the input units) and the
   * number of active instances: for `nmaas scheduler nodes`, pictures and tests. Null for an unknown node.
   */
  loadProfile(nodeName: string): { cpu: number[]; memory: number[]; bandwidth: number[]; active: number[] } | null {
    const n = this.cluster.byName.get(nodeName);
    if (!n) return null;
    const H = this.horizon;
    const out = {
      cpu: new Array<number>(H),
      memory: new Array<number>(H),
      bandwidth: new Array<number>(H),
      active: new Array<number>(H),
    };
    for (let t = 0; t < H; t++) {
      out.cpu[t] = fromUnits(0, n.idleSum[0] + n.extraAt(t, 0));
      out.memory[t] = fromUnits(1, n.idleSum[1] + n.extraAt(t, 1));
      out.bandwidth[t] = fromUnits(2, n.idleSum[2] + n.extraAt(t, 2));
      out.active[t] = n.activeCount(t).active;
    }
    return out;
  }
}

function linkSnapshot(l: LinkState, H: number): LinkSnapshot {
  let busy = 0;
  for (let t = 0; t < H; t++) if (l.loadAt(t) > 0) busy++;
  return {
    name: l.name,
    capacity: l.capacityMbps,
    nodes: [...l.declared.keys()].sort(),
    peak: fromUnits(2, l.peak()),
    busyFraction: busy / H,
    bookings: l.booked.size,
    conflict: l.conflict()?.declarations ?? null,
  };
}

function refused(refusal: Refusal, repairCut = false): PlaceResult {
  const result = { ok: false as const, id: refusal.id, code: refusal.code, refusal, reason: describeRefusal(refusal) };
  return repairCut ? { ...result, repairCut: true } : result;
}

function toBooking(b: BookedInstance): Booking {
  return { id: b.spec.id, app: b.spec.app, node: b.node.name, phase: b.phase, instance: b.spec };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
