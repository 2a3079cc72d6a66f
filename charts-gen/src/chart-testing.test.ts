/**
 * What `ct lint` (helm/chart-testing, a Go tool packaged neither by Debian nor npm) checks with its
 * default configuration, reproduced with the real tools it drives: yamllint with ct's lintconf on
 * Chart.yaml, values.yaml and ci/*-values.yaml; Chart.yaml against ct's chart_schema.yaml (yamale,
 * restated below); `helm lint --strict` once per ci/ value set. Version-increment and maintainer
 * account checks need a git remote and GitHub, so they are not reproduced. Batched: one yamllint
 * run for every chart, one helm process per value set and helm version.
 */
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
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
