/**
 * `catalogue build` against the real peer on the same 200 prepared charts, in one run:
 *   ours:  `nmaas catalogue build <200 dirs> -o <empty repo> --no-validate`, as a fresh process
 *          through the full `nmaas` CLI and through the catalogue's lean entry point
 *          (catalogue/dist/main.js, same command without loading the other packages), and the
 *          in-process buildRepository() (what `npm start` and a long-running service call);
 *   peer:  `helm package <200 dirs> -d <out>` + `helm repo index <out>`, helm 3.17 and 4.1.
 * Beside them, a bare `node -e 0`: the floor any fresh Node process pays before its first line.
 * Durability differs (ours flushes every file before publishing it, helm flushes nothing): stated
 * in the result as `durability`.
 * Validation is off on our side because helm package validates nothing either. The variants run
 * interleaved, ROUNDS times each, each into a fresh folder. Reported: median wall time and median
 * CPU time (user+sys, children included for processes): on a shared 2-core machine the wall time
 * swings with other load, CPU time much less. Ratios are helm / ours (>1: ours faster; target ≥2).
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRepository, writeSampleCharts } from '@nmaas/catalogue';
import { HELM_VERSIONS, resolveHelm } from '@nmaas/charts-gen';

const CHARTS = 200;
const ROUNDS = 7;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FULL_CLI = path.join(ROOT, 'cli', 'dist', 'main.js');
const LEAN_CLI = path.join(ROOT, 'catalogue', 'dist', 'main.js');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (ms) of this process's waited-for children (Linux /proc: cutime + cstime). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLK_TCK;
}

interface Sample {
  wallMs: number;
  cpuMs: number;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, maxBuffer: 64 * 1024 * 1024 }, (error, _out, stderr) =>
      error ? reject(new Error(`${file} ${args.slice(0, 3).join(' ')}…: ${error.message}\n${stderr}`)) : resolve(),
    );
  });
}

async function processes(commands: [string, string[]][], env: NodeJS.ProcessEnv): Promise<Sample> {
  const cpu0 = childrenCpuMs();
  const t0 = process.hrtime.bigint();
  for (const [file, args] of commands) await run(file, args, env);
  return { wallMs: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: childrenCpuMs() - cpu0 };
}

async function inProcess(fn: () => Promise<unknown>): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn();
  const cpu = process.cpuUsage(cpu0);
  return { wallMs: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function countTgz(dir: string): Promise<number> {
  return (await readdir(dir)).filter((f) => f.endsWith('.tgz')).length;
}

export default async function bench(): Promise<Record<string, unknown>> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'nmaas-bench-catalogue-'));
  try {
    const charts = await writeSampleCharts(path.join(work, 'charts'), CHARTS, { prefix: 'bench' });
    const env = {
      ...process.env,
      HELM_CONFIG_HOME: path.join(work, 'helm', 'config'),
      HELM_CACHE_HOME: path.join(work, 'helm', 'cache'),
      HELM_DATA_HOME: path.join(work, 'helm', 'data'),
    };
    let n = 0;
    const fresh = () => path.join(work, `out-${n++}`);
    const samples: Record<string, Sample[]> = {
      'node -e 0': [],
      'nmaas-cli': [],
      'catalogue-entry': [],
      'in-process': [],
      ...Object.fromEntries(HELM_VERSIONS.map((v) => [`helm-${v}`, []])),
    };
    const check = async (dir: string, who: string) => {
      if ((await countTgz(dir)) !== CHARTS) throw new Error(`${who} did not write every chart into ${dir}`);
    };
    for (let r = 0; r < ROUNDS; r++) {
      // Interleaved so that load from the rest of the machine hits every variant alike.
      samples['node -e 0']!.push(await processes([[process.execPath, ['-e', '0']]], env));
      for (const [key, cli] of [
        ['nmaas-cli', FULL_CLI],
        ['catalogue-entry', LEAN_CLI],
      ] as const) {
        const out = fresh();
        samples[key]!.push(
          await processes(
            [
              [
                process.execPath,
                [cli, 'catalogue', 'build', ...charts, '-o', out, '--no-validate', '--format', 'json'],
              ],
            ],
            env,
          ),
        );
        await check(out, key);
      }
      const lib = fresh();
      samples['in-process']!.push(
        await inProcess(() => buildRepository({ repoDir: lib, inputs: charts, validate: false })),
      );
      await check(lib, 'buildRepository');
      for (const v of HELM_VERSIONS) {
        const out = fresh();
        const bin = resolveHelm(v);
        samples[`helm-${v}`]!.push(
          await processes(
            [
              [bin, ['package', ...charts, '-d', out]],
              [bin, ['repo', 'index', out]],
            ],
            env,
          ),
        );
        await check(out, `helm ${v}`);
      }
    }
    const summary = (list: Sample[]) => ({
      wallMs: Math.round(median(list.map((s) => s.wallMs))),
      cpuMs: Math.round(median(list.map((s) => s.cpuMs))),
      runsWallMs: list.map((s) => Math.round(s.wallMs)),
    });
    const figures = Object.fromEntries(Object.entries(samples).map(([k, list]) => [k, summary(list)]));
    const ours = ['nmaas-cli', 'catalogue-entry', 'in-process'] as const;
    const ratios: Record<string, Record<string, { wall: number; cpu: number }>> = {};
    for (const v of HELM_VERSIONS) {
      const peer = figures[`helm-${v}`]!;
      ratios[`helm-${v}`] = Object.fromEntries(
        ours.map((o) => [
          o,
          {
            wall: Number((peer.wallMs / figures[o]!.wallMs).toFixed(2)),
            cpu: Number((peer.cpuMs / figures[o]!.cpuMs).toFixed(2)),
          },
        ]),
      );
    }
    // The headline is the command users run: `nmaas catalogue build` through the full CLI.
    const headline = Math.min(...HELM_VERSIONS.map((v) => ratios[`helm-${v}`]!['nmaas-cli']!.wall));
    return {
      charts: CHARTS,
      rounds: ROUNDS,
      loadAverage: os.loadavg().map((x) => Number(x.toFixed(1))),
      overBareNodeMs: Object.fromEntries(
        ['nmaas-cli', 'catalogue-entry'].map((k) => [k, figures[k]!.wallMs - figures['node -e 0']!.wallMs]),
      ),
      what: 'catalogue build (packages + index.yaml, no validation) vs helm package + helm repo index on the same 200 charts; fresh output folder each round; medians',
      // The two sides do not promise the same thing on a crash: the comparison is only honest with this said.
      durability: {
        ours:
          'every package and index.yaml is written to a temp file beside its target, all temps are flushed to disk ' +
          'before any rename (one syncfs of the file system through `sync --file-system`, else an fsync per file), ' +
          'then renamed into place with index.yaml last: a crash leaves the previous repository or the new one',
        helm:
          '`helm package` creates <name>-<version>.tgz in place (os.Create, no fsync; removed only on a tar error: ' +
          'pkg/chartutil/save.go Save in helm 3, pkg/chart/v2/util/save.go in helm 4); `helm repo index` writes ' +
          'index.yaml to a temp file renamed into place, no fsync (internal/fileutil/fileutil.go AtomicWriteFile, ' +
          'helm 3 and 4): a crash can leave a truncated package, and nothing written is known to be on disk',
      },
      ...figures,
      ratios,
      ratio: headline,
      ratioMeaning:
        'wall-time ratio helm / `nmaas catalogue build` as a fresh process (full CLI) against the faster helm; target ≥ 2',
      targetMet: headline >= 2,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
