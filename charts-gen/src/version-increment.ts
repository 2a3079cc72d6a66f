/**
 * chart-testing's version-increment check (`ct lint --check-version-increment`, on by default),
 * done the way ct does it (helm/chart-testing, commit 530f60a2):
 * - changed charts (pkg/chart/chart.go `ComputeChangedChartDirectories`, lines 743-801): the merge
 *   base of `<remote>/<target-branch>` and `since` (HEAD), then `git diff --find-renames
 *   --name-only <merge base> -- <chart dirs>` (pkg/tool/git.go `ListChangedFilesInDirs`); each
 *   file belongs to the nearest folder above it that holds a Chart.yaml and sits directly in a
 *   chart dir (pkg/util/util.go `LookupChartDir`); files outside any chart are skipped;
 * - the old version is Chart.yaml's on the target branch (`git show <remote>/<branch>:<chart>/Chart.yaml`,
 *   `GetOldChartVersion`); no such file is a new chart, which passes;
 * - otherwise the new version must be greater by SemVer precedence (`CheckVersionIncrement`,
 *   lines 825-854, `util.CompareVersions`): equal (build metadata aside) or lower fails with
 *   "chart version not ok. Needs a version bump!".
 * ct's `.helmignore` filtering of changed files is off by default and not reproduced.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import semverCompare from 'semver/functions/compare.js';
import semverParse from 'semver/functions/parse.js';
import { parse } from 'yaml';

const run = promisify(execFile);

export interface VersionIncrementOptions {
  /** The git work tree. */
  repoDir: string;
  /** ct's `--chart-dirs` (default `charts`), relative to repoDir. */
  chartDirs?: string[];
  /** ct's `--remote` (default origin) and `--target-branch` (default main). */
  remote?: string;
  targetBranch?: string;
  /** ct's `--since` (default HEAD). */
  since?: string;
}

export interface VersionCheck {
  /** The chart folder, relative to repoDir (e.g. `charts/web-qos`). */
  chart: string;
  /** Chart.yaml's version on the target branch; undefined for a new chart. */
  oldVersion?: string;
  newVersion: string;
  ok: boolean;
  message: string;
}

async function git(repoDir: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd: repoDir, maxBuffer: 16 << 20 });
    return stdout.trim();
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`git ${args.join(' ')} failed in ${repoDir}: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** The chart folder a changed file belongs to, as ct's LookupChartDir finds it, or null. */
function chartOf(repoDir: string, chartDirs: string[], file: string): string | null {
  for (const raw of chartDirs) {
    const chartDir = raw.replace(/\/+$/, '');
    let current = path.posix.dirname(file);
    for (;;) {
      if (path.posix.dirname(current) === chartDir && existsSync(path.join(repoDir, current, 'Chart.yaml')))
        return current;
      current = path.posix.dirname(current);
      const relative = path.posix.relative(chartDir, current);
      if (relative === '' || relative.startsWith('..')) break;
    }
  }
  return null;
}

function versionOf(chartYaml: string, where: string): string {
  const version = (parse(chartYaml) as { version?: unknown } | null)?.version;
  if (typeof version !== 'string' && typeof version !== 'number') throw new Error(`${where}: no version`);
  return String(version);
}

function semver(version: string, where: string) {
  const parsed = semverParse(version, { loose: true });
  if (parsed === null) throw new Error(`${where}: failed parsing semantic version ${JSON.stringify(version)}`);
  return parsed;
}

/** The charts changed since the target branch, sorted. */
export async function changedCharts(options: VersionIncrementOptions): Promise<string[]> {
  const { repoDir, chartDirs = ['charts'], remote = 'origin', targetBranch = 'main', since = 'HEAD' } = options;
  const branch = `${remote}/${targetBranch}`;
  await git(repoDir, ['rev-parse', '--is-inside-work-tree']);
  await git(repoDir, ['rev-parse', '--verify', branch]).catch(() => {
    throw new Error(`targetBranch '${branch}' does not exist in ${repoDir}`);
  });
  const mergeBase = await git(repoDir, ['merge-base', branch, since]);
  const files = await git(repoDir, ['diff', '--find-renames', '--name-only', mergeBase, '--', ...chartDirs]);
  const charts = new Set<string>();
  for (const file of files === '' ? [] : files.split('\n')) {
    const chart = chartOf(repoDir, chartDirs, file);
    if (chart !== null) charts.add(chart);
  }
  return [...charts].sort();
}

/** ct's version-increment verdict for every changed chart. */
export async function checkVersionIncrement(options: VersionIncrementOptions): Promise<VersionCheck[]> {
  const { repoDir, remote = 'origin', targetBranch = 'main' } = options;
  const out: VersionCheck[] = [];
  for (const chart of await changedCharts(options)) {
    // The work tree's Chart.yaml, as ct reads it (the diff above also compares with the work tree).
    const newVersion = versionOf(
      await readFile(path.join(repoDir, chart, 'Chart.yaml'), 'utf8'),
      `${chart}/Chart.yaml`,
    );
    const spec = `${remote}/${targetBranch}:${chart}/Chart.yaml`;
    const old = await git(repoDir, ['show', spec]).catch(() => null);
    if (old === null) {
      out.push({ chart, newVersion, ok: true, message: `new chart (no ${spec})` });
      continue;
    }
    const oldVersion = versionOf(old, spec);
    const ok = semverCompare(semver(oldVersion, spec), semver(newVersion, chart)) < 0;
    out.push({
      chart,
      oldVersion,
      newVersion,
      ok,
      message: ok
        ? `version ${oldVersion} → ${newVersion}`
        : `chart version not ok. Needs a version bump! (${oldVersion} on ${remote}/${targetBranch}, ${newVersion} here)`,
    });
  }
  return out;
}
