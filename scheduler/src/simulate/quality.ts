/**
 * The quality table: on seeded small workloads, how many instances each strategy places and how much
 * competition it causes, against the exact ILP optimum. Used by the tests and to write the note.
 */
import { checkPlacement } from '../engine/index.js';
import { family } from './families.js';
import { overlapRunSeconds } from './overlap.js';
import { simulate, type SimulationStrategy } from './run.js';
import { replanLoopPolicy, type ReplanLoopPolicy } from './replan-loop.js';
import { generateWorkload, type WorkloadOptions } from './workload.js';

export interface QualityRow {
  seed: number;
  exact: number;
  exactOptimal: boolean;
  nmaas: number;
  nmaasReadapt: number;
  ffd: number;
  kube: number;
  kubeCompetingSlotSeconds: number;
  nmaasCompetingSlotSeconds: number;
  violations: number;
}

export interface QualityTable {
  family: Omit<WorkloadOptions, 'seed'>;
  migrations: number;
  rows: QualityRow[];
  totals: {
    exact: number;
    nmaas: number;
    nmaasReadapt: number;
    ffd: number;
    kube: number;
    kubeCompetingSlotSeconds: number;
  };
  ratios: { nmaasVsExact: number; nmaasReadaptVsExact: number; ffdVsExact: number };
}

export async function qualityTable(
  seeds: number[],
  family: Omit<WorkloadOptions, 'seed'>,
  options: { migrations?: number; exactTimeLimitSeconds?: number } = {},
): Promise<QualityTable> {
  const migrations = options.migrations ?? 2;
  const rows: QualityRow[] = [];
  for (const seed of seeds) {
    const { nodes, apps } = generateWorkload({ ...family, seed });
    const run = (strategy: SimulationStrategy, k = 0) =>
      simulate(nodes, apps, { strategy, migrations: k, exactTimeLimitSeconds: options.exactTimeLimitSeconds ?? 120 });
    const [exact, nmaas, readapt, ffd, kube] = [
      await run('exact'),
      await run('nmaas'),
      await run('nmaas', migrations),
      await run('ffd'),
      await run('kube'),
    ];
    rows.push({
      seed,
      exact: exact.metrics.placed,
      exactOptimal: exact.solver?.optimal ?? false,
      nmaas: nmaas.metrics.placed,
      nmaasReadapt: readapt.metrics.placed,
      ffd: ffd.metrics.placed,
      kube: kube.metrics.placed,
      kubeCompetingSlotSeconds: kube.metrics.competingSlotSeconds,
      nmaasCompetingSlotSeconds: nmaas.metrics.competingSlotSeconds + readapt.metrics.competingSlotSeconds,
      violations:
        nmaas.metrics.violations +
        readapt.metrics.violations +
        exact.metrics.violations +
        ffd.metrics.violations +
        kube.metrics.violations,
    });
  }
  const sum = (k: keyof QualityRow): number => rows.reduce((s, r) => s + Number(r[k]), 0);
  const totals = {
    exact: sum('exact'),
    nmaas: sum('nmaas'),
    nmaasReadapt: sum('nmaasReadapt'),
    ffd: sum('ffd'),
    kube: sum('kube'),
    kubeCompetingSlotSeconds: sum('kubeCompetingSlotSeconds'),
  };
  const ratio = (a: number): number => Math.round((a / Math.max(1, totals.exact)) * 10000) / 10000;
  return {
    family,
    migrations,
    rows,
    totals,
    ratios: {
      nmaasVsExact: ratio(totals.nmaas),
      nmaasReadaptVsExact: ratio(totals.nmaasReadapt),
      ffdVsExact: ratio(totals.ffd),
    },
  };
}

export function formatQualityTable(t: QualityTable): string {
  const head = `| seed | exact (ILP) | nmaas | nmaas --migrations ${t.migrations} | ffd | kube (placed / competing slot-s) |`;
  const lines = [head, '|---|---|---|---|---|---|'];
  for (const r of t.rows) {
    lines.push(
      `| ${r.seed} | ${r.exact}${r.exactOptimal ? '' : ' (not proven)'} | ${r.nmaas} | ${r.nmaasReadapt} | ${r.ffd} | ${r.kube} / ${r.kubeCompetingSlotSeconds} |`,
    );
  }
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  lines.push(
    `| **total** | **${t.totals.exact}** | **${t.totals.nmaas}** (${pct(t.ratios.nmaasVsExact)}) | **${t.totals.nmaasReadapt}** (${pct(t.ratios.nmaasReadaptVsExact)}) | **${t.totals.ffd}** (${pct(t.ratios.ffdVsExact)}) | **${t.totals.kube}** / ${t.totals.kubeCompetingSlotSeconds} |`,
  );
  return lines.join('\n') + '\n';
}

/** The engine's horizon as the webhook runs it: periods that do not divide it are folded onto it. */
export const ENGINE_HORIZON = 3600;

export interface FamilyQualityRow {
  seed: number;
  instances: number;
  /**
   * Known (planted) or ILP optimum. When the ILP hit its time limit: the best plan found by any column
   * (a lower bound on the optimum), with the solver's proven upper bound in `bound`.
   */
  optimum: number;
  optimumSource: 'planted' | 'ilp' | 'ilp-time-limited';
  bound: number;
  nmaas: number;
  nmaasRetry: number;
  /** With the retry model and readapt at admission (`--retry --migrations K`). */
  nmaasRetryMigrations: number;
  /** With the retry model and the in-cluster re-plan loop (`--retry --replan-interval`), no readapt. */
  nmaasReplanLoop: number;
  firstFit: number;
  /** Placed pods moved: by readapt in the retry + migrations column, by the loop's runs in the re-plan column. */
  retryMigrationsMoved: number;
  replanLoopMoved: number;
  /** Of replanLoopMoved, pods moved by a step that placed no more: only to lower overlap. */
  replanLoopMovedForOverlap: number;
  /** Instances the engine refused because their period is beyond its model (longer than a day). */
  modelLimit: number;
  competingSlotSeconds: number;
  violations: number;
  /** The secondary objective: run-seconds overlapping another run on the same node (see overlap.ts). */
  nmaasOverlapRunSeconds: number;
  firstFitOverlapRunSeconds: number;
}

export interface FamilyQuality {
  family: string;
  description: string;
  knobs: Record<string, number | string>;
  size: { nodes: number; instances: number };
  seeds: string;
  migrations: number;
  rows: FamilyQualityRow[];
  totals: Omit<FamilyQualityRow, 'seed' | 'optimumSource'> & { optimumProvenSeeds: number };
  /** The re-plan loop's settings in the re-plan column. */
  replanLoop: ReplanLoopPolicy;
  /** Share of the optimum in total over the seeds (what the targets are stated in). */
  ofOptimum: Record<NmaasColumn | 'firstFit', number>;
  /** Seeds where a nmaas column placed fewer than first-fit. */
  seedsBelowFirstFit: Record<NmaasColumn, number>;
  /** Placed pods moved, per pod placed in the column, over all seeds. */
  migrationsPerPlaced: { nmaasRetryMigrations: number; nmaasReplanLoop: number };
  seconds: number;
}

/** The engine's columns, in the table's order. */
export const NMAAS_COLUMNS = ['nmaas', 'nmaasRetry', 'nmaasRetryMigrations', 'nmaasReplanLoop'] as const;
export type NmaasColumn = (typeof NMAAS_COLUMNS)[number];

/**
 * The re-plan column's loop: the model's defaults (every 16 arrival steps, 5 moves per run, seed 1), with the
 * large-neighbourhood search alone and a patience of 50 steps. The webhook's `auto` also runs the ant colony on
 * small pools; measured on tuning seeds 1–5, that made the column 5 to 17 times as slow (largest-last: 24 s
 * against 4 s) for the same placements on 8 of the 11 families and a few pods more or less on the others, and
 * the re-planner's default patience made long-periods 11 s a seed (the engine's day folds), 3 s at 50.
 */
export const QUALITY_REPLAN_LOOP: Partial<ReplanLoopPolicy> = { method: 'lns', patience: 50 };

const MODEL_LIMIT = /is longer than one day/;

/**
 * One family over seeds: optimum, nmaas online / with retry / with retry and migrations / with retry and the
 * re-plan loop, first-fit; every plan checked, and every plan a re-plan run applied.
 */
export async function familyQuality(
  name: string,
  seeds: number[],
  size: { nodes: number; instances: number },
  options: { migrations?: number; exactTimeLimitSeconds?: number; replanLoop?: Partial<ReplanLoopPolicy> } = {},
): Promise<FamilyQuality> {
  const f = family(name);
  const migrations = options.migrations ?? 5;
  const loop = replanLoopPolicy(options.replanLoop ?? QUALITY_REPLAN_LOOP);
  const started = performance.now();
  const rows: FamilyQualityRow[] = [];
  for (const seed of seeds) {
    const w = f.generate({ seed, ...size });
    const { nodes, apps } = w;
    const engineApps = { horizon: Math.min(apps.horizon, ENGINE_HORIZON), instances: apps.instances };
    const runs = [
      await simulate(nodes, engineApps, { strategy: 'nmaas' }),
      await simulate(nodes, engineApps, { strategy: 'nmaas', retry: true }),
      await simulate(nodes, engineApps, { strategy: 'nmaas', retry: true, migrations }),
      await simulate(nodes, engineApps, { strategy: 'nmaas', retry: true, replanLoop: loop }),
      await simulate(nodes, apps, { strategy: 'first-fit' }),
    ];
    const replanned = runs[3]!.replanLoop!;
    let optimum: number;
    let bound: number;
    let source: FamilyQualityRow['optimumSource'];
    if (w.knownOptimum !== undefined) {
      optimum = bound = w.knownOptimum;
      source = 'planted';
    } else {
      const exact = await simulate(nodes, apps, {
        strategy: 'exact',
        exactTimeLimitSeconds: options.exactTimeLimitSeconds ?? 20,
        exactStarts: runs.map((r) => r.placed),
      });
      runs.push(exact);
      // A time-limited solve proves only a bound: the best plan anyone found stands in for the optimum.
      optimum = Math.max(...runs.map((r) => r.metrics.placed));
      bound = Math.max(optimum, exact.solver?.bound ?? optimum);
      source = exact.solver?.optimal ? 'ilp' : 'ilp-time-limited';
    }
    // Every plan judged again by the checker over the workload's whole horizon (the lcm of its periods).
    const checks = runs.map((r) => checkPlacement(nodes, apps, r.placed));
    rows.push({
      seed,
      instances: apps.instances.length,
      optimum,
      optimumSource: source,
      bound,
      nmaas: runs[0]!.metrics.placed,
      nmaasRetry: runs[1]!.metrics.placed,
      nmaasRetryMigrations: runs[2]!.metrics.placed,
      nmaasReplanLoop: runs[3]!.metrics.placed,
      firstFit: runs[4]!.metrics.placed,
      retryMigrationsMoved: runs[2]!.migrations.length,
      replanLoopMoved: replanned.migrations,
      replanLoopMovedForOverlap: replanned.movedForOverlap,
      modelLimit: runs[0]!.rejected.filter((r) => MODEL_LIMIT.test(r.reason)).length,
      // The plans at the end, and every plan a re-plan run applied on the way.
      competingSlotSeconds: checks.reduce((s, c) => s + c.competingSlotSeconds, 0) + replanned.competingSlotSeconds,
      violations: checks.reduce((s, c) => s + c.violations, 0) + replanned.violations,
      nmaasOverlapRunSeconds: overlapRunSeconds(apps, runs[0]!.placed),
      firstFitOverlapRunSeconds: overlapRunSeconds(apps, runs[4]!.placed),
    });
  }
  const sum = (k: keyof FamilyQualityRow): number => rows.reduce((s, r) => s + Number(r[k]), 0);
  const totals = {
    instances: sum('instances'),
    optimum: sum('optimum'),
    bound: sum('bound'),
    nmaas: sum('nmaas'),
    nmaasRetry: sum('nmaasRetry'),
    nmaasRetryMigrations: sum('nmaasRetryMigrations'),
    nmaasReplanLoop: sum('nmaasReplanLoop'),
    firstFit: sum('firstFit'),
    retryMigrationsMoved: sum('retryMigrationsMoved'),
    replanLoopMoved: sum('replanLoopMoved'),
    replanLoopMovedForOverlap: sum('replanLoopMovedForOverlap'),
    modelLimit: sum('modelLimit'),
    competingSlotSeconds: sum('competingSlotSeconds'),
    violations: sum('violations'),
    nmaasOverlapRunSeconds: sum('nmaasOverlapRunSeconds'),
    firstFitOverlapRunSeconds: sum('firstFitOverlapRunSeconds'),
    optimumProvenSeeds: rows.filter((r) => r.optimumSource !== 'ilp-time-limited').length,
  };
  const share = (x: number): number => Math.round((x / Math.max(1, totals.optimum)) * 10000) / 10000;
  const below = (k: NmaasColumn): number => rows.filter((r) => r[k] < r.firstFit).length;
  const perPlaced = (moved: number, placed: number): number => Math.round((moved / Math.max(1, placed)) * 1000) / 1000;
  return {
    family: f.name,
    description: f.description,
    knobs: f.knobs,
    size,
    seeds: seeds.length ? `${seeds[0]}–${seeds[seeds.length - 1]}` : '',
    migrations,
    replanLoop: loop,
    rows,
    totals,
    ofOptimum: {
      nmaas: share(totals.nmaas),
      nmaasRetry: share(totals.nmaasRetry),
      nmaasRetryMigrations: share(totals.nmaasRetryMigrations),
      nmaasReplanLoop: share(totals.nmaasReplanLoop),
      firstFit: share(totals.firstFit),
    },
    seedsBelowFirstFit: {
      nmaas: below('nmaas'),
      nmaasRetry: below('nmaasRetry'),
      nmaasRetryMigrations: below('nmaasRetryMigrations'),
      nmaasReplanLoop: below('nmaasReplanLoop'),
    },
    migrationsPerPlaced: {
      nmaasRetryMigrations: perPlaced(totals.retryMigrationsMoved, totals.nmaasRetryMigrations),
      nmaasReplanLoop: perPlaced(totals.replanLoopMoved, totals.nmaasReplanLoop),
    },
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

/** The README's table: one line per family. A family carried over from older results lacks the newer columns: "—". */
export function formatFamilyTable(results: FamilyQuality[]): string {
  const pct = (x: number | undefined): string => (x === undefined ? '—' : `${(x * 100).toFixed(1)} %`);
  const num = (x: number | undefined): string => (x === undefined ? '—' : String(x));
  const first = results[0];
  const m = first?.migrations ?? 5;
  const loop = first?.replanLoop?.maxMigrations ?? 5;
  const lines = [
    `| family (seeds, nodes × instances) | optimum | nmaas online | + retry | + retry, --migrations ${m} | + retry, re-plan loop (M = ${loop} per run) | first-fit | seeds below first-fit (online / retry / retry + migr. / re-plan loop) | pods moved (per placed pod): migr. / re-plan loop (of them only to lower overlap) | model limit | competing slot-s / violations | overlapping run-s (online / first-fit) |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const t = r.totals;
    const below = NMAAS_COLUMNS.map((k) => num(r.seedsBelowFirstFit[k])).join(' / ');
    const moved =
      `${num(t.retryMigrationsMoved)} (${num(r.migrationsPerPlaced?.nmaasRetryMigrations)}) / ` +
      `${num(t.replanLoopMoved)} (${num(r.migrationsPerPlaced?.nmaasReplanLoop)}; ${num(t.replanLoopMovedForOverlap)} only for overlap)`;
    const opt =
      r.rows[0]?.optimumSource === 'planted'
        ? `${t.optimum} (planted)`
        : `${t.optimum} (ILP${t.optimumProvenSeeds < r.rows.length ? `, ${r.rows.length - t.optimumProvenSeeds} of ${r.rows.length} seeds time-limited, bound ${t.bound}` : ', all proven'})`;
    lines.push(
      `| ${r.family} (${r.seeds}, ${r.size.nodes} × ${r.size.instances}) | ${opt} | ${pct(r.ofOptimum.nmaas)} | ${pct(r.ofOptimum.nmaasRetry)} | ${pct(r.ofOptimum.nmaasRetryMigrations)} | ${pct(r.ofOptimum.nmaasReplanLoop)} | ${pct(r.ofOptimum.firstFit)} | ${below} | ${moved} | ${t.modelLimit} | ${t.competingSlotSeconds} / ${t.violations} | ${t.nmaasOverlapRunSeconds} / ${t.firstFitOverlapRunSeconds} |`,
    );
  }
  return lines.join('\n') + '\n';
}
