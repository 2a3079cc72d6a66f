/**
 * The in-cluster re-plan loop, modelled beside the retry model (retry.ts), in the same arrival steps.
 *
 * In a cluster the webhook's leader re-plans the pool every `replan.interval` seconds (chart value; off
 * by default): the re-planner (replan/, `auto`) searches from the bookings it holds plus the pods refused
 * recently, whose controllers will ask again, and may move at most `replan.maxMigrations` placed pods per
 * run. A move is an eviction whose replacement gets the planned slot; a refused pod gets its planned slot
 * reserved, and its controller's next try takes it (webhook/replan-loop.ts, pending-refusals.ts).
 *
 * Here, on the same engine that answers the arrivals and retries:
 *  - every `interval` arrival steps (after that step's arrival and due retries), and after the last
 *    arrival on the steps the retry model keeps counting while refused pods are pending, one run: the real
 *    re-planner on the engine's bookings plus the pending refused instances, at most `maxMigrations` moves;
 *  - its plan is applied to the engine: moved bookings leave their slot and are booked at the planned one
 *    (the eviction and its replacement, at once), a pending instance is booked at its planned slot, held
 *    for it until its next retry claims it (a removal of the pending instance frees it);
 *  - a reserved slot not yet claimed is fixed in later runs (node and phase), as the webhook fixes bookings
 *    whose pod is still coming;
 *  - every plan applied is judged again by the independent checker, and its moves are counted.
 * Not modelled: run windows (the webhook waits for a pod's idle time before evicting it, within
 * `replan.maxWait`) and PodDisruptionBudgets; here every planned move is carried out.
 *
 * Reproducible: the re-planner runs with a fixed seed and stops when its patience runs out (steps in a
 * row that kept nothing); its time limit is only a safety net, set far above what these runs take, and a
 * run that hits it is counted (`timeLimited`), since its plan would depend on the machine.
 */
import { checkPlacement, type Engine, type InstanceSpec, type Migration, type NodeSpec } from '../engine/index.js';
import { DEFAULT_REPLAN_METHOD, replan, type PlacedEntry, type ReplanMethod } from '../replan/replan.js';
import { bookUntilSettled, fixedWhereItIs } from '../replan/plan.js';

export interface ReplanLoopPolicy {
  /**
   * Arrival steps between two runs (default 16). A step is one arrival or removal, the retry model's unit of
   * time. A cluster re-planning every 5 minutes while measurement pods arrive every 20 s or so runs it every
   * 15–16 arrivals; and 16 is below the 31 steps a refused pod stays pending under the default retry policy
   * (1 + 2 + 4 + 8 + 16), so every refused pod is seen by at least one run before its controller gives up.
   */
  interval: number;
  /** Most placed pods one run may move (default 5, the chart's `replan.maxMigrations` default). */
  maxMigrations: number;
  /** The re-planner's seed (default 1, as the webhook's). */
  seed: number;
  /** The search (default `auto`, as the webhook's). */
  method: ReplanMethod;
  /** Safety net only: runs stop on patience; one that reaches this is counted in `timeLimited`. */
  timeLimitSeconds: number;
  /** Steps in a row that kept nothing before a search stops (null: the re-planner's own default). */
  patience: number | null;
}

export const DEFAULT_REPLAN_LOOP: ReplanLoopPolicy = {
  interval: 16,
  maxMigrations: 5,
  seed: 1,
  method: DEFAULT_REPLAN_METHOD,
  timeLimitSeconds: 600,
  patience: null,
};

export interface ReplanLoopOutcome {
  /** Runs of the loop. */
  runs: number;
  /** Placed pods the runs moved (evictions whose replacement took the planned slot). */
  migrations: Migration[];
  /** Of those, moves made by a step that placed no more pods: only to lower overlapping run-seconds. */
  movedForOverlap: number;
  /** Slots reserved for pending refused instances, and how many of them their retry claimed. */
  reserved: number;
  claimed: number;
  /** Runs whose search stopped on the time limit rather than on patience (their plan depends on the machine). */
  timeLimited: number;
  /** The checker over every plan applied: summed over the runs. */
  competingSlotSeconds: number;
  violations: number;
}

/** A policy from partial options, checked: a bad value is a RangeError that names it. */
export function replanLoopPolicy(options: Partial<ReplanLoopPolicy> = {}): ReplanLoopPolicy {
  const p = { ...DEFAULT_REPLAN_LOOP, ...options };
  if (!(Number.isInteger(p.interval) && p.interval >= 1))
    throw new RangeError(`re-plan interval must be a whole number of arrival steps ≥ 1, got ${p.interval}`);
  if (!(Number.isInteger(p.maxMigrations) && p.maxMigrations >= 0))
    throw new RangeError(`re-plan migrations per run must be a whole number ≥ 0, got ${p.maxMigrations}`);
  if (!Number.isInteger(p.seed)) throw new RangeError(`re-plan seed must be a whole number, got ${p.seed}`);
  if (p.patience !== null && !(Number.isInteger(p.patience) && p.patience >= 1))
    throw new RangeError(`re-plan patience must be a whole number of steps ≥ 1, got ${p.patience}`);
  if (!(p.timeLimitSeconds > 0))
    throw new RangeError(`re-plan time limit must be > 0 seconds, got ${p.timeLimitSeconds}`);
  return p;
}

export class ReplanLoopModel {
  readonly outcome: ReplanLoopOutcome = {
    runs: 0,
    migrations: [],
    movedForOverlap: 0,
    reserved: 0,
    claimed: 0,
    timeLimited: 0,
    competingSlotSeconds: 0,
    violations: 0,
  };
  /** Slots booked for pending instances and not yet claimed by their retry. */
  private readonly reservations = new Set<string>();

  constructor(
    private readonly engine: Engine,
    private readonly nodes: NodeSpec[],
    private readonly policy: ReplanLoopPolicy,
  ) {}

  /** After a step's arrival and retries: a run when the step is the loop's turn. */
  afterStep(step: number, pending: readonly InstanceSpec[]): void {
    if (step % this.policy.interval === 0) this.run(pending);
  }

  /** A retry of this instance: true when a run reserved it a slot, which the retry now takes. */
  claim(id: string): boolean {
    if (!this.reservations.delete(id)) return false;
    this.outcome.claimed++;
    return true;
  }

  /** The pending instance is gone (its pod deleted): its reserved slot, if any, is freed. */
  cancel(id: string): void {
    if (this.reservations.delete(id)) this.engine.remove(id);
  }

  /** One run: plan from the bookings and the pending instances, then carry the plan out on the engine. */
  run(pending: readonly InstanceSpec[]): void {
    const engine = this.engine;
    // The re-planner reads the bookings in any order (a dependant listed before its affinity partner included).
    const bookings = engine.bookings();
    const instances: InstanceSpec[] = [];
    const placed: PlacedEntry[] = [];
    for (const b of bookings) {
      // A reserved slot waits for its pod: fixed where it is (pinned, one allowed phase), as the webhook fixes it.
      const fixed = this.reservations.has(b.id);
      instances.push(fixed ? fixedWhereItIs(b.instance, b.node, b.phase) : b.instance);
      placed.push({ id: b.id, node: b.node, phase: b.phase });
    }
    for (const s of pending) if (!engine.has(s.id)) instances.push(s);
    const apps = { horizon: engine.horizon, instances };
    const result = replan(this.nodes, apps, placed, {
      migrations: this.policy.maxMigrations,
      timeLimitSeconds: this.policy.timeLimitSeconds,
      seed: this.policy.seed,
      method: this.policy.method,
      ...(this.policy.patience !== null ? { patience: this.policy.patience } : {}),
    });
    this.outcome.runs++;
    if (result.search.stoppedBy === 'time-limit') this.outcome.timeLimited++;
    if (result.moves.length === 0) return;
    const specs = new Map(bookings.map((b) => [b.id, b.instance]));
    for (const s of pending) specs.set(s.id, s);
    // Every mover leaves first, then all are booked at their planned slots; a booking that needs another one
    // first (an affinity partner) is tried again once the others are in.
    for (const m of result.moves) if (m.kind === 'move') engine.remove(m.id);
    const { left } = bookUntilSettled(result.moves, (m) => engine.book(specs.get(m.id)!, m.to).ok);
    if (left.length > 0)
      throw new Error(
        `the re-plan's plan does not fit the engine it was made from: ${left.map((m) => m.id).join(', ')} ` +
          'could not be booked at their planned slots',
      );
    for (const m of result.moves) {
      if (m.kind === 'move') {
        this.outcome.migrations.push({ id: m.id, from: m.from!, to: m.to });
        if (m.gain.placed <= 0) this.outcome.movedForOverlap++;
      } else {
        this.reservations.add(m.id);
        this.outcome.reserved++;
      }
    }
    const now = engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
    const check = checkPlacement(this.nodes, { horizon: engine.horizon, instances: [...specs.values()] }, now);
    this.outcome.competingSlotSeconds += check.competingSlotSeconds;
    this.outcome.violations += check.violations;
  }
}
