/**
 * A good app stays quiet: every example app, the SDK's fixture apps, and the base chart as a
 * real `helm package` archive pass with no error (notes and warnings are allowed).
 */
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHelm } from '@nmaas/charts-gen';
import { validate } from './engine.js';
import { BASE_CHART, REPO, tempDir } from './test-support.js';

const examples = existsSync(path.join(REPO, 'examples'))
  ? readdirSync(path.join(REPO, 'examples'))
      .filter((d) => existsSync(path.join(REPO, 'examples', d, 'nmaas.yaml')))
      .map((d) => path.join('examples', d))
  : [];
const apps = [...examples, 'sdk/fixtures/apps/full', 'sdk/fixtures/apps/minimal'];
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('good submissions pass with no error', () => {
  it.each(apps)('%s (app folder, defaults and form bounds)', async (app) => {
    const report = await validate(path.join(REPO, app));
    expect(report.kind).toBe('app');
    expect(report.valueSets).toContain('defaults');
    expect(report.valueSets.length).toBeGreaterThan(1);
    const errors = report.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => `${f.ruleId} ${f.object ?? ''} ${f.message}`)).toEqual([]);
  });

  it('a chart packaged by real helm passes as a .tgz', async () => {
    const out = await tempDir();
    dirs.push(out);
    await runHelm(['package', BASE_CHART, '-d', out]);
    const report = await validate(path.join(out, 'web-qos-full-1.2.0.tgz'), { defaultsOnly: true });
    expect(report.kind).toBe('archive');
    expect(report.rejectedBeforeUnpack).toBe(false);
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    // Objects were rendered and checked: the declared capability shows up as a note.
    expect(report.findings.some((f) => f.ruleId === 'NMAAS-PSS-CAPABILITIES-BASELINE' && f.severity === 'info')).toBe(true);
  });
});
