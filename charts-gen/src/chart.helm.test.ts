/* eslint-disable @typescript-eslint/no-explicit-any -- these tests walk rendered Kubernetes objects as untyped JSON */
/**
 * The generated charts under real helm 3.17 and 4.1: lint --strict, template with default and
 * form-derived values validated against the Kubernetes and prometheus-operator schemas, schema
 * errors for bad values, release-scoped names, and the scheduling contract read back by the sdk.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { contractFromManifest, decodePodContract, type PodContract } from '@nmaas/sdk/contract';
import { loadApp, parseDuration, type AppManifest } from '@nmaas/sdk/model';
import { resolveConfig } from '@nmaas/sdk/runtime';
import { synthesizeChart } from './synthesize.js';
import { HELM_VERSIONS, runHelm } from './helm.js';
import {
  MONITORING_APIS,
  findObject,
  fixtureApps,
  formValueSets,
  helmTemplateArgs,
  renderChart,
  setPath,
  validateObject,
  type K8sObject,
} from './testing/chart.js';

const run = promisify(execFile);

interface Built {
  id: string;
  manifest: AppManifest;
  chartDir: string;
  values: Record<string, unknown>;
  questions: { variable: string; type: string; default: unknown; min?: number; max?: number; options?: string[] }[];
}

const apps = fixtureApps();
const built = new Map<string, Built>();
let outDir: string;

beforeAll(async () => {
  outDir = await mkdtemp(path.join(os.tmpdir(), 'nmaas-charts-'));
  for (const app of apps) {
    const loaded = await loadApp(app.dir);
    const { chartDir } = await synthesizeChart(loaded, outDir);
    const values = parse(await readFile(path.join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>;
    const questions = (
      parse(await readFile(path.join(chartDir, 'questions.yaml'), 'utf8')) as { questions: Built['questions'] }
    ).questions;
    built.set(app.id, { id: app.id, manifest: loaded.manifest, chartDir, values, questions });
  }
});

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

const get = (id: string) => built.get(id)!;
const ids = apps.map((a) => a.id);

function expectedContract(manifest: AppManifest, values: Record<string, any>, fullname: string): PodContract {
  const base = contractFromManifest(manifest, { spreadGroup: fullname });
  const every = parseDuration(values.schedule.every)!;
  const { 'nmaas.io/pool': _p, ...fixed } = manifest.placement.nodeSelector;
  return {
    ...base,
    everySeconds: every,
    durationSeconds: parseDuration(values.schedule.duration)!,
    startWithinSeconds: values.schedule.startWithin ? parseDuration(values.schedule.startWithin)! : every,
    run: {
      cpu: values.resources.run.cpuMillicores,
      memory: values.resources.run.memoryMiB,
      bandwidth: values.resources.run.bandwidthMbps,
    },
    idle: { cpu: values.resources.idle.cpuMillicores, memory: values.resources.idle.memoryMiB },
    nodeSelector: values.placement.pool ? { ...fixed, 'nmaas.io/pool': values.placement.pool } : fixed,
  };
}

function merged(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, any> {
  const out = structuredClone(base) as Record<string, any>;
  const walk = (src: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(src)) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0)
        walk(v as Record<string, unknown>, `${prefix}${k}.`);
      else setPath(out, `${prefix}${k}`, v);
    }
  };
  walk(over, '');
  return out;
}

function checkRendered(objects: K8sObject[], b: Built, values: Record<string, any>, release: string): void {
  for (const obj of objects) validateObject(obj);
  const text = JSON.stringify(objects);
  expect(text).not.toContain('cdk8s.io/metadata.addr');
  expect(text).not.toMatch(/__H[VIB]_\d+__/);
  const deployment = findObject(objects, 'Deployment');
  const fullname = deployment.metadata.name;
  expect(fullname.length).toBeLessThanOrEqual(63);
  const template = (deployment as any).spec.template;
  // The sdk decoder reads back exactly what the values ask for.
  expect(decodePodContract(template.metadata, `${b.id} pod`)).toEqual(expectedContract(b.manifest, values, fullname));
  // Selector labels are the stable pair, and the pod template carries them.
  expect((deployment as any).spec.selector.matchLabels).toEqual({
    'app.kubernetes.io/name': b.manifest.name,
    'app.kubernetes.io/instance': release,
  });
  expect(template.metadata.labels).toMatchObject((deployment as any).spec.selector.matchLabels);
  expect((deployment as any).spec.replicas).toBe(values.replicaCount);
  // The config file the SDK reads is accepted by the SDK's own resolver.
  const config = findObject(objects, 'ConfigMap', '-config');
  const data = JSON.parse((config as any).data['config.json']);
  const resolved = resolveConfig(b.manifest, { file: { path: '/etc/nmaas/config.json', data } });
  expect(resolved.scheduleText.every).toBe(values.schedule.every);
  for (const p of b.manifest.parameters) {
    if (data.parameters[p.name] !== undefined) expect(resolved.parameters[p.name]).toEqual(values.parameters[p.name]);
  }
  // Pod security: restricted profile plus only the declared capabilities.
  const pod = template.spec;
  const container = pod.containers[0];
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  expect(container.securityContext).toMatchObject({
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  // Declared capabilities reach the non-root app only as file capabilities, which no_new_privs would disable.
  expect(container.securityContext.allowPrivilegeEscalation).toBe(b.manifest.capabilities.length > 0);
  expect(container.securityContext.capabilities.add ?? []).toEqual(b.manifest.capabilities.map((c) => c.name).sort());
  expect(container.resources).toEqual({
    requests: { cpu: `${values.resources.idle.cpuMillicores}m`, memory: `${values.resources.idle.memoryMiB}Mi` },
    limits: { cpu: `${values.resources.run.cpuMillicores}m`, memory: `${values.resources.run.memoryMiB}Mi` },
  });
  expect(container.volumeMounts).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ mountPath: '/etc/nmaas', readOnly: true }),
      expect.objectContaining({ mountPath: '/tmp' }),
    ]),
  );
  expect(container.env.map((e: { name: string }) => e.name)).toEqual(
    expect.arrayContaining(['NMAAS_NODE_NAME', 'NMAAS_POD_NAME', 'NMAAS_NAMESPACE']),
  );
  expect(container.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: 9464 });
  expect(container.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 9464 });
}

describe.each(HELM_VERSIONS)('helm %s', (version) => {
  it.each(ids)('lint --strict passes for %s', async (id) => {
    const { stdout } = await runHelm(['lint', '--strict', get(id).chartDir], { version });
    expect(stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it.each(ids)('renders %s with default values into valid objects carrying the contract', async (id) => {
    const b = get(id);
    const withMonitoring = await renderChart(b.chartDir, { version, apiVersions: MONITORING_APIS });
    checkRendered(withMonitoring, b, b.values, 'rel');
    // With default values the pods declare exactly what nmaas.yaml declares.
    const deployment = findObject(withMonitoring, 'Deployment') as any;
    expect(decodePodContract(deployment.spec.template.metadata)).toEqual(
      contractFromManifest(b.manifest, { spreadGroup: deployment.metadata.name }),
    );
    const kinds = withMonitoring.map((o) => o.kind).sort();
    expect(kinds).toEqual(
      [
        'ConfigMap',
        'ConfigMap',
        'Deployment',
        'NetworkPolicy',
        'PrometheusRule',
        'Service',
        'ServiceAccount',
        'ServiceMonitor',
      ].sort(),
    );
    // Without the operator's CRDs nothing needs them.
    const plain = await renderChart(b.chartDir, { version });
    expect(plain.map((o) => o.kind)).not.toContain('ServiceMonitor');
    expect(plain.map((o) => o.kind)).not.toContain('PrometheusRule');
    expect(plain.filter((o) => o.kind === 'ConfigMap')).toHaveLength(1);
  });
});

describe.each(HELM_VERSIONS)('helm %s package', (version) => {
  it.each(ids)('packages %s with the Rancher files and nmaas.yaml at the top level', async (id) => {
    const b = get(id);
    const dest = await mkdtemp(path.join(os.tmpdir(), 'nmaas-pkg-'));
    try {
      await runHelm(['package', b.chartDir, '--destination', dest], { version });
      const tgz = path.join(dest, `${b.manifest.name}-${b.manifest.version}.tgz`);
      const { stdout } = await run('tar', ['-tzf', tgz]);
      const entries = stdout.trim().split('\n');
      for (const file of [
        'Chart.yaml',
        'values.yaml',
        'values.schema.json',
        'questions.yaml',
        'app-readme.md',
        'README.md',
        'nmaas.yaml',
        'files/dashboard.json',
        'templates/NOTES.txt',
      ]) {
        expect(entries).toContain(`${b.manifest.name}/${file}`);
      }
    } finally {
      await rm(dest, { recursive: true, force: true });
    }
  });
});

describe('value sets from the Rancher form', () => {
  it.each(ids)('%s renders valid objects at the minimum and maximum of every form field', async (id) => {
    const b = get(id);
    const sets = formValueSets(b.questions);
    for (const p of b.manifest.parameters.filter((q) => q.type === 'duration')) {
      if (p.min !== undefined) setPath(sets.min, `parameters.${p.name}`, `${p.min}s`);
      if (p.max !== undefined) setPath(sets.max, `parameters.${p.name}`, `${p.max}s`);
    }
    for (const [name, set] of Object.entries(sets)) {
      const values = merged(b.values, set);
      const objects = await renderChart(b.chartDir, {
        values: set,
        apiVersions: MONITORING_APIS,
        release: `form-${name}`,
      });
      checkRendered(objects, b, values, `form-${name}`);
      const hasMonitor = objects.some((o) => o.kind === 'ServiceMonitor');
      expect(hasMonitor).toBe(values.serviceMonitor.enabled);
      expect(objects.some((o) => o.kind === 'NetworkPolicy')).toBe(values.networkPolicy.enabled);
    }
  });

  it('a restricted egress policy with extra rules and extra monitoring labels validates', async () => {
    const b = get('sdk/full');
    const objects = await renderChart(b.chartDir, {
      apiVersions: MONITORING_APIS,
      values: {
        networkPolicy: {
          allowAllEgress: false,
          extraEgress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 443, protocol: 'TCP' }] }],
        },
        serviceMonitor: { additionalLabels: { release: 'kube-prometheus-stack' } },
        prometheusRule: { additionalLabels: { release: 'kube-prometheus-stack' } },
        dashboard: { namespace: '', additionalLabels: { team: 'net' } },
        placement: { pool: '' },
      },
    });
    checkRendered(objects, b, merged(b.values, { placement: { pool: '' } }), 'rel');
    const policy = findObject(objects, 'NetworkPolicy') as any;
    expect(policy.spec.egress).toHaveLength(2);
    expect(policy.spec.egress[0].ports).toEqual([
      { port: 53, protocol: 'UDP' },
      { port: 53, protocol: 'TCP' },
    ]);
    expect(findObject(objects, 'ServiceMonitor').metadata.labels).toMatchObject({
      release: 'kube-prometheus-stack',
      'app.kubernetes.io/instance': 'rel',
    });
    expect(findObject(objects, 'PrometheusRule').metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    const dashboard = findObject(objects, 'ConfigMap', '-dashboard');
    expect(dashboard.metadata.namespace).toBe('measurements');
    expect(dashboard.metadata.labels).toMatchObject({ grafana_dashboard: '1', team: 'net' });
    expect(findObject(objects, 'Deployment') as any).not.toHaveProperty(
      'spec.template.spec.nodeSelector.nmaas\\.io/pool',
    );
  });

  it('keeps Prometheus {{ $labels }} and YAML 1.1 look-alikes intact', async () => {
    const b = get('charts-gen/every-field');
    const objects = await renderChart(b.chartDir, { apiVersions: MONITORING_APIS });
    const rule = findObject(objects, 'PrometheusRule') as any;
    // groups[0] holds the standard run alerts; the app's own follow.
    const rules = rule.spec.groups[1].rules;
    expect(rules[0].annotations.summary).toBe('Prefix {{ $labels.prefix }} is not filtered ({{ $value }})');
    expect(rules[1].annotations.summary).toBe('on');
    expect(rules[1].expr).toContain('> 900000001');
    const config = JSON.parse((findObject(objects, 'ConfigMap', '-config') as any).data['config.json']);
    expect(config.parameters).toMatchObject({ mode: 'on', switch: 'yes', count: 3, ratio: 0.25, verbose: false });
    // Optional parameters without default and left empty are not sent, so the SDK treats them as unset.
    expect(config.parameters).not.toHaveProperty('collector');
    expect(config.parameters).not.toHaveProperty('extraTargets');
    const dashboard = findObject(objects, 'ConfigMap', '-dashboard') as any;
    // The dashboard stays in the release namespace unless the user opts into another one.
    expect(dashboard.metadata.namespace).toBe('measurements');
    const json = JSON.parse(Object.values(dashboard.data)[0] as string);
    expect(JSON.stringify(json)).toContain('{{target}}');
    expect(json.panels.length).toBe(2 + b.manifest.metrics.length);
  });
});

describe('NOTES.txt', () => {
  it.each(ids)('renders for %s with and without the monitoring stack', async (id) => {
    const b = get(id);
    // helm template skips NOTES.txt: render a copy through tpl from an extra template in a scratch copy.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nmaas-notes-'));
    try {
      const copy = path.join(dir, b.manifest.name);
      await cp(b.chartDir, copy, { recursive: true });
      await cp(path.join(copy, 'templates/NOTES.txt'), path.join(copy, 'NOTES.copy'));
      await writeFile(
        path.join(copy, 'templates/notes-check.yaml'),
        'notes: {{ tpl (.Files.Get "NOTES.copy") . | toJson }}\n',
      );
      for (const apiVersions of [[], MONITORING_APIS]) {
        const objects = await renderChart(copy, { apiVersions, release: 'notes' });
        const notes = (objects.find((o) => 'notes' in o) as unknown as { notes: string }).notes;
        expect(notes).toContain(`is installed as release notes in namespace measurements`);
        expect(notes).toContain(`port-forward service/notes-${b.manifest.name}`.slice(0, 40));
        expect(notes.includes('prometheus-operator is not installed')).toBe(apiVersions.length === 0);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('values.schema.json and the chart checks reject bad values', () => {
  const chart = () => get('charts-gen/every-field').chartDir;
  const cases: { what: string; set?: string[]; setJson?: string[]; message: [RegExp, RegExp] }[] = [
    {
      what: 'an int above its max',
      set: ['parameters.count=1000'],
      message: [/parameters\.count: Must be less than or equal to 100/, /\/parameters\/count.*maximum/],
    },
    {
      what: 'a string for an int',
      set: ['parameters.count=many'],
      message: [
        /parameters\.count: Invalid type\. Expected: integer, given: string/,
        /\/parameters\/count.*got string, want integer/,
      ],
    },
    {
      what: 'a number below its min',
      setJson: ['parameters.ratio=0.01'],
      message: [/parameters\.ratio: Must be greater than or equal to 0\.1/, /\/parameters\/ratio.*minimum/],
    },
    {
      what: 'an enum value not offered',
      set: ['parameters.mode=maybe'],
      message: [/parameters\.mode.*must be one of/, /\/parameters\/mode.*value must be one of/],
    },
    {
      what: 'a period the form does not offer',
      set: ['schedule.every=7m'],
      message: [/schedule\.every.*must be one of/, /\/schedule\/every.*value must be one of/],
    },
    {
      what: 'too many list items',
      setJson: ['parameters.sources=["1","2","3","4","5","6","7","8","9"]'],
      message: [/parameters\.sources: Array must have at most 8 items/, /\/parameters\/sources.*maxItems/],
    },
    {
      what: 'a CPU below the declared run footprint',
      set: ['resources.run.cpuMillicores=10'],
      message: [
        /resources\.run\.cpuMillicores: Must be greater than or equal to 1000/,
        /\/resources\/run\/cpuMillicores.*minimum/,
      ],
    },
    {
      what: 'zero instances',
      set: ['replicaCount=0'],
      message: [/replicaCount: Must be greater than or equal to 1/, /\/replicaCount.*minimum/],
    },
    {
      what: 'a misspelt parameter',
      set: ['parameters.cuont=3'],
      message: [
        /parameters: Additional property cuont is not allowed/,
        /\/parameters.*additional properties 'cuont' not allowed/,
      ],
    },
    {
      what: 'a host name outside the declared pattern',
      set: ['parameters.probeHost=Probe-1.example.org'],
      message: [/parameters\.probeHost.*Does not match pattern/, /\/parameters\/probeHost.*does not match pattern/],
    },
    {
      what: 'a boolean as text',
      set: ['parameters.verbose=perhaps'],
      message: [
        /parameters\.verbose: Invalid type\. Expected: boolean/,
        /\/parameters\/verbose.*got string, want boolean/,
      ],
    },
  ];
  describe.each(HELM_VERSIONS)('helm %s', (version) => {
    it.each(cases)('fails on $what with the schema message', async ({ set, setJson, message }) => {
      const args = await helmTemplateArgs(chart(), { set, setJson });
      const error = await runHelm(args, { version }).then(
        () => null,
        (e: Error) => e,
      );
      expect(error, 'helm template should have failed').not.toBeNull();
      expect(error!.message).toMatch(version === '3.17' ? message[0] : message[1]);
    });

    it.each([
      {
        what: 'a run longer than its period',
        set: ['schedule.every=10m', 'schedule.duration=20m'],
        message: /schedule\.duration \(20m\) is longer than schedule\.every \(10m\)/,
      },
      {
        what: 'a start window longer than the period',
        set: ['schedule.startWithin=1h'],
        message: /schedule\.startWithin \(1h\) is longer than schedule\.every/,
      },
      {
        what: 'idle above run',
        set: ['resources.idle.memoryMiB=2000'],
        message: /resources\.idle\.memoryMiB \(2000\) is more than resources\.run\.memoryMiB/,
      },
      {
        what: 'a duration parameter above its max',
        set: ['parameters.interval=1m'],
        message: /parameters\.interval: 1m is above the maximum of 30 s/,
      },
      {
        what: 'a duration parameter below its min',
        set: ['parameters.interval=50ms'],
        message: /parameters\.interval: 50ms is below the minimum of 0\.1 s/,
      },
    ])('fails on $what with a message naming the value', async ({ set, message }) => {
      const error = await runHelm(await helmTemplateArgs(chart(), { set }), { version }).then(
        () => null,
        (e: Error) => e,
      );
      expect(error).not.toBeNull();
      expect(error!.message).toMatch(message);
    });
  });

  it('a required parameter without default fails the default install with the schema message', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nmaas-required-'));
    try {
      const { chartDir } = await synthesizeChart(
        path.resolve(apps[0]!.dir, '../../../../charts-gen/fixtures/apps/required-param'),
        dir,
      );
      const error = await runHelm(['template', 'rel', chartDir], { version: '3.17' }).then(
        () => null,
        (e: Error) => e,
      );
      expect(error!.message).toMatch(/parameters\.token: String length must be greater than or equal to 1/);
      const ok = await renderChart(chartDir, {
        setJson: ['parameters.targets=["https://a.example/"]'],
        set: ['parameters.token=abc'],
      });
      expect(JSON.parse((findObject(ok, 'ConfigMap', '-config') as any).data['config.json']).parameters).toEqual({
        targets: ['https://a.example/'],
        token: 'abc',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('release-scoped names', () => {
  const identity = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? 'measurements'}/${o.metadata.name}`;

  it.each(ids)('two releases of %s in one namespace share no object name', async (id) => {
    const b = get(id);
    const [one, two] = await Promise.all(
      ['alpha', 'beta'].map((release) => renderChart(b.chartDir, { release, apiVersions: MONITORING_APIS })),
    );
    const names = new Set(one!.map(identity));
    expect(two!.map(identity).filter((n) => names.has(n))).toEqual([]);
    const dashboardKey = (objs: K8sObject[]) =>
      Object.keys((findObject(objs, 'ConfigMap', '-dashboard') as any).data)[0];
    expect(dashboardKey(one!)).not.toBe(dashboardKey(two!));
    // In the release namespace the dashboard is named like the other objects: <fullname>-dashboard.
    for (const objs of [one!, two!])
      expect(findObject(objs, 'ConfigMap', '-dashboard').metadata.name).toBe(
        `${findObject(objs, 'Deployment').metadata.name}-dashboard`,
      );
  });

  it.each(ids)('names of %s stay within 63 characters and distinct for long release names', async (id) => {
    const b = get(id);
    // Helm allows release names up to 53 characters; these two share their first 50.
    const prefix = 'r'.repeat(50);
    const [one, two] = await Promise.all(
      [`${prefix}one`, `${prefix}two`].map((release) =>
        renderChart(b.chartDir, { release, apiVersions: MONITORING_APIS }),
      ),
    );
    for (const obj of [...one!, ...two!]) {
      validateObject(obj);
      expect(obj.metadata.name.length, identity(obj)).toBeLessThanOrEqual(63);
      for (const [k, v] of Object.entries(obj.metadata.labels ?? {}))
        expect(v.length, `${identity(obj)} label ${k}`).toBeLessThanOrEqual(63);
    }
    const names = new Set(one!.map(identity));
    expect(two!.map(identity).filter((n) => names.has(n))).toEqual([]);
    const deployment = findObject(one!, 'Deployment') as any;
    expect(decodePodContract(deployment.spec.template.metadata).spreadGroup).toBe(
      b.manifest.placement.spread ? deployment.metadata.name : null,
    );
  });
});
