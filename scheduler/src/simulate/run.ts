/** One simulation: feed apps.json to a strategy in file order, measure each decision, check the result. */
import { checkPlacement, Engine, type InstanceSpec, type Migration, type NodeSpec } from '../engine/index.js';
import { solveExact } from './exact.js';
import { STRATEGIES, type StrategyName } from './strategies/index.js';
import { firstFit } from './first-fit.js';
import { DEFAULT_RETRY_POLICY, runWithRetry, type RetryPolicy } from './retry.js';
import { asLastCreated, runWithControllerRetries, type LatePlacement } from './controller-retries.js';
import { ReplanLoopModel, replanLoopPolicy, type ReplanLoopOutcome, type ReplanLoopPolicy } from './replan-loop.js';

export { ffdOrder } from './strategies/index.js';

export type SimulationStrategy = StrategyName | 'exact' | 'first-fit';

export interface SimulationResult {
  strategy: SimulationStrategy;
  placed: { id: string; node: string; phase: number }[];
  rejected: { id: string; reason: string }[];
  /** Placed instances moved: by readapt at admission, then by the re-plan loop's runs. */
  migrations: Migration[];
  /** Only with the retry model: offers made and instances placed on a retry. */
  retry?: { offers: number; placedOnRetry: number };
  /**
   * Only with controller re-creations (see controller-retries.ts): offers made, and the instances a
   * re-created pod placed, with how late and the arrival phase their window opened at (the checker
   * judges them in that window).
   */
  controllerRetries?: { untilSeconds: number; offers: number; late: LatePlacement[] };
  /** Only with the re-plan loop (see replan-loop.ts): its outcome, the placed instances it moved counted (also in `migrations`). */
  replanLoop?: Omit<ReplanLoopOutcome, 'migrations'> & { policy: ReplanLoopPolicy; migrations: number };
  metrics: {
    placed: number;
    rejected: number;
    competingSlotSeconds: number;
    /** Of competingSlotSeconds, the slot-seconds over a shared link's capacity. */
    linkSlotSeconds: number;
    violations: number;
    decisionMicros: { p50: number; p99: number; max: number };
  };
  /** Only for exact: solver status (Optimal, or Time limit reached = best found, not proven). */
  solver?: {
    status: string;
    optimal: boolean;
    /** Proven upper bound on the optimum, and (bound − placed) / bound: 0 when optimal. */
    bound: number;
    gap: number;
    variables: number;
    constraints: number;
    solveMillis: number;
  };
}

export function percentile(sorted: Float64Array | number[], q: number): number {
  if (sorted.length === 0) return 0;
  const k = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[k]!;
}

const round = (x: number): number => Math.round(x * 100) / 100;

export async function simulate(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
  options: {
    strategy?: SimulationStrategy;
    migrations?: number;
    exactTimeLimitSeconds?: number;
    /** Plans already known, handed to the exact model as starting points (it keeps the legal ones). */
    exactStarts?: { id: string; node: string; phase: number }[][];
    /** Re-offer refused instances with back-off (see retry.ts); engine strategies only. */
    retry?: boolean | RetryPolicy;
    /**
     * Model the in-cluster re-plan loop (see replan-loop.ts): nmaas only; implies the retry model, whose
     * retries take the slots the loop reserves.
     */
    replanLoop?: boolean | Partial<ReplanLoopPolicy>;
    /**
     * Re-create each refused pod as its controller does, for this many seconds, each new pod with its own
     * start window (see controller-retries.ts): nmaas only, not with `retry` or `replanLoop`.
     */
    controllerRetries?: number;
  } = {},
): Promise<SimulationResult> {
  const strategy = options.strategy ?? 'nmaas';
  const order = new Map(apps.instances.map((s, k) => [s.id, k]));
  let placed: SimulationResult['placed'] = [];
  let rejected: SimulationResult['rejected'] = [];
  const migrations: Migration[] = [];
  let times = new Float64Array(0);
  let solver: SimulationResult['solver'];
  let retried: SimulationResult['retry'];
  let looped: SimulationResult['replanLoop'];
  let recreated: SimulationResult['controllerRetries'];
  let judged = apps;
  const spent: number[] = [];
  /** An offer to the engine for the retry models: its decision timed and its moves kept; true, or why not. */
  const offerTo =
    (engine: Engine) =>
    (spec: InstanceSpec): true | string => {
      const t0 = performance.now();
      const r = engine.place(spec, { migrations: options.migrations ?? 0 });
      spent.push((performance.now() - t0) * 1000);
      if (!r.ok) return r.reason;
      migrations.push(...r.migrations);
      return true;
    };
  const loopPolicy = options.replanLoop
    ? replanLoopPolicy(options.replanLoop === true ? {} : options.replanLoop)
    : null;
  if (loopPolicy && (strategy === 'exact' || strategy === 'first-fit' || !STRATEGIES[strategy].migrates))
    throw new RangeError(`the re-plan loop applies to the nmaas strategy only (got ${strategy})`);
  if (options.controllerRetries !== undefined && (strategy !== 'nmaas' || options.retry || loopPolicy))
    throw new RangeError(
      `controller re-creations model the nmaas webhook's refusals, without the step-counted retry model or the re-plan loop (got ${strategy}${options.retry ? ' with retry' : ''}${loopPolicy ? ' with the re-plan loop' : ''})`,
    );
  if (strategy === 'exact') {
    const r = await solveExact(nodes, apps, {
      timeLimitSeconds: options.exactTimeLimitSeconds ?? 60,
      starts: options.exactStarts ?? [],
    });
    placed = r.placed;
    rejected = r.rejected;
    solver = {
      status: r.status,
      optimal: r.optimal,
      bound: r.bound,
      gap: r.gap,
      variables: r.variables,
      constraints: r.constraints,
      solveMillis: round(r.solveMillis),
    };
    times = Float64Array.of((r.solveMillis * 1000) / Math.max(1, apps.instances.length));
  } else if (strategy === 'first-fit') {
    const t0 = performance.now();
    ({ placed, rejected } = firstFit(nodes, apps));
    times = Float64Array.of(((performance.now() - t0) * 1000) / Math.max(1, apps.instances.length));
  } else if (options.retry || loopPolicy) {
    const chosen = STRATEGIES[strategy];
    const engine = new Engine(nodes, { horizon: apps.horizon, ...(chosen.policy ? { policy: chosen.policy } : {}) });
    const policy = !options.retry || options.retry === true ? DEFAULT_RETRY_POLICY : options.retry;
    const loop = loopPolicy ? new ReplanLoopModel(engine, nodes, loopPolicy) : null;
    const queue = chosen.order(nodes, apps.instances);
    const offer = offerTo(engine);
    const outcome = runWithRetry(
      queue.map((spec) => ({ kind: 'arrive' as const, spec })),
      // A slot the re-plan loop reserved for this instance: its retry takes it, as admission hands it over.
      (spec) => (loop?.claim(spec.id) ? true : offer(spec)),
      (id) => {
        loop?.cancel(id);
        engine.remove(id);
      },
      policy,
      loop ? { afterStep: (step, pending) => loop.afterStep(step, pending) } : {},
    );
    times = Float64Array.from(spent);
    rejected = outcome.refused.map(({ id, reason }) => ({ id, reason }));
    placed = engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
    retried = { offers: outcome.offers, placedOnRetry: outcome.placedOnRetry };
    if (loop && loopPolicy) {
      const o = loop.outcome;
      migrations.push(...o.migrations);
      looped = { ...o, policy: loopPolicy, migrations: o.migrations.length };
    }
  } else if (options.controllerRetries !== undefined) {
    const engine = new Engine(nodes, { horizon: apps.horizon });
    const outcome = runWithControllerRetries(apps.instances, offerTo(engine), options.controllerRetries);
    times = Float64Array.from(spent);
    rejected = outcome.refused;
    placed = engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
    recreated = { untilSeconds: options.controllerRetries, offers: outcome.offers, late: outcome.late };
    judged = { horizon: apps.horizon, instances: asLastCreated(apps.instances, outcome.late) };
  } else {
    const chosen = STRATEGIES[strategy];
    const engine = new Engine(nodes, { horizon: apps.horizon, ...(chosen.policy ? { policy: chosen.policy } : {}) });
    const queue = chosen.order(nodes, apps.instances);
    times = new Float64Array(queue.length);
    let k = 0;
    for (const spec of queue) {
      const t0 = performance.now();
      const r = engine.place(spec, { migrations: chosen.migrates ? (options.migrations ?? 0) : 0 });
      times[k++] = (performance.now() - t0) * 1000;
      if (r.ok) migrations.push(...r.migrations);
      else rejected.push({ id: r.id, reason: r.reason });
    }
    placed = engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
  }
  placed.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  rejected.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  const check = checkPlacement(nodes, judged, placed);
  const sorted = times.slice().sort();
  return {
    strategy,
    placed,
    rejected,
    migrations,
    metrics: {
      placed: placed.length,
      rejected: rejected.length,
      competingSlotSeconds: check.competingSlotSeconds,
      linkSlotSeconds: check.linkSlotSeconds,
      violations: check.violations,
      decisionMicros: {
        p50: round(percentile(sorted, 0.5)),
        p99: round(percentile(sorted, 0.99)),
        max: round(sorted.length ? sorted[sorted.length - 1]! : 0),
      },
    },
    ...(retried ? { retry: retried } : {}),
    ...(recreated ? { controllerRetries: recreated } : {}),
    ...(looped ? { replanLoop: looped } : {}),
    ...(solver ? { solver } : {}),
  };
}
