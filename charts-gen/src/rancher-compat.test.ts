/**
 * Rancher compatibility of every example app's chart, judged the way Rancher, Fleet, the
 * Prometheus operator and Prometheus read it (batched: one helm process per chart, value set and
 * helm version; one promtool run for every alert):
 * - installs with the `global` block Rancher Apps and Fleet inject, pulling from their
 *   systemDefaultRegistry with the digest kept, and with imagePullSecrets;
 * - questions.yaml as the dashboard's question components read it (valid_chars compiled the
 *   dashboard's way, known types, show_if syntax, multiline for PEM);
 * - ServiceMonitor and PrometheusRule against prometheus-operator 0.93.0's CRD schemas
 *   (../shared/corpus/prometheus-operator-crds), scrapeTimeout never above the interval;
 * - every alert through `promtool check rules`, with description, runbook_url and severity;
 * - no `lookup` (a project member's install must not need cluster reads), dashboards in the
 *   release namespace unless asked.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApp, type AppManifest } from '@nmaas/sdk/model';
import { tool } from '@nmaas/sdk/testing';
import { synthesizeChart } from './synthesize.js';
import { HELM_VERSIONS } from './helm.js';
import { DASHBOARD_QUESTION_TYPES, MONITORING_APIS, REPO_ROOT, renderChart, type K8sObject } from './testing/chart.js';
import { PROMETHEUS_DURATION_PATTERN } from './values-model.js';
import { ADMISSION_PARAMETERS } from './namespace-guard-tpl.js';
import { FLEET_INJECTED_VALUES, RANCHER_INJECTED_VALUES } from './rancher-values.js';
import { RANCHER_CATEGORY_OF, rancherCategories } from './rancher-dashboard.js';

const run = promisify(execFile);
const CRD_DIR = path.resolve(REPO_ROOT, '../shared/corpus/prometheus-operator-crds');
const DIGEST = `sha256:${'5e'.repeat(32)}`;

const RANCHER_VALUES = RANCHER_INJECTED_VALUES;
const FLEET_VALUES = FLEET_INJECTED_VALUES;

const DASHBOARD_TYPE_PREFIXES = ['array[', 'map[', 'reference['];

interface BuiltApp {
  id: string;
  manifest: AppManifest;
  chartDir: string;
}

type Question = {
  variable: string;
  type: string;
  default: unknown;
  show_if?: string;
  valid_chars?: string;
  invalid_chars?: string;
  subquestions?: Question[];
};

function exampleApps(): string[] {
  const dir = path.join(REPO_ROOT, 'examples');
  return readdirSync(dir)
    .filter((name) => existsSync(path.join(dir, name, 'nmaas.yaml')))
    .sort()
    .map((name) => path.join(dir, name));
}

let out: string;
const built: BuiltApp[] = [];

beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'nmaas-rancher-'));
  for (const dir of exampleApps()) {
    const app = await loadApp(dir);
    const { chartDir } = await synthesizeChart(app, out);
    built.push({ id: path.basename(dir), manifest: app.manifest, chartDir });
  }
}, 120_000);

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe('the five examples are all checked', () => {
  it('finds them', () => expect(built.map((b) => b.id)).toHaveLength(5));
});

describe.each(HELM_VERSIONS)('Rancher and Fleet injected values, helm %s', (version) => {
  it.each([
    ['Rancher Apps', RANCHER_VALUES, 'registry.rancher.example:5000'],
    ['Fleet', FLEET_VALUES, 'mirror.fleet.example'],
  ])(
    'every chart installs with what %s injects, from its registry, pinned by digest, with pull secrets',
    async (_who, injected, registry) => {
      for (const b of built) {
        const values = {
          ...injected,
          image: { digest: DIGEST },
          imagePullSecrets: ['regcred', { name: 'mirror-cred' }],
        };
        const objects = await renderChart(b.chartDir, { values, version, apiVersions: MONITORING_APIS });
        const deployment = objects.find((o) => o.kind === 'Deployment') as K8sObject & {
          spec: { template: { spec: Record<string, unknown> } };
        };
        const pod = deployment.spec.template.spec as {
          containers: { image: string }[];
          imagePullSecrets: unknown;
          nodeSelector: Record<string, string>;
        };
        const path = b.manifest.image.repository.replace(/^[^/]*[.:][^/]*\//, '');
        expect(pod.containers[0]!.image, b.id).toBe(`${registry}/${path}:${b.manifest.image.tag}@${DIGEST}`);
        expect(pod.imagePullSecrets, b.id).toEqual([{ name: 'regcred' }, { name: 'mirror-cred' }]);
        expect(pod.nodeSelector['kubernetes.io/os'], b.id).toBe('linux');
      }
    },
    240_000,
  );
});

describe('questions.yaml as the Rancher dashboard reads it', () => {
  const questionsOf = async (b: BuiltApp) =>
    (parse(await readFile(path.join(b.chartDir, 'questions.yaml'), 'utf8')) as { questions: Question[] }).questions;
  const values = async (b: BuiltApp) =>
    parse(await readFile(path.join(b.chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const has = (root: Record<string, unknown>, dotted: string) => {
    let node: unknown = root;
    for (const key of dotted.split('.')) {
      if (node === null || typeof node !== 'object' || !(key in node)) return false;
      node = (node as Record<string, unknown>)[key];
    }
    return true;
  };

  it('compiles valid_chars/invalid_chars the way the dashboard does, and every type is one it knows', async () => {
    for (const b of built) {
      for (const q of await questionsOf(b)) {
        for (const key of ['valid_chars', 'invalid_chars'] as const) {
          const chars = q[key];
          if (chars === undefined) continue;
          // shell/utils/validators: new RegExp('([^' + valid_chars + '])') — the text is a class body.
          expect(() => new RegExp(`([^${chars}])`), `${b.id} ${q.variable}`).not.toThrow();
          expect(chars, `${b.id} ${q.variable}: an anchored pattern is not a character class`).not.toMatch(/^\^|\$$/);
        }
        const known = DASHBOARD_QUESTION_TYPES.has(q.type) || DASHBOARD_TYPE_PREFIXES.some((p) => q.type.startsWith(p));
        expect(known, `${b.id} ${q.variable}: type ${q.type}`).toBe(true);
        expect(q.subquestions ?? [], 'no nested subquestions').toEqual([]);
      }
    }
  });

  it('show_if is var=value joined by && or ||, naming questions of the form', async () => {
    for (const b of built) {
      const questions = await questionsOf(b);
      const v = await values(b);
      const names = new Set(questions.map((q) => q.variable));
      for (const q of questions) {
        expect(has(v, q.variable), `${b.id}: ${q.variable} is in values.yaml`).toBe(true);
        if (q.show_if === undefined) continue;
        for (const clause of q.show_if.split(/&&|\|\|/)) {
          const m = /^([A-Za-z0-9_.[\]-]+)=(.*)$/.exec(clause.trim());
          expect(m, `${b.id} ${q.variable}: show_if clause ${clause}`).not.toBeNull();
          expect(names.has(m![1]!), `${b.id} ${q.variable}: show_if names ${m![1]}`).toBe(true);
        }
      }
    }
  });

  it('asks for PEM certificates in a text area (type multiline)', async () => {
    const webQos = built.find((b) => b.id === 'web-qos')!;
    const q = (await questionsOf(webQos)).find((x) => x.variable === 'parameters.caCertificates')!;
    expect(q.type).toBe('multiline');
  });
});

describe('monitoring objects as prometheus-operator 0.93.0 and Prometheus read them', () => {
  const promtool = tool('promtool', 'apt-get install prometheus');
  const validators = new Map<string, ValidateFunction>();

  beforeAll(async () => {
    // The CRDs carry Go (RE2) patterns; the `(?i)` group is the one construct JS lacks: it is a flag.
    const goRegExp = Object.assign(
      (pattern: string, flags: string) =>
        pattern.includes('(?i)') ? new RegExp(pattern.replaceAll('(?i)', ''), `${flags}i`) : new RegExp(pattern, flags),
      { code: 'goRegExp' },
    );
    const ajv = new Ajv({ strict: false, allErrors: true, code: { regExp: goRegExp } });
    for (const [kind, file] of [
      ['ServiceMonitor', 'servicemonitors.yaml'],
      ['PrometheusRule', 'prometheusrules.yaml'],
    ] as const) {
      const doc = parse(await readFile(path.join(CRD_DIR, file), 'utf8')) as {
        spec: { versions: { name: string; schema: { openAPIV3Schema: object } }[] };
      };
      const v1 = doc.spec.versions.find((v) => v.name === 'v1')!;
      validators.set(kind, ajv.compile(v1.schema.openAPIV3Schema));
    }
  });

  it('the values schema uses the CRD duration pattern for the interval', async () => {
    const text = await readFile(path.join(CRD_DIR, 'servicemonitors.yaml'), 'utf8');
    expect(text).toContain(`pattern: ${PROMETHEUS_DURATION_PATTERN}`);
  });

  it.skipIf(promtool.skip)(
    'validate against the CRDs, keep scrapeTimeout ≤ interval, and every alert passes promtool',
    async () => {
      const groups: unknown[] = [];
      for (const b of built) {
        for (const [interval, timeout] of [
          ['5s', '5s'],
          ['1m', '10s'],
        ] as const) {
          const objects = await renderChart(b.chartDir, {
            set: [`serviceMonitor.interval=${interval}`],
            apiVersions: MONITORING_APIS,
            release: 'probe',
            namespace: 'team-a',
          });
          const monitor = objects.find((o) => o.kind === 'ServiceMonitor')!;
          const rule = objects.find((o) => o.kind === 'PrometheusRule') as K8sObject & {
            spec: { groups: { name: string; rules: Record<string, unknown>[] }[] };
          };
          for (const o of [monitor, rule]) {
            const validate = validators.get(o.kind)!;
            expect(validate(o), `${b.id} ${o.kind}: ${JSON.stringify(validate.errors)}`).toBe(true);
          }
          const endpoint = (
            monitor as unknown as { spec: { endpoints: { interval: string; scrapeTimeout: string }[] } }
          ).spec.endpoints[0]!;
          expect(endpoint, b.id).toMatchObject({ interval, scrapeTimeout: timeout });
          if (interval !== '5s') continue;
          for (const group of rule.spec.groups) {
            for (const r of group.rules) {
              const annotations = r.annotations as Record<string, string>;
              expect(Object.keys(annotations).sort(), `${b.id} ${String(r.alert)}`).toEqual([
                'description',
                'runbook_url',
                'summary',
              ]);
              expect(annotations.runbook_url).toMatch(/^https:\/\/\S+#[a-z0-9]+$/);
              expect(['critical', 'warning', 'info']).toContain((r.labels as Record<string, string>).severity);
              // Scoped to this release: every selector carries its namespace and service.
              expect(String(r.expr)).toContain('namespace="team-a", service="probe-');
            }
            groups.push({ name: `${b.id}/${group.name}`, rules: group.rules });
          }
          expect(rule.spec.groups[0]!.rules.map((r) => r.alert)).toEqual([
            'NmaasRunsFailing',
            'NmaasRunsStopped',
            'NmaasTargetDown',
            'NmaasRunsSkipped',
            'NmaasRunsLate',
          ]);
        }
        await expect(
          renderChart(b.chartDir, {
            set: ['serviceMonitor.interval=5s', 'serviceMonitor.scrapeTimeout=10s'],
            apiVersions: MONITORING_APIS,
          }),
        ).rejects.toThrow(/scrapeTimeout \(10s\) is longer than serviceMonitor.interval \(5s\)/);
      }
      const dir = await mkdtemp(path.join(os.tmpdir(), 'nmaas-rules-'));
      try {
        const file = path.join(dir, 'rules.yaml');
        await writeFile(file, JSON.stringify({ groups }));
        const { stdout } = await run(promtool.path(), ['check', 'rules', file]);
        expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    300_000,
  );
});

describe('non-admin installs and dashboards', () => {
  it('no template looks up what a project member cannot read, and the dashboard goes to the release namespace unless asked', async () => {
    for (const b of built) {
      for (const file of readdirSync(path.join(b.chartDir, 'templates'))) {
        const text = await readFile(path.join(b.chartDir, 'templates', file), 'utf8');
        // helm turns a Forbidden lookup into a render error. The one lookup left is the capability
        // apps' guard of the platform's AdmissionParameters object, which the nmaas-policy chart lets
        // every signed-in user read; any other lookup (namespaces, secrets, …) fails a project member's install.
        const lookups = [...text.matchAll(/\blookup\s+("[^"]*"\s+"[^"]*")/g)].map((m) => m[1]);
        expect(lookups, `${b.id} ${file}`).toEqual(
          file === 'capability-namespace.yaml'
            ? [`"${ADMISSION_PARAMETERS.apiVersion}" "${ADMISSION_PARAMETERS.kind}"`]
            : [],
        );
      }
    }
    const b = built[0]!;
    const objects = await renderChart(b.chartDir, { apiVersions: MONITORING_APIS, namespace: 'project-ns' });
    const dashboard = objects.find((o) => o.metadata.labels?.grafana_dashboard === '1')!;
    expect(dashboard.metadata.namespace).toBe('project-ns');
    const opted = await renderChart(b.chartDir, {
      apiVersions: MONITORING_APIS,
      namespace: 'project-ns',
      set: ['dashboard.namespace=cattle-dashboards'],
    });
    expect(opted.find((o) => o.metadata.labels?.grafana_dashboard === '1')!.metadata.namespace).toBe(
      'cattle-dashboards',
    );
  });

  it('dashboard units follow the metric: timestamps as dates, seconds, bytes', async () => {
    const b = built.find((x) => x.id === 'web-qos')!;
    const dashboard = JSON.parse(await readFile(path.join(b.chartDir, 'files', 'dashboard.json'), 'utf8')) as {
      panels: { title: string; fieldConfig: { defaults: { unit: string } } }[];
    };
    const unit = (title: string) => dashboard.panels.find((p) => p.title === title)!.fieldConfig.defaults.unit;
    expect(unit('web_qos_tls_earliest_cert_expiry_timestamp_seconds')).toBe('dateTimeAsIso');
    expect(unit('web_qos_probe_duration_seconds')).toBe('s');
    expect(unit('web_qos_http_body_size_bytes')).toBe('bytes');
  });
});

describe("the dashboard's category filter (rancher/dashboard shell/store/catalog.ts filterCategories)", () => {
  it('keeps only its nine names, ignoring case and spaces, in its own order', () => {
    expect(rancherCategories(['nmaas', 'qos', 'monitoring'])).toEqual(['Monitoring']);
    expect(rancherCategories(['Net working', 'SECURITY', 'cartography'])).toEqual(['Security', 'Networking']);
    expect(rancherCategories(['nmaas', 'measurement', 'qos', 'cartography', 'other'])).toEqual([]);
    expect(rancherCategories(undefined)).toEqual([]);
  });
});

describe('catalogue appearance in Chart.yaml', () => {
  it('permits-os, Artifact Hub metadata, experimental while the image is unpublished, no data: icon', async () => {
    for (const b of built) {
      const chart = parse(await readFile(path.join(b.chartDir, 'Chart.yaml'), 'utf8')) as {
        icon?: string;
        maintainers: unknown[];
        keywords: string[];
        annotations: Record<string, string>;
      };
      expect(chart.annotations['catalog.cattle.io/permits-os'], b.id).toBe('linux');
      expect(chart.annotations['artifacthub.io/category'], b.id).toBeTruthy();
      expect(parseAllDocuments(chart.annotations['artifacthub.io/images']!)[0]!.toJS()).toEqual([
        {
          name: b.manifest.name,
          image: `${b.manifest.image.repository}:${b.manifest.image.tag}${b.manifest.image.digest ? `@${b.manifest.image.digest}` : ''}`,
        },
      ]);
      expect(chart.annotations['catalog.cattle.io/experimental'], b.id).toBe(
        b.manifest.image.digest === undefined || /^sha256:0{64}$/.test(b.manifest.image.digest) ? 'true' : undefined,
      );
      expect(chart.keywords, b.id).toContain(b.manifest.category);
      // The dashboard files the app under exactly the category its NMaaS category maps to.
      expect(rancherCategories(chart.keywords), b.id).toEqual([RANCHER_CATEGORY_OF[b.manifest.category]]);
      expect(chart.maintainers.length, b.id).toBeGreaterThan(0);
      expect(chart.icon ?? '', b.id).not.toMatch(/^data:/);
    }
  });
});
