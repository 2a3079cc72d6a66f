/**
 * Agreement with Kubernetes' own Pod Security admission: every official PSS fixture (v1.37, in
 * ../shared/corpus/pod-security-admission) is wrapped in a chart and rendered by real helm, many
 * fixtures per chart (one render per level and outcome). Every `fail/` pod must be refused at its
 * level, every `pass/` pod must raise no PSS finding at its level, except the documented,
 * deliberate differences below.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { validate } from './engine.js';
import { RULES } from './rules/index.js';
import type { Finding, PssLevel } from './types.js';
import { REPO, tempDir } from './testing/index.js';

const CORPUS = path.resolve(REPO, '../shared/corpus/pod-security-admission');
const VERSION = 'v1.37';
const LEVELS: PssLevel[] = ['baseline', 'restricted'];
const OUTCOMES = ['pass', 'fail'] as const;

/**
 * Fixtures where the validator deliberately refuses what PSA allows (NMaaS runs apps on nodes
 * that other people own, so it is stricter): fixture → why.
 */
const STRICTER: Record<string, string> = {
  'restricted/base_windows.yaml':
    'os.name: windows exempts a pod from the Linux-only controls in PSA; NMaaS nodes run Linux and the field is a hint the chart sets, so it exempts nothing here',
};

const pssRules = RULES.filter((r) => r.meta.pss !== undefined);
const levelOf = new Map(pssRules.map((r) => [r.meta.id, r.meta.pss!]));

interface Wrapped {
  level: PssLevel;
  outcome: (typeof OUTCOMES)[number];
  fixture: string;
  findings: Finding[];
}

let work: string;
const results: Wrapped[] = [];

beforeAll(async () => {
  // CI lays shared/ beside the clone: a missing corpus is a failure, not a skip.
  work = await tempDir('nmaas-pss-fixtures-');
  for (const level of LEVELS) {
    for (const outcome of OUTCOMES) {
      const dir = path.join(CORPUS, level, VERSION, outcome);
      const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
      const name = `pss-${level}-${outcome}`;
      const chart = path.join(work, name);
      await mkdir(path.join(chart, 'templates'), { recursive: true });
      await writeFile(
        path.join(chart, 'Chart.yaml'),
        stringify({ apiVersion: 'v2', name, version: '0.1.0', kubeVersion: '>= 1.25.0-0' }),
      );
      const byName = new Map<string, string>();
      for (const file of files) {
        const pod = parse(await readFile(path.join(dir, file), 'utf8')) as { metadata: { name: string } };
        // One object name per fixture, so that each finding points back at its fixture.
        pod.metadata.name = file.replace(/\.yaml$/, '').replace(/_/g, '-');
        byName.set(`Pod/${pod.metadata.name}`, file);
        // Helm must not read the fixture as a template: it holds no template actions, and any `{{` would be escaped.
        await writeFile(path.join(chart, 'templates', file), stringify(pod).replace(/\{\{/g, '{{ "{{" }}'));
      }
      const report = await validate(chart, { defaultsOnly: true, rules: pssRules });
      for (const file of files)
        results.push({
          level,
          outcome,
          fixture: file,
          findings: report.findings.filter((f) => byName.get(f.object ?? '') === file),
        });
      expect(report.valueSets).toEqual(['defaults']);
    }
  }
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const atLevel = (findings: Finding[], level: PssLevel) =>
  findings.filter((f) => f.severity !== 'info' && (level === 'restricted' || levelOf.get(f.ruleId) === 'baseline'));

describe('Pod Security Standards fixtures (Kubernetes v1.37)', () => {
  it('wraps every fixture', () => {
    expect(results.length).toBeGreaterThan(100);
  });

  it('refuses every fail/ pod at its level', () => {
    const missed = results
      .filter((r) => r.outcome === 'fail' && atLevel(r.findings, r.level).length === 0)
      .map((r) => `${r.level}/${r.fixture}`);
    expect(missed).toEqual([]);
  });

  it('raises no PSS finding on a pass/ pod at its level, apart from the documented differences', () => {
    const refused = results
      .filter(
        (r) =>
          r.outcome === 'pass' &&
          STRICTER[`${r.level}/${r.fixture}`] === undefined &&
          atLevel(r.findings, r.level).length > 0,
      )
      .map(
        (r) =>
          `${r.level}/${r.fixture}: ${atLevel(r.findings, r.level)
            .map((f) => `${f.ruleId} ${f.message}`)
            .join('; ')}`,
      );
    expect(refused).toEqual([]);
  });

  it('every documented difference still holds (otherwise remove it)', () => {
    for (const key of Object.keys(STRICTER)) {
      const [level, fixture] = key.split('/') as [PssLevel, string];
      const r = results.find((x) => x.level === level && x.fixture === fixture && x.outcome === 'pass');
      expect(r, key).toBeDefined();
      expect(atLevel(r!.findings, level).length, key).toBeGreaterThan(0);
    }
  });
});
