/**
 * The quality table: on seeded small workloads, how many instances each strategy places and how much
 * competition it causes, against the exact ILP optimum. Used by the tests and to write the note.
 */
import { checkPlacement } from '../engine/index.js';
import { family } from './families.js';
import { overlapRunSeconds } from './overlap.js';
import { simulate, type SimulationStrategy } from './run.js';
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
  nmaasMigrations: number;
  firstFit: number;
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
  /** Share of the optimum in total over the seeds (what the targets are stated in). */
  ofOptimum: { nmaas: number; nmaasRetry: number; nmaasMigrations: number; firstFit: number };
  /** Seeds where a nmaas column placed fewer than first-fit. */
  seedsBelowFirstFit: { nmaas: number; nmaasRetry: number; nmaasMigrations: number };
  seconds: number;
}

const MODEL_LIMIT = /is longer than one day/;

/** One family over seeds: optimum, nmaas online / with retry / with migrations, first-fit, all checked. */
export async function familyQuality(
  name: string,
  seeds: number[],
  size: { nodes: number; instances: number },
  options: { migrations?: number; exactTimeLimitSeconds?: number } = {},
): Promise<FamilyQuality> {
  const f = family(name);
  const migrations = options.migrations ?? 5;
  const started = performance.now();
  const rows: FamilyQualityRow[] = [];
  for (const seed of seeds) {
    const w = f.generate({ seed, ...size });
    const { nodes, apps } = w;
    const engineApps = { horizon: Math.min(apps.horizon, ENGINE_HORIZON), instances: apps.instances };
    const runs = [
      await simulate(nodes, engineApps, { strategy: 'nmaas' }),
      await simulate(nodes, engineApps, { strategy: 'nmaas', retry: true }),
      await simulate(nodes, engineApps, { strategy: 'nmaas', migrations }),
      await simulate(nodes, apps, { strategy: 'first-fit' }),
    ];
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
      nmaasMigrations: runs[2]!.metrics.placed,
      firstFit: runs[3]!.metrics.placed,
      modelLimit: runs[0]!.rejected.filter((r) => MODEL_LIMIT.test(r.reason)).length,
      competingSlotSeconds: checks.reduce((s, c) => s + c.competingSlotSeconds, 0),
      violations: checks.reduce((s, c) => s + c.violations, 0),
      nmaasOverlapRunSeconds: overlapRunSeconds(apps, runs[0]!.placed),
      firstFitOverlapRunSeconds: overlapRunSeconds(apps, runs[3]!.placed),
    });
  }
  const sum = (k: keyof FamilyQualityRow): number => rows.reduce((s, r) => s + Number(r[k]), 0);
  const totals = {
    instances: sum('instances'),
    optimum: sum('optimum'),
    bound: sum('bound'),
    nmaas: sum('nmaas'),
    nmaasRetry: sum('nmaasRetry'),
    nmaasMigrations: sum('nmaasMigrations'),
    firstFit: sum('firstFit'),
    modelLimit: sum('modelLimit'),
    competingSlotSeconds: sum('competingSlotSeconds'),
    violations: sum('violations'),
    nmaasOverlapRunSeconds: sum('nmaasOverlapRunSeconds'),
    firstFitOverlapRunSeconds: sum('firstFitOverlapRunSeconds'),
    optimumProvenSeeds: rows.filter((r) => r.optimumSource !== 'ilp-time-limited').length,
  };
  const share = (x: number): number => Math.round((x / Math.max(1, totals.optimum)) * 10000) / 10000;
  const below = (k: 'nmaas' | 'nmaasRetry' | 'nmaasMigrations'): number => rows.filter((r) => r[k] < r.firstFit).length;
  return {
    family: f.name,
    description: f.description,
    knobs: f.knobs,
    size,
    seeds: seeds.length ? `${seeds[0]}–${seeds[seeds.length - 1]}` : '',
    migrations,
    rows,
    totals,
    ofOptimum: {
      nmaas: share(totals.nmaas),
      nmaasRetry: share(totals.nmaasRetry),
      nmaasMigrations: share(totals.nmaasMigrations),
      firstFit: share(totals.firstFit),
    },
    seedsBelowFirstFit: {
      nmaas: below('nmaas'),
      nmaasRetry: below('nmaasRetry'),
      nmaasMigrations: below('nmaasMigrations'),
    },
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

/** The README's table: one line per family. */
export function formatFamilyTable(results: FamilyQuality[]): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
  const lines = [
    `| family (seeds, nodes × instances) | optimum | nmaas online | nmaas + retry | nmaas --migrations ${results[0]?.migrations ?? 5} | first-fit | seeds below first-fit (online / retry / migr.) | model limit | competing slot-s / violations | overlapping run-s (online / first-fit) |`,
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const t = r.totals;
    const opt =
      r.rows[0]?.optimumSource === 'planted'
        ? `${t.optimum} (planted)`
        : `${t.optimum} (ILP${t.optimumProvenSeeds < r.rows.length ? `, ${r.rows.length - t.optimumProvenSeeds} of ${r.rows.length} seeds time-limited, bound ${t.bound}` : ', all proven'})`;
    lines.push(
      `| ${r.family} (${r.seeds}, ${r.size.nodes} × ${r.size.instances}) | ${opt} | ${pct(r.ofOptimum.nmaas)} | ${pct(r.ofOptimum.nmaasRetry)} | ${pct(r.ofOptimum.nmaasMigrations)} | ${pct(r.ofOptimum.firstFit)} | ${r.seedsBelowFirstFit.nmaas} / ${r.seedsBelowFirstFit.nmaasRetry} / ${r.seedsBelowFirstFit.nmaasMigrations} | ${t.modelLimit} | ${t.competingSlotSeconds} / ${t.violations} | ${t.nmaasOverlapRunSeconds} / ${t.firstFitOverlapRunSeconds} |`,
    );
  }
  return lines.join('\n') + '\n';
}
