/**
 * A good app stays quiet: every example app, the SDK's fixture apps, and the base chart as a
 * real `helm package` archive pass with no error (the apps with no warning either; notes are allowed).
 */
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHelm } from '@nmaas/charts-gen';
import { validate } from './engine.js';
import { BASE_CHART, REPO, tempDir } from './testing/index.js';

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
    // No error, and no warning either: the catalogue build refuses warnings unless told otherwise.
    const blocking = report.findings.filter((f) => f.severity !== 'info');
    expect(blocking.map((f) => `${f.severity} ${f.ruleId} ${f.object ?? ''} ${f.message}`)).toEqual([]);
    // Every value set at the form bounds renders (the bounds keep the schedule consistent).
    expect(report.findings.filter((f) => f.ruleId === 'NMAAS-CHART-RENDER').map((f) => f.message)).toEqual([]);
    // Bounds, switches off, the middle of the ranges, and the defaults as an upgrade and on the oldest and newest Kubernetes.
    for (const set of [
      'defaults',
      'lower-bounds',
      'upper-bounds',
      'switches-off',
      'middle-values',
      'install:upgrade',
      'install:kube-1.25.0',
      'install:kube-1.35.0',
    ]) {
      expect(report.valueSets).toContain(set);
    }
    expect(report.renderCount).toBeLessThanOrEqual(20);
    // The pods are isolated at the defaults: a missing NetworkPolicy is only ever a user's choice in the form.
    expect(
      report.findings.filter((f) => f.ruleId === 'NMAAS-NETWORK-POLICY' && f.valueSets?.includes('defaults')),
    ).toEqual([]);
  });

  it("accepts privilege escalation for ip-spoofing-detection's declared NET_RAW as a note with its justification", async () => {
    const report = await validate(path.join(REPO, 'examples', 'ip-spoofing-detection'), { defaultsOnly: true });
    const notes = report.findings.filter((f) => f.ruleId === 'NMAAS-PSS-PRIVILEGE-ESCALATION');
    expect(notes.map((f) => f.severity)).toEqual(['info']);
    expect(notes[0]!.container).toBe('ip-spoofing-detection');
    expect(notes[0]!.message).toContain('NET_RAW: The sender role must emit UDP packets');
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
    expect(report.findings.some((f) => f.ruleId === 'NMAAS-PSS-CAPABILITIES-BASELINE' && f.severity === 'info')).toBe(
      true,
    );
  });
});
