/**
 * charts-gen: synthesis of 100 apps (nmaas.yaml → complete Helm chart on disk), compared with the
 * time real helm takes to `lint --strict` and `package` the same charts (helm 3.17, one process
 * per chart, as a CI job or the catalogue build would run it).
 */
import { mkdtemp, mkdir, readFile, rm, writeFile, cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parse, stringify } from 'yaml';
import { loadApp } from '@nmaas/sdk/model';
import { chartFiles, runHelm, synthesizeChart } from '@nmaas/charts-gen';
import type { Bench } from './index.js';

const APPS = 100;
const HELM_SAMPLE = 20;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCES = [
  'sdk/fixtures/apps/full',
  'sdk/fixtures/apps/minimal',
  'charts-gen/fixtures/apps/every-field',
  'charts-gen/fixtures/apps/long-name',
];

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  const sum = samples.reduce((a, b) => a + b, 0);
  return {
    n: samples.length,
    meanMs: +(sum / samples.length).toFixed(2),
    p50Ms: +q(0.5).toFixed(2),
    p95Ms: +q(0.95).toFixed(2),
    maxMs: +sorted[sorted.length - 1]!.toFixed(2),
    totalMs: +sum.toFixed(1),
  };
}

/** 100 distinct app folders: the fixtures under new names and versions. */
async function makeApps(dir: string): Promise<string[]> {
  const dirs: string[] = [];
  for (let i = 0; i < APPS; i++) {
    const source = path.join(root, SOURCES[i % SOURCES.length]!);
    const manifest = parse(await readFile(path.join(source, 'nmaas.yaml'), 'utf8')) as Record<string, unknown>;
    manifest.name = `bench-app-${String(i).padStart(3, '0')}`;
    manifest.version = `1.${i}.0`;
    const appDir = path.join(dir, manifest.name as string);
    await mkdir(appDir, { recursive: true });
    await writeFile(path.join(appDir, 'nmaas.yaml'), stringify(manifest));
    if (typeof manifest.icon === 'string' && !manifest.icon.startsWith('https://'))
      await cp(path.join(source, manifest.icon), path.join(appDir, manifest.icon));
    dirs.push(appDir);
  }
  return dirs;
}

const bench: Bench = async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'nmaas-bench-charts-'));
  try {
    const appDirs = await makeApps(path.join(work, 'apps'));
    // Warm-up: module loading and JIT, not part of the figures.
    await synthesizeChart(appDirs[0]!, path.join(work, 'warmup'));

    const loaded = await Promise.all(appDirs.map((d) => loadApp(d)));
    const inMemory: number[] = [];
    for (const app of loaded) {
      const t = performance.now();
      await chartFiles(app);
      inMemory.push(performance.now() - t);
    }

    const toDisk: number[] = [];
    const charts: string[] = [];
    const started = performance.now();
    for (const dir of appDirs) {
      const t = performance.now();
      const { chartDir } = await synthesizeChart(dir, path.join(work, 'charts'));
      toDisk.push(performance.now() - t);
      charts.push(chartDir);
    }
    const wallMs = performance.now() - started;

    const lint: number[] = [];
    const pack: number[] = [];
    const sample = charts.filter((_, i) => i % Math.ceil(APPS / HELM_SAMPLE) === 0).slice(0, HELM_SAMPLE);
    for (const chart of sample) {
      let t = performance.now();
      await runHelm(['lint', '--strict', chart], { version: '3.17' });
      lint.push(performance.now() - t);
      t = performance.now();
      await runHelm(['package', chart, '--destination', path.join(work, 'packages')], { version: '3.17' });
      pack.push(performance.now() - t);
    }
    const synth = stats(toDisk);
    const lintStats = stats(lint);
    const packStats = stats(pack);
    return {
      apps: APPS,
      sources: SOURCES,
      synthesizeChart: { ...synth, wallMs: +wallMs.toFixed(1), chartsPerSecond: +((APPS * 1000) / wallMs).toFixed(1) },
      chartFilesInMemory: stats(inMemory),
      helmLintStrict317: lintStats,
      helmPackage317: packStats,
      ratios: {
        synthesizeMeanOverHelmLintMean: +(synth.meanMs / lintStats.meanMs).toFixed(3),
        synthesizeMeanOverHelmPackageMean: +(synth.meanMs / packStats.meanMs).toFixed(3),
      },
      note: `helm figures on ${sample.length} of the ${APPS} charts (one helm process per chart, helm 3.17)`,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
};

export default bench;
