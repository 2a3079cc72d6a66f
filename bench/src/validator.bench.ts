/**
 * validator: time per chart on the published charts of ../shared/corpus/real-charts and on the
 * example catalogue, against real helm on the same charts in the same run: `helm lint --strict`
 * plus one `helm template` (what a reviewer runs by hand). The validator renders each chart many
 * times (defaults, form bounds, middle values, every enum option, other strings, install contexts),
 * most of them in one helm process; both counts are reported. Also the start-up of `nmaas validate --list-rules` (a process that loads
 * the CLI and prints the rule list) against `helm version` (a process that prints and exits).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { resolveHelm, runHelm, synthesizeChart } from '@nmaas/charts-gen';
import { validate } from '@nmaas/validator';
import type { Bench } from './index.js';

const run = promisify(execFile);
const STARTUP_RUNS = 15;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  const sum = samples.reduce((a, b) => a + b, 0);
  return {
    n: samples.length,
    meanMs: +(sum / samples.length).toFixed(1),
    p50Ms: +q(0.5).toFixed(1),
    p95Ms: +q(0.95).toFixed(1),
    maxMs: +sorted[sorted.length - 1]!.toFixed(1),
    totalMs: +sum.toFixed(0),
  };
}

async function exampleApps(): Promise<string[]> {
  const dir = path.join(root, 'examples');
  const names = existsSync(dir) ? await readdir(dir) : [];
  return names
    .filter((n) => existsSync(path.join(dir, n, 'nmaas.yaml')))
    .sort()
    .map((n) => path.join(dir, n));
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return +(
    sorted.length % 2 === 1
      ? sorted[(sorted.length - 1) / 2]!
      : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2
  ).toFixed(1);
};

async function measure(charts: string[]) {
  const full: number[] = [];
  const helm: number[] = [];
  const ratios: number[] = [];
  let errors = 0;
  let renders = 0;
  let processes = 0;
  let failedToRender = 0;
  for (const chart of charts) {
    let t = performance.now();
    const report = await validate(chart);
    const v = performance.now() - t;
    full.push(v);
    errors += report.summary.error;
    renders += report.renderCount ?? report.valueSets.length;
    processes += report.helmProcesses ?? 0;
    if (
      report.findings.some(
        (f) => f.ruleId === 'NMAAS-CHART-RENDER' && /no object of this chart was checked/.test(f.message),
      )
    )
      failedToRender++;
    t = performance.now();
    // A reviewer's manual check: lint, then render once. Either may fail on a chart; the time counts.
    await runHelm(['lint', '--strict', chart]).catch(() => undefined);
    await runHelm(['template', 'r', chart]).catch(() => undefined);
    const h = performance.now() - t;
    helm.push(h);
    ratios.push(v / h);
  }
  const f = stats(full);
  const h = stats(helm);
  return {
    charts: charts.length,
    chartsThatRenderNothingWithoutValues: failedToRender,
    errorsFound: errors,
    meanHelmTemplateRendersPerChart: +(renders / charts.length).toFixed(2),
    meanHelmProcessesPerChart: +(processes / charts.length).toFixed(2),
    validate: f,
    helmLintStrictPlusTemplate: h,
    medianRatioValidateToHelm: median(ratios),
    ratioOfMedians: +(f.p50Ms / h.p50Ms).toFixed(2),
  };
}

async function startup() {
  const nmaas = path.join(root, 'cli', 'dist', 'main.js');
  const helmBin = resolveHelm('3.17');
  const listRules: number[] = [];
  const helmVersion: number[] = [];
  const bareNode: number[] = [];
  for (let i = 0; i < STARTUP_RUNS; i++) {
    let t = performance.now();
    await run(process.execPath, ['-e', '0']);
    bareNode.push(performance.now() - t);
    t = performance.now();
    await run(process.execPath, [nmaas, 'validate', '--list-rules']);
    listRules.push(performance.now() - t);
    t = performance.now();
    await run(helmBin, ['version']);
    helmVersion.push(performance.now() - t);
  }
  const list = stats(listRules);
  const node = stats(bareNode);
  return {
    nmaasValidateListRules: list,
    helmVersion: stats(helmVersion),
    // The floor every node process pays on this machine in the same run: what the CLI adds is above it.
    nodeBare: node,
    listRulesOverBareNodeP50Ms: +(list.p50Ms - node.p50Ms).toFixed(1),
    loadAverage: os.loadavg().map((x) => +x.toFixed(1)),
    targetMs: 150,
  };
}

const bench: Bench = async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'nmaas-bench-validator-'));
  try {
    const examples = await exampleApps();
    const fixtures = [
      'sdk/fixtures/apps/full',
      'sdk/fixtures/apps/minimal',
      'charts-gen/fixtures/apps/every-field',
      'charts-gen/fixtures/apps/long-name',
    ]
      .map((p) => path.join(root, p))
      .filter((p) => existsSync(path.join(p, 'nmaas.yaml')));
    // Charts are synthesised first (not timed): the figures are about checking a chart.
    const synth = async (apps: string[], out: string) => {
      const dirs: string[] = [];
      for (const app of apps) dirs.push((await synthesizeChart(app, out)).chartDir);
      return dirs;
    };
    const exampleCharts = await synth(examples, path.join(work, 'examples'));
    const corpus = path.resolve(root, '..', 'shared', 'corpus', 'real-charts');
    const realCharts = (await readdir(corpus)).sort();
    const charts: string[] = [];
    for (const org of realCharts)
      for (const c of (await readdir(path.join(corpus, org))).sort()) charts.push(path.join(corpus, org, c));
    // Warm-up: module loading, JIT and helm's first start, not part of the figures.
    await validate(exampleCharts[0]!);
    await runHelm(['lint', '--strict', exampleCharts[0]!]);

    return {
      helm: '3.17 (one process per call); validate renders the form value sets in one helm process, beside the defaults and install contexts, concurrently',
      startup: await startup(),
      realCharts: { corpus: '../shared/corpus/real-charts', ...(await measure(charts)) },
      exampleCatalogue: { apps: examples.map((e) => path.basename(e)), ...(await measure(exampleCharts)) },
      fixtures: fixtures.map((p) => path.relative(root, p)),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
};

export default bench;
