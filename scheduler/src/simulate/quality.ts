/**
 * The quality table: on seeded small workloads, how many instances each strategy places and how much
 * competition it causes, against the exact ILP optimum. Used by the tests and to write the note.
 */
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
