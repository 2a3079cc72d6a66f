/**
 * What `ct lint` (helm/chart-testing, a Go tool packaged neither by Debian nor npm) checks with its
 * default configuration, reproduced with the real tools it drives: yamllint with ct's lintconf on
 * Chart.yaml, values.yaml and ci/*-values.yaml; Chart.yaml against ct's chart_schema.yaml (yamale,
 * restated below); `helm lint --strict` once per ci/ value set; the version-increment check
 * (version-increment.ts) against a real git repository with a target branch. The maintainer
 * account check needs GitHub, so it is not reproduced. Batched: one yamllint run for every chart,
 * one helm process per value set and helm version.
 */
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool } from '@nmaas/sdk/testing';
import { synthesizeChart } from './synthesize.js';
import { HELM_VERSIONS, runHelm } from './helm.js';
import { REPO_ROOT } from './testing/chart.js';
import { chartSchemaProblems } from './chart-schema.js';
import { checkVersionIncrement } from './version-increment.js';

const run = promisify(execFile);
const LINTCONF = path.join(REPO_ROOT, 'charts-gen/fixtures/chart-testing/lintconf.yaml');

let out: string;
const charts: string[] = [];

beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'nmaas-ct-'));
  const examples = path.join(REPO_ROOT, 'examples');
  for (const name of readdirSync(examples).sort()) {
    if (name === 'README.md') continue;
    charts.push((await synthesizeChart(path.join(examples, name), out)).chartDir);
  }
}, 120_000);

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe('ct lint, default rules', () => {
  const yamllint = tool('yamllint', 'apt-get install yamllint');

  it('every chart carries ci/*-values.yaml value sets and a Chart.yaml that passes chart_schema.yaml', async () => {
    expect(charts).toHaveLength(5);
    for (const dir of charts) {
      expect(readdirSync(path.join(dir, 'ci')).sort(), dir).toEqual(['default-values.yaml', 'rancher-values.yaml']);
      const chart = parse(await readFile(path.join(dir, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
      expect(chartSchemaProblems(chart), dir).toEqual([]);
    }
  });

  it.skipIf(yamllint.skip)(
    'yamllint with ct lintconf passes Chart.yaml, values.yaml and the ci value sets',
    async () => {
      const files = charts.flatMap((dir) =>
        ['Chart.yaml', 'values.yaml', 'ci/default-values.yaml', 'ci/rancher-values.yaml'].map((f) => path.join(dir, f)),
      );
      const result = await run(yamllint.path(), ['--strict', '-f', 'parsable', '-c', LINTCONF, ...files]).catch(
        (error: { stdout: string }) => error,
      );
      expect(result.stdout).toBe('');
    },
  );

  it.each(HELM_VERSIONS)(
    'helm %s lint --strict passes with each ci value set',
    async (version) => {
      for (const set of ['default-values.yaml', 'rancher-values.yaml']) {
        // The ci files are the same for every app chart: one helm process lints all five with one set.
        const { stdout } = await runHelm(['lint', '--strict', ...charts, '-f', path.join(charts[0]!, 'ci', set)], {
          version,
        });
        expect(stdout).toMatch(/5 chart\(s\) linted, 0 chart\(s\) failed/);
      }
    },
    120_000,
  );
});

describe('ct lint --check-version-increment, in a git repository', () => {
  const git = tool('git', 'apt-get install git');

  it.skipIf(git.skip)(
    'a chart changed on a branch fails until its version goes up; new charts and other files pass',
    async () => {
      const repo = await mkdtemp(path.join(os.tmpdir(), 'nmaas-ct-git-'));
      try {
        const sh = (...args: string[]) =>
          run(
            git.path(),
            ['-c', 'user.name=ct', '-c', 'user.email=ct@localhost', '-c', 'commit.gpgsign=false', ...args],
            {
              cwd: repo,
            },
          );
        const app = path.join(REPO_ROOT, 'examples', 'web-qos');
        const chartsDir = path.join(repo, 'charts');
        await sh('init', '-q', '-b', 'main');
        await synthesizeChart(app, chartsDir);
        await writeFile(path.join(repo, 'README.md'), 'charts\n');
        await sh('add', '-A');
        await sh('commit', '-q', '-m', 'web-qos 0.1.0');
        // The target branch as ct sees it: <remote>/<branch>.
        await sh('update-ref', 'refs/remotes/origin/main', 'main');
        await sh('checkout', '-q', '-b', 'change');
        const verdicts = async () =>
          (await checkVersionIncrement({ repoDir: repo })).map((c) => `${c.chart} ${c.ok ? 'ok' : 'bump'}`);

        // Nothing changed under charts/ (a README edit is outside every chart): nothing to check.
        await writeFile(path.join(repo, 'README.md'), 'charts, edited\n');
        expect(await verdicts()).toEqual([]);

        // A generator change rewrites a template; the same chart version is refused.
        const deployment = path.join(chartsDir, 'web-qos', 'templates', 'deployment.yaml');
        await writeFile(deployment, `${await readFile(deployment, 'utf8')}# regenerated\n`);
        const refused = await checkVersionIncrement({ repoDir: repo });
        expect(refused).toEqual([
          expect.objectContaining({ chart: 'charts/web-qos', oldVersion: '0.1.0', newVersion: '0.1.0', ok: false }),
        ]);
        expect(refused[0]!.message).toMatch(/Needs a version bump/);

        // Regenerated with its own chart version (the app's stays 0.1.0): passes, committed or not.
        await rm(path.join(chartsDir, 'web-qos'), { recursive: true });
        await synthesizeChart(app, chartsDir, { chartVersion: '0.1.1' });
        await writeFile(deployment, `${await readFile(deployment, 'utf8')}# regenerated\n`);
        expect(await verdicts()).toEqual(['charts/web-qos ok']);
        await sh('commit', '-q', '-am', 'web-qos chart 0.1.1');
        expect(await verdicts()).toEqual(['charts/web-qos ok']);
        const chart = parse(await readFile(path.join(chartsDir, 'web-qos', 'Chart.yaml'), 'utf8')) as {
          version: string;
          appVersion: string;
        };
        expect(chart).toMatchObject({ version: '0.1.1', appVersion: '0.1.0' });

        // SemVer precedence, as ct compares: build metadata is no bump, a lower version fails,
        // a pre-release of the next patch passes.
        const chartYaml = path.join(chartsDir, 'web-qos', 'Chart.yaml');
        const text = await readFile(chartYaml, 'utf8');
        for (const [version, ok] of [
          ['0.1.0+build.7', false],
          ['0.0.9', false],
          ['0.1.1-rc.1', true],
        ] as const) {
          await writeFile(chartYaml, text.replace(/^version: .*$/m, `version: ${version}`));
          expect((await checkVersionIncrement({ repoDir: repo }))[0], version).toMatchObject({ ok });
        }
        await writeFile(chartYaml, text);

        // A chart the target branch does not have is new: no version to beat.
        await synthesizeChart(path.join(REPO_ROOT, 'examples', 'web-cartography'), chartsDir);
        // git diff (so ct) sees committed and staged files only, as in a pull request.
        await sh('add', '-A');
        expect(await verdicts()).toEqual(['charts/web-cartography ok', 'charts/web-qos ok']);
        expect((await checkVersionIncrement({ repoDir: repo }))[0]!.message).toMatch(/new chart/);
      } finally {
        await rm(repo, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
