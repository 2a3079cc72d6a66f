/**
 * The validator's corpus of bad submissions, rendered with real helm and put through admission
 * (the nmaas-* policies by CEL, Pod Security at the namespace's enforce level): every workload the
 * validator refuses for a rule that admission can see is denied; every chart it accepts (the base
 * chart at its defaults and bounds, the five example apps) is admitted.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadApp, parseManifest, type AppManifest } from '@nmaas/sdk/model';
import { HelmError, runHelm, synthesizeChart } from '@nmaas/charts-gen';
import { DEFAULT_ALLOWED_REGISTRIES, RULES, boundValueSets, decodeRendered, validate } from '@nmaas/validator';
import { BASE_CHART, REPO, buildCase, loadCases, tempDir, type CorpusCase } from '@nmaas/validator/testing';
import { admitPod } from './admission.js';
import { ADMISSION_RULES } from './policies.js';
import { pssRules } from './pod-security.js';
import { DEFAULT_NAMESPACES } from './chart.js';
import { admissionParameters } from './parameters.js';
import { podFromWorkload, type Json } from './testing/workload-pod.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const plan = DEFAULT_NAMESPACES;

/**
 * Object rules that stay with the review: they judge objects other than pods (Secrets, RBAC,
 * Services, NetworkPolicies, ServiceMonitors, cluster-scoped kinds) or ask for a judgement CEL
 * cannot make on a pod alone. Chart and archive rules are review-only by nature.
 */
const REVIEW_ONLY = new Set([
  'NMAAS-SECRET-OBJECT',
  'NMAAS-SECRET-LITERAL',
  'NMAAS-RBAC-SCOPE',
  'NMAAS-RBAC-WILDCARD',
  'NMAAS-CLUSTER-SCOPED',
  'NMAAS-FOREIGN-NAMESPACE',
  'NMAAS-READONLY-ROOT-FS',
  'NMAAS-SERVICE-EXPOSED',
  'NMAAS-NETWORK-POLICY',
  'NMAAS-METRICS-ENDPOINT',
  'NMAAS-RBAC-DANGEROUS',
  'NMAAS-RBAC-ANONYMOUS',
  'NMAAS-NETWORK-POLICY-OPEN',
  'NMAAS-INGRESS',
  'NMAAS-NODE-STORAGE',
  // The API server's schema validation refuses a string where a boolean belongs before any policy runs.
  'NMAAS-SECURITY-FIELD-TYPE',
  // A digest that names no built image cannot be pulled: the pod never runs, it does not harm the node.
  'NMAAS-IMAGE-PLACEHOLDER',
]);

/**
 * Review rules whose control admission enforces under another rule's name: one policy covers both
 * (the token policy refuses projected service-account tokens as well as the mounted one; the
 * contract policy refuses nodeName, catch-all tolerations and system priority classes).
 */
const SAME_CONTROL: Record<string, string> = {
  'NMAAS-PROJECTED-TOKEN': 'NMAAS-SA-TOKEN',
  'NMAAS-SCHEDULING-ESCAPE': 'NMAAS-CONTRACT',
};

/** Rules admission enforces: the mirrored ones and Pod Security's. */
const ENFORCED = new Set(
  [
    ...ADMISSION_RULES.map((r) => r.mirrors),
    ...pssRules('restricted').map((r) => r.meta.id),
    'NMAAS-PROJECTED-TOKEN',
    'NMAAS-SCHEDULING-ESCAPE',
  ].filter((rule) => !REVIEW_ONLY.has(rule)),
);

let work: string;
const baseManifest = parseManifest(await readFile(path.join(BASE_CHART, 'nmaas.yaml'), 'utf8'));

beforeAll(async () => {
  work = await tempDir('nmaas-policy-corpus-');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

interface Outcome {
  valueSet: string;
  pod: string;
  refusedBy: string[];
}

async function manifestOf(dir: string): Promise<AppManifest | undefined> {
  try {
    // loadApp applies the image lock, as charts-gen does when it writes the chart.
    return (await loadApp(dir)).manifest;
  } catch {
    return undefined;
  }
}

/** Renders `dir` at its defaults (and bounds) with helm and admits every pod it would create. */
async function admitChart(dir: string, manifest: AppManifest | undefined, bounds: boolean): Promise<Outcome[]> {
  const namespace = manifest && manifest.capabilities.length > 0 ? plan.capabilities : plan.restricted[0]!;
  const params = admissionParameters(
    { allowedRegistries: DEFAULT_ALLOWED_REGISTRIES, exemptions: [] },
    [manifest ?? baseManifest],
    plan,
  );
  const defaults = parse(await readFile(path.join(dir, 'values.yaml'), 'utf8')) as unknown;
  const schema = JSON.parse(await readFile(path.join(dir, 'values.schema.json'), 'utf8').catch(() => '{}')) as unknown;
  const valueSets = bounds ? boundValueSets(schema, defaults) : [{ name: 'defaults', values: {} }];
  // An install is also an upgrade later on: admission judges that render too.
  const sets = [
    ...valueSets.map((set) => ({ ...set, args: [] as string[] })),
    { name: 'defaults-upgrade', values: {}, args: ['--is-upgrade'] },
  ];
  const outcomes: Outcome[] = [];
  for (const set of sets) {
    const valuesFile = path.join(work, `values-${path.basename(dir)}-${set.name}.yaml`);
    await writeFile(valuesFile, stringify(set.values));
    let rendered: string;
    try {
      rendered = (await runHelm(['template', 'rel', dir, '--namespace', namespace, '-f', valuesFile, ...set.args]))
        .stdout;
    } catch (error) {
      // The chart refuses to render (its own checks): nothing is installed.
      if (error instanceof HelmError) continue;
      throw error;
    }
    // Decoded as the API server receives it (YAML 1.1, merge keys, lists flattened), not as YAML 1.2 reads it.
    for (const decoded of decodeRendered(rendered, path.basename(dir)).objects) {
      const object = decoded.object as Json;
      // A workload that names its own namespace creates its pods there, whatever the release's is.
      const ownNamespace = (object.metadata as Json | undefined)?.namespace;
      const podNamespace = typeof ownNamespace === 'string' ? ownNamespace : namespace;
      const pod = podFromWorkload(object, podNamespace, NOW);
      if (!pod) continue;
      const a = admitPod(pod, podNamespace, params, plan);
      const refusedBy = [
        ...a.denials.map((d) => `${d.rule}${d.error ? ` (error: ${d.error})` : ''}`),
        ...a.podSecurity.map((f) => `PSA ${f.rule}`),
      ];
      outcomes.push({
        valueSet: set.name,
        pod: `${String(object.kind)}/${String((object.metadata as Json).name)}`,
        refusedBy,
      });
    }
  }
  return outcomes;
}

const cases = await loadCases();

describe('admission of the validator corpus', () => {
  it('admits the base chart at its defaults and at every bound', async () => {
    const outcomes = await admitChart(BASE_CHART, baseManifest, true);
    expect(outcomes.length).toBeGreaterThan(2);
    expect(outcomes.filter((o) => o.refusedBy.length > 0)).toEqual([]);
  });

  it('admits the five example apps, generated with charts-gen', async () => {
    const examples = ['web-qos', 'web-cartography', 'streaming-qos', 'streaming-cartography', 'ip-spoofing-detection'];
    const refused: unknown[] = [];
    for (const example of examples) {
      const chart = await synthesizeChart(path.join(REPO, 'examples', example), path.join(work, 'examples'));
      const outcomes = await admitChart(chart.chartDir, await manifestOf(path.join(REPO, 'examples', example)), true);
      expect(outcomes.length, example).toBeGreaterThan(0);
      refused.push(...outcomes.filter((o) => o.refusedBy.length > 0).map((o) => ({ example, ...o })));
    }
    expect(refused).toEqual([]);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (id: string, c: CorpusCase) => {
    const dir = await buildCase(c, path.join(work, id));
    const report = await validate(dir, { defaultsOnly: c.bounds !== true });
    const errors = [...new Set(report.findings.filter((f) => f.severity === 'error').map((f) => f.ruleId))];
    const outcomes = await admitChart(dir, await manifestOf(dir), c.bounds === true);
    const refused = outcomes.filter((o) => o.refusedBy.length > 0);
    const detail = JSON.stringify({ errors, outcomes }, null, 1);
    if (errors.some((r) => ENFORCED.has(r))) {
      // Malicious at a rule admission sees: some pod of the chart is refused.
      expect(refused.length, detail).toBeGreaterThan(0);
      // …for a reason the review gave too: a refusal names one of the enforced rules it reported.
      const named = new Set(refused.flatMap((o) => o.refusedBy.map((r) => r.replace(/^PSA /, '').split(' ')[0]!)));
      expect(
        errors.filter((r) => ENFORCED.has(r) && (named.has(r) || named.has(SAME_CONTROL[r] ?? r))),
        detail,
      ).not.toEqual([]);
    } else if (errors.length === 0 && !report.findings.some((f) => f.severity === 'warning')) {
      // Benign: the catalogue publishes it as it is (a warning needs --allow-warnings), so admission admits it.
      expect(refused, detail).toEqual([]);
    } else {
      // Refused by the review only for what no pod shows: chart files or other objects.
      const scopes = new Map(RULES.map((r) => [r.meta.id, r.meta.scope]));
      expect(
        errors.filter((r) => scopes.get(r) === 'objects' && !REVIEW_ONLY.has(r)),
        detail,
      ).toEqual([]);
    }
    // No policy expression fails to evaluate on a real chart.
    expect(
      outcomes.flatMap((o) => o.refusedBy).filter((r) => r.includes('(error:')),
      detail,
    ).toEqual([]);
  });
});
