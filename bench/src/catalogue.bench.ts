/**
 * `catalogue build` against the real peer on the same 200 prepared charts, in one run:
 *   ours:   `nmaas catalogue build <200 dirs> -o <empty repo> --no-validate` (a fresh process, so
 *           Node start-up is included) and, separately, the in-process buildRepository();
 *   helm:   `helm package <200 dirs> -d <out>` + `helm repo index <out>`, for helm 3.17 and 4.1.
 * Validation is off on our side because helm package validates nothing either. Each variant runs
 * `ROUNDS` times into a fresh folder; the median wall time is reported with the ratio
 * helm / ours (>1 means ours is faster; the target is ≥2).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRepository, writeSampleCharts } from '@nmaas/catalogue';
import { HELM_VERSIONS, resolveHelm, runHelm } from '@nmaas/charts-gen';

const CHARTS = 200;
const ROUNDS = 5;
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'dist', 'main.js');

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function node(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 }, (error, _out, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve()));
  });
}

export default async function bench(): Promise<Record<string, unknown>> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'nmaas-bench-catalogue-'));
  try {
    const charts = await writeSampleCharts(path.join(work, 'charts'), CHARTS, { prefix: 'bench' });
    const helmEnv = { ...process.env, HELM_CONFIG_HOME: path.join(work, 'helm', 'config'), HELM_CACHE_HOME: path.join(work, 'helm', 'cache'), HELM_DATA_HOME: path.join(work, 'helm', 'data') };
    let round = 0;
    const fresh = () => path.join(work, `out-${round++}`);

    const ours = { cliMs: [] as number[], inProcessMs: [] as number[] };
    const helm: Record<string, number[]> = Object.fromEntries(HELM_VERSIONS.map((v) => [v, []]));
    // Interleave the variants so that machine noise (2 shared cores) hits them alike.
    for (let r = 0; r < ROUNDS; r++) {
      const cliRepo = fresh();
      ours.cliMs.push(await timed(() => node([CLI, 'catalogue', 'build', ...charts, '-o', cliRepo, '--no-validate', '--format', 'json'])));
      if ((await readdir(cliRepo)).filter((f) => f.endsWith('.tgz')).length !== CHARTS) throw new Error('catalogue build did not write every chart');
      const libRepo = fresh();
      ours.inProcessMs.push(await timed(() => buildRepository({ repoDir: libRepo, inputs: charts, validate: false })));
      for (const v of HELM_VERSIONS) {
        const out = fresh();
        helm[v]!.push(
          await timed(async () => {
            await runHelm(['package', ...charts, '-d', out], { version: v, env: helmEnv });
            await runHelm(['repo', 'index', out], { version: v, env: helmEnv });
          }),
        );
        if ((await readdir(out)).filter((f) => f.endsWith('.tgz')).length !== CHARTS) throw new Error(`helm ${v} did not package every chart`);
      }
    }
    const oursCli = median(ours.cliMs);
    const oursLib = median(ours.inProcessMs);
    const peers = Object.fromEntries(
      HELM_VERSIONS.map((v) => {
        const ms = median(helm[v]!);
        return [`helm-${v}`, { bin: resolveHelm(v), medianMs: Math.round(ms), runsMs: helm[v]!.map(Math.round), ratioVsCatalogueCli: Number((ms / oursCli).toFixed(2)), ratioVsCatalogueInProcess: Number((ms / oursLib).toFixed(2)) }];
      }),
    );
    const slowestRatio = Math.min(...HELM_VERSIONS.map((v) => median(helm[v]!) / oursCli));
    return {
      charts: CHARTS,
      rounds: ROUNDS,
      what: 'catalogue build (packages + index.yaml, no validation) vs helm package + helm repo index, same 200 charts, fresh output folder each round; medians',
      catalogueCli: { medianMs: Math.round(oursCli), runsMs: ours.cliMs.map(Math.round) },
      catalogueInProcess: { medianMs: Math.round(oursLib), runsMs: ours.inProcessMs.map(Math.round) },
      ...peers,
      ratio: Number(slowestRatio.toFixed(2)),
      ratioMeaning: 'helm time / catalogue CLI time for the faster helm; target ≥ 2',
      targetMet: slowestRatio >= 2,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
