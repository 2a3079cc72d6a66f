/**
 * The corpus: one bad submission per rule (archive rules: archive-attacks.test.ts). Each must
 * yield its expected rule ids, and nothing beyond the base chart's own findings.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { validate } from './engine.js';
import { RULES } from './rules/index.js';
import type { Finding } from './types.js';
import { BASE_CHART, buildCase, loadCases, tempDir } from './testing/index.js';
import { rm } from 'node:fs/promises';

const cases = await loadCases();
const key = (f: Finding) => [f.ruleId, f.object ?? '', f.container ?? '', f.message].join('|');

let work: string;
let baseKeys: Set<string>;

beforeAll(async () => {
  work = await tempDir();
  // The base chart's own findings (notes and warnings, never errors) at the defaults and at the bounds.
  const base = [
    ...(await validate(BASE_CHART, { defaultsOnly: true })).findings,
    ...(await validate(BASE_CHART)).findings,
  ];
  expect(base.filter((f) => f.severity === 'error')).toEqual([]);
  baseKeys = new Set(base.map(key));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('corpus', () => {
  it('has a bad submission for every chart and object rule', () => {
    const covered = new Set(cases.flatMap((c) => c.expect));
    const missing = RULES.filter((r) => r.meta.scope !== 'archive' && !covered.has(r.meta.id)).map((r) => r.meta.id);
    expect(missing).toEqual([]);
    for (const r of RULES.filter((x) => x.meta.scope !== 'archive'))
      expect(cases.some((c) => c.id === r.meta.id || c.expect[0] === r.meta.id)).toBe(true);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (id, c) => {
    const root = path.join(work, id);
    const dir = await buildCase(c, root);
    let catalogue: string | undefined;
    if (c.catalogue) {
      catalogue = path.join(root, 'index.yaml');
      await writeFile(
        catalogue,
        stringify({
          apiVersion: 'v1',
          entries: { 'web-qos-full': c.catalogue.map((v) => ({ name: 'web-qos-full', version: v })) },
        }),
      );
    }
    const report = await validate(dir, { defaultsOnly: c.bounds !== true, ...(catalogue ? { catalogue } : {}) });
    const fresh = report.findings.filter((f) => !baseKeys.has(key(f)));
    // A benign twin (`expect: []`) may add notes but no warning or error.
    if (c.expect.length === 0) {
      expect(fresh.filter((f) => f.severity !== 'info').map((f) => `${f.ruleId}: ${f.message}`)).toEqual([]);
      return;
    }
    const ids = [...new Set(fresh.map((f) => f.ruleId))].sort();
    expect(ids, fresh.map((f) => `${f.ruleId}: ${f.message}`).join('\n')).toEqual([...c.expect].sort());
    // The case's own rule reports at its full severity (not a downgraded note), unless the case
    // shows a combination the rule accepts: then at the case's severity, and nothing is an error.
    const primary = RULES.find((r) => r.meta.id === c.expect[0])!;
    const severity = c.severity ?? primary.meta.severity;
    expect(fresh.some((f) => f.ruleId === primary.meta.id && f.severity === severity)).toBe(true);
    if (severity === 'info')
      expect(fresh.filter((f) => f.severity === 'error').map((f) => `${f.ruleId}: ${f.message}`)).toEqual([]);
  });
});
