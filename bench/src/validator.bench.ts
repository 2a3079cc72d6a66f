/**
 * validator: warm validation time per chart on the example catalogue and on 200 generated charts,
 * against real `helm lint --strict` on the same charts in the same run (helm 3.17, one process per
 * chart). The validator renders each chart with real `helm template` at its defaults and at the
 * bounds of its form, so it is measured twice: the full check (what `nmaas validate` does) and the
 * defaults-only check (one render, the same work helm lint does plus every rule).
 */
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parse, stringify } from 'yaml';
import { runHelm, synthesizeChart } from '@nmaas/charts-gen';
import { validate } from '@nmaas/validator';
import type { Bench } from './index.js';

const GENERATED = 200;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  const sum = samples.reduce((a, b) => a + b, 0);
  return { n: samples.length, meanMs: +(sum / samples.length).toFixed(1), p50Ms: +q(0.5).toFixed(1), p95Ms: +q(0.95).toFixed(1), maxMs: +sorted[sorted.length - 1]!.toFixed(1), totalMs: +sum.toFixed(0) };
}

async function exampleApps(): Promise<string[]> {
  const dir = path.join(root, 'examples');
  const names = existsSync(dir) ? await readdir(dir) : [];
  return names.filter((n) => existsSync(path.join(dir, n, 'nmaas.yaml'))).sort().map((n) => path.join(dir, n));
}

/** 200 distinct apps: the examples and fixture apps under new names and versions. */
async function generatedApps(dir: string, sources: string[]): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < GENERATED; i++) {
    const source = sources[i % sources.length]!;
    const manifest = parse(await readFile(path.join(source, 'nmaas.yaml'), 'utf8')) as Record<string, unknown>;
    manifest.name = `bench-${String(i).padStart(3, '0')}-${String(manifest.name).slice(0, 20)}`.replace(/-+$/, '');
    manifest.version = `2.${i}.0`;
    const appDir = path.join(dir, manifest.name as string);
    await mkdir(appDir, { recursive: true });
    await writeFile(path.join(appDir, 'nmaas.yaml'), stringify(manifest));
    if (typeof manifest.icon === 'string' && !manifest.icon.startsWith('https://')) await cp(path.join(source, manifest.icon), path.join(appDir, manifest.icon));
    out.push(appDir);
  }
  return out;
}

async function measure(charts: string[]) {
  const full: number[] = [];
  const defaultsOnly: number[] = [];
  const lint: number[] = [];
  let errors = 0;
  let renders = 0;
  for (const chart of charts) {
    let t = performance.now();
    const report = await validate(chart);
    full.push(performance.now() - t);
    errors += report.summary.error;
    renders += report.valueSets.length;
    t = performance.now();
    await validate(chart, { defaultsOnly: true });
    defaultsOnly.push(performance.now() - t);
    t = performance.now();
    await runHelm(['lint', '--strict', chart]);
    lint.push(performance.now() - t);
  }
  const f = stats(full);
  const d = stats(defaultsOnly);
  const l = stats(lint);
  return {
    charts: charts.length,
    errorsFound: errors,
    meanHelmTemplateRendersPerChart: +(renders / charts.length).toFixed(2),
    validateFull: f,
    validateDefaultsOnly: d,
    helmLintStrict: l,
    ratioFullToHelmLint: +(f.meanMs / l.meanMs).toFixed(2),
    ratioDefaultsOnlyToHelmLint: +(d.meanMs / l.meanMs).toFixed(2),
  };
}

const bench: Bench = async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'nmaas-bench-validator-'));
  try {
    const examples = await exampleApps();
    const fixtures = ['sdk/fixtures/apps/full', 'sdk/fixtures/apps/minimal', 'charts-gen/fixtures/apps/every-field', 'charts-gen/fixtures/apps/long-name']
      .map((p) => path.join(root, p))
      .filter((p) => existsSync(path.join(p, 'nmaas.yaml')));
    // Charts are synthesised first (not timed): the figures are about checking a chart.
    const synth = async (apps: string[], out: string) => {
      const dirs: string[] = [];
      for (const app of apps) dirs.push((await synthesizeChart(app, out)).chartDir);
      return dirs;
    };
    const exampleCharts = await synth(examples, path.join(work, 'examples'));
    const generatedCharts = await synth(await generatedApps(path.join(work, 'apps'), [...examples, ...fixtures]), path.join(work, 'generated'));
    // Warm-up: module loading, JIT and helm's first start, not part of the figures.
    const warm = exampleCharts[0] ?? generatedCharts[0]!;
    await validate(warm);
    await runHelm(['lint', '--strict', warm]);

    return {
      helm: '3.17 (one process per chart; the validator runs helm template once per value set)',
      exampleCatalogue: { apps: examples.map((e) => path.basename(e)), ...(await measure(exampleCharts)) },
      generated: { sources: [...examples, ...fixtures].map((p) => path.relative(root, p)), ...(await measure(generatedCharts)) },
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
};

export default bench;
