/**
 * The scheduler chart's ServiceMonitor and PrometheusRule, rendered by real helm 3.17 and 4.1:
 * present only with the prometheus-operator API and their value on, valid against the operator's
 * CRD schemas (../shared/corpus/prometheus-operator-crds), scrape timeout never above the interval,
 * and the alerts through the real promtool: `check rules`, then `test rules` with series under
 * which each alert fires and healthy series (plus a broken other release) under which none does.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELM_VERSIONS } from '@nmaas/charts-gen';
import { tool, TempDirs } from '@nmaas/sdk/testing';
import { REPO_ROOT } from '../webhook/testing.js';
import { SCHEDULER_METRICS } from '../webhook/metrics.js';
import { REPLAN_METRICS } from '../webhook/replan-metrics.js';
import { SCHEDULER_ALERTS, runbookAnchor } from './monitoring.js';
import { writeSchedulerChart } from './render.js';

const temp = new TempDirs('sched-monitoring');
afterAll(() => temp.removeAll());

const run = promisify(execFile);
const CRD_DIR = path.resolve(REPO_ROOT, '../shared/corpus/prometheus-operator-crds');
const MONITORING_APIS = ['monitoring.coreos.com/v1/ServiceMonitor', 'monitoring.coreos.com/v1/PrometheusRule'];
const NAMESPACE = 'nmaas-system';
const promtool = tool('promtool', 'apt-get install prometheus');

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } } & Record<
  string,
  unknown
>;

let chartDir: string;
const validators = new Map<string, ValidateFunction>();

beforeAll(async () => {
  ({ chartDir } = await writeSchedulerChart(await temp.make()));
  // The CRDs carry Go (RE2) patterns; the `(?i)` group is the one construct JS lacks: it is a flag.
  const goRegExp = Object.assign(
    (pattern: string, flags: string) =>
      pattern.includes('(?i)') ? new RegExp(pattern.replaceAll('(?i)', ''), `${flags}i`) : new RegExp(pattern, flags),
    { code: 'goRegExp' },
  );
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, code: { regExp: goRegExp } });
  for (const [kind, file] of [
    ['ServiceMonitor', 'servicemonitors.yaml'],
    ['PrometheusRule', 'prometheusrules.yaml'],
  ] as const) {
    const doc = parse(await readFile(path.join(CRD_DIR, file), 'utf8')) as {
      spec: { versions: { name: string; schema: { openAPIV3Schema: object } }[] };
    };
    validators.set(kind, ajv.compile(doc.spec.versions.find((v) => v.name === 'v1')!.schema.openAPIV3Schema));
  }
});

for (const version of HELM_VERSIONS) {
  const helm = tool('helm', 'node tools/install-helm.mjs', [path.join(REPO_ROOT, `.tools/helm/${version}/helm`)]);
  describe.skipIf(helm.skip)(`scheduler monitoring objects with helm ${version}`, () => {
    const template = async (args: string[]): Promise<Obj[]> => {
      const { stdout } = await run(helm.path(), ['template', 'nmaas-scheduler', chartDir, '-n', NAMESPACE, ...args], {
        maxBuffer: 16 << 20,
      });
      return parseAllDocuments(stdout)
        .map((d) => d.toJS() as Obj)
        .filter(Boolean);
    };
    const apis = MONITORING_APIS.flatMap((a) => ['--api-versions', a]);
    const kinds = (objs: Obj[]) =>
      objs.map((o) => o.kind).filter((k) => k === 'ServiceMonitor' || k === 'PrometheusRule');

    it('renders both only where the operator API exists and their value is on', async () => {
      expect(kinds(await template([]))).toEqual([]);
      expect(kinds(await template(apis)).sort()).toEqual(['PrometheusRule', 'ServiceMonitor']);
      // The alerts read what the monitor scrapes: without it they would report the webhook down.
      expect(kinds(await template([...apis, '--set', 'serviceMonitor.enabled=false']))).toEqual([]);
      expect(kinds(await template([...apis, '--set', 'prometheusRule.enabled=false']))).toEqual(['ServiceMonitor']);
    });

    it('validate against the CRD schemas, scrape the HTTPS port with the chart CA, timeout ≤ interval', async () => {
      for (const [interval, timeout] of [
        ['30s', '10s'],
        ['5s', '5s'],
        ['2m', '10s'],
      ] as const) {
        const objs = await template([
          ...apis,
          '--set',
          `serviceMonitor.interval=${interval}`,
          '--set',
          'serviceMonitor.additionalLabels.release=kube-prometheus-stack',
        ]);
        for (const o of objs.filter((x) => validators.has(x.kind))) {
          const validate = validators.get(o.kind)!;
          expect(validate(o), `${o.kind}: ${JSON.stringify(validate.errors)}`).toBe(true);
        }
        const monitor = objs.find((o) => o.kind === 'ServiceMonitor') as Obj & {
          spec: { endpoints: Record<string, unknown>[]; selector: unknown };
        };
        expect(monitor.metadata.labels).toMatchObject({
          release: 'kube-prometheus-stack',
          'app.kubernetes.io/name': 'nmaas-scheduler',
        });
        expect(monitor.spec.endpoints).toEqual([
          {
            port: 'https',
            scheme: 'https',
            path: '/metrics',
            interval,
            scrapeTimeout: timeout,
            tlsConfig: {
              serverName: `nmaas-scheduler.${NAMESPACE}.svc`,
              ca: { secret: { name: 'nmaas-scheduler-tls', key: 'ca.crt' } },
            },
          },
        ]);
        // The ServiceMonitor selects the chart's Service, whose port is named https.
        const service = objs.find((o) => o.kind === 'Service') as Obj & {
          spec: { ports: { name: string }[] };
          metadata: { labels: Record<string, string> };
        };
        expect(service.spec.ports.map((p) => p.name)).toContain('https');
        expect(service.metadata.labels).toMatchObject(
          (monitor.spec.selector as { matchLabels: Record<string, string> }).matchLabels,
        );
      }
      await expect(template([...apis, '--set', 'serviceMonitor.interval=500ms'])).rejects.toThrow(/interval/);
    });

    it('every alert carries severity, namespace, summary, description and its runbook section', async () => {
      const rule = (await template([...apis, '--set', 'timeoutSeconds=8'])).find(
        (o) => o.kind === 'PrometheusRule',
      ) as Obj & {
        spec: { groups: { rules: Rule[] }[] };
      };
      const rules = rule.spec.groups.flatMap((g) => g.rules);
      expect(rules.map((r) => r.alert)).toEqual(SCHEDULER_ALERTS.map((a) => a.alert));
      const readme = await readFile(path.join(REPO_ROOT, 'scheduler/README.md'), 'utf8');
      for (const r of rules) {
        expect(['critical', 'warning']).toContain(r.labels.severity);
        expect(r.labels.namespace).toBe(NAMESPACE);
        expect(Object.keys(r.annotations).sort()).toEqual(['description', 'runbook_url', 'summary']);
        expect(r.annotations.runbook_url).toBe(
          `https://github.com/nmaas/nmaas/blob/main/scheduler/README.md#${runbookAnchor(r.alert)}`,
        );
        // The anchor exists: a heading of that name in the runbook.
        expect(readme).toContain(`\n### ${r.alert}\n`);
        // Scoped to the release: no metric selector without its namespace and Service.
        for (const selector of r.expr.matchAll(/\b(up|nmaas_scheduler_\w+)(\{[^}]*\})?/g))
          expect(selector[2], `${r.alert}: ${selector[0]}`).toContain(
            `namespace="${NAMESPACE}", service="nmaas-scheduler"`,
          );
      }
      // Half the timeout the form sets.
      expect(rules.find((r) => r.alert === 'NmaasSchedulerSlowDecisions')!.expr).toMatch(/\) > 4$/);
    });
  });
}

const helm317 = tool('helm', 'node tools/install-helm.mjs', [path.join(REPO_ROOT, '.tools/helm/3.17/helm')]);

describe.skipIf(promtool.skip || helm317.skip)('scheduler alerts in promtool', () => {
  it('pass check rules, and test rules: each fires on its failure, none on healthy series or another release', async () => {
    const { stdout } = await run(
      helm317.path(),
      [
        'template',
        'nmaas-scheduler',
        chartDir,
        '-n',
        NAMESPACE,
        '--show-only',
        'templates/monitoring.yaml',
        ...MONITORING_APIS.flatMap((a) => ['--api-versions', a]),
      ],
      { maxBuffer: 16 << 20 },
    );
    const rule = parseAllDocuments(stdout)
      .map((d) => d.toJS() as Obj & { spec: { groups: { name: string; rules: Rule[] }[] } })
      .find((o) => o?.kind === 'PrometheusRule')!;
    const dir = await temp.make();
    const rulesFile = path.join(dir, 'rules.yaml');
    await writeFile(rulesFile, stringify({ groups: rule.spec.groups }));
    const checked = await run(promtool.path(), ['check', 'rules', rulesFile]);
    expect(checked.stdout).toMatch(new RegExp(`SUCCESS: ${SCHEDULER_ALERTS.length} rules found`));

    const m = SCHEDULER_METRICS;
    const ours = `namespace="${NAMESPACE}", service="nmaas-scheduler"`;
    const other = 'namespace="other", service="nmaas-scheduler"';
    const bad = (scope: string, pod: string) => [
      { series: `up{${scope}, pod="${pod}"}`, values: '0x100' },
      { series: `${m.ready}{${scope}, pod="${pod}"}`, values: '0x100' },
      { series: `${m.leader}{${scope}, pod="${pod}"}`, values: '0x100' },
      { series: `${m.admissions}{${scope}, webhook="mutate", outcome="placed"}`, values: '0+10x100' },
      { series: `${m.admissions}{${scope}, webhook="mutate", outcome="shed"}`, values: '0+5x100' },
      { series: `${m.duration}_bucket{${scope}, webhook="mutate", le="1"}`, values: '0x100' },
      { series: `${m.duration}_bucket{${scope}, webhook="mutate", le="3"}`, values: '0+10x100' },
      { series: `${m.duration}_bucket{${scope}, webhook="mutate", le="+Inf"}`, values: '0+10x100' },
      // notAfter 5 days after the evaluation time (90 min = 5,400 s).
      { series: `${m.certificateExpiry}{${scope}, pod="${pod}"}`, values: `${5_400 + 5 * 86_400}x100` },
      { series: `${m.watchErrors}{${scope}, pod="${pod}", resource="pods"}`, values: '0+1x100' },
      { series: `${m.affinityOrphans}{${scope}, pod="${pod}"}`, values: '1x100' },
      { series: `${REPLAN_METRICS.runs}{${scope}, pod="${pod}", result="error"}`, values: '0+1x100' },
    ];
    const healthy = (scope: string) => [
      { series: `up{${scope}, pod="a"}`, values: '1x100' },
      { series: `up{${scope}, pod="b"}`, values: '1x100' },
      { series: `${m.ready}{${scope}, pod="a"}`, values: '1x100' },
      { series: `${m.ready}{${scope}, pod="b"}`, values: '1x100' },
      // One leader among two replicas is the healthy state.
      { series: `${m.leader}{${scope}, pod="a"}`, values: '1x100' },
      { series: `${m.leader}{${scope}, pod="b"}`, values: '0x100' },
      { series: `${m.admissions}{${scope}, webhook="mutate", outcome="placed"}`, values: '0+10x100' },
      { series: `${m.admissions}{${scope}, webhook="mutate", outcome="shed"}`, values: '0x100' },
      { series: `${m.admissions}{${scope}, webhook="mutate", outcome="error"}`, values: '0x100' },
      { series: `${m.duration}_bucket{${scope}, webhook="mutate", le="0.005"}`, values: '0+10x100' },
      { series: `${m.duration}_bucket{${scope}, webhook="mutate", le="+Inf"}`, values: '0+10x100' },
      { series: `${m.certificateExpiry}{${scope}, pod="a"}`, values: `${400 * 86_400}x100` },
      { series: `${m.watchErrors}{${scope}, pod="a", resource="pods"}`, values: '0x100' },
      { series: `${m.affinityOrphans}{${scope}, pod="a"}`, values: '0x100' },
      { series: `${REPLAN_METRICS.runs}{${scope}, pod="a", result="error"}`, values: '0x100' },
      { series: `${REPLAN_METRICS.runs}{${scope}, pod="a", result="applied"}`, values: '0+1x100' },
    ];
    const byName = new Map(rule.spec.groups.flatMap((g) => g.rules).map((r) => [r.alert, r]));
    const expected = (name: string) => {
      const r = byName.get(name)!;
      return [{ exp_labels: r.labels, exp_annotations: r.annotations }];
    };
    const names = SCHEDULER_ALERTS.map((a) => a.alert);
    const tests = {
      rule_files: [rulesFile],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: bad(ours, 'a'),
          alert_rule_test: names.map((alertname) => ({ eval_time: '90m', alertname, exp_alerts: expected(alertname) })),
        },
        {
          interval: '1m',
          input_series: [...healthy(ours), ...bad(other, 'x')],
          alert_rule_test: names.map((alertname) => ({ eval_time: '90m', alertname, exp_alerts: [] })),
        },
      ],
    };
    const testFile = path.join(dir, 'tests.yaml');
    await writeFile(testFile, stringify(tests));
    const tested = await run(promtool.path(), ['test', 'rules', testFile]).catch(
      (error: { stdout?: string; stderr?: string }) => {
        throw new Error(`promtool test rules failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
      },
    );
    expect(tested.stdout).toMatch(/SUCCESS/);
  });
});
