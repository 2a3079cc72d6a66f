/**
 * Shared by charts-gen's tests (not shipped): the fixture apps, real `helm template` parsed the
 * way Kubernetes parses it (YAML 1.1), and schema validation of the rendered objects with
 * kubernetes-models and @kubernetes-models/prometheus-operator.
 */
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { withTempDir } from '@nmaas/sdk/testing';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { ServiceAccount, ConfigMap, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ServiceMonitor, PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { runHelm, type HelmVersion } from '../helm.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..', '..');

/** Every app the charts are checked on: the sdk fixtures, ours (every model field), and the examples present. */
export function fixtureApps(): { id: string; dir: string }[] {
  const apps = [
    { id: 'sdk/minimal', dir: path.join(REPO_ROOT, 'sdk/fixtures/apps/minimal') },
    { id: 'sdk/full', dir: path.join(REPO_ROOT, 'sdk/fixtures/apps/full') },
    { id: 'charts-gen/every-field', dir: path.join(REPO_ROOT, 'charts-gen/fixtures/apps/every-field') },
    { id: 'charts-gen/long-name', dir: path.join(REPO_ROOT, 'charts-gen/fixtures/apps/long-name') },
  ];
  const examples = path.join(REPO_ROOT, 'examples');
  if (existsSync(examples)) {
    for (const name of readdirSync(examples).sort()) {
      const dir = path.join(examples, name);
      if (existsSync(path.join(dir, 'nmaas.yaml'))) apps.push({ id: `examples/${name}`, dir });
    }
  }
  return apps;
}

export const MONITORING_APIS = [
  'monitoring.coreos.com/v1',
  'monitoring.coreos.com/v1/ServiceMonitor',
  'monitoring.coreos.com/v1/PrometheusRule',
];

export interface RenderOptions {
  release?: string;
  namespace?: string;
  values?: unknown;
  set?: string[];
  setJson?: string[];
  apiVersions?: string[];
  version?: HelmVersion;
}

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
};

/** `valuesDir` receives the values file when `options.values` is given; the caller removes it. */
export async function helmTemplateArgs(
  chartDir: string,
  options: RenderOptions,
  valuesDir?: string,
): Promise<string[]> {
  const args = ['template', options.release ?? 'rel', chartDir, '--namespace', options.namespace ?? 'measurements'];
  if (options.values !== undefined) {
    if (valuesDir === undefined) throw new Error('helmTemplateArgs: give a folder for the values file');
    const file = path.join(valuesDir, 'values.json');
    await writeFile(file, JSON.stringify(options.values));
    args.push('-f', file);
  }
  for (const s of options.set ?? []) args.push('--set', s);
  for (const s of options.setJson ?? []) args.push('--set-json', s);
  for (const a of options.apiVersions ?? []) args.push('--api-versions', a);
  return args;
}

/** Renders with real helm and parses the documents as YAML 1.1, like go-yaml in Kubernetes. */
export async function renderChart(chartDir: string, options: RenderOptions = {}): Promise<K8sObject[]> {
  const { stdout } = await withTempDir(
    async (dir) => runHelm(await helmTemplateArgs(chartDir, options, dir), { version: options.version ?? '3.17' }),
    'values',
  );
  return parseManifests(stdout);
}

export function parseManifests(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text, { version: '1.1' })) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as K8sObject | null;
    if (value !== null) out.push(value);
  }
  return out;
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

/** Throws with the object and the schema's message when an object does not validate. */
export function validateObject(obj: K8sObject): void {
  const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!Model) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}`);
  try {
    new Model(obj as never).validate();
  } catch (error) {
    throw new Error(`${obj.kind} ${obj.metadata?.name}: ${(error as Error).message}`);
  }
}

/** `role` tells the two ConfigMaps apart: `-config` holds config.json, `-dashboard` the Grafana dashboard. */
export function findObject(objects: K8sObject[], kind: string, role?: '-config' | '-dashboard'): K8sObject {
  const matches = (o: K8sObject) =>
    role === undefined
      ? true
      : role === '-config'
        ? (o as { data?: Record<string, string> }).data?.['config.json'] !== undefined
        : o.metadata.labels?.grafana_dashboard === '1';
  const found = objects.find((o) => o.kind === kind && matches(o));
  if (!found) throw new Error(`no ${kind} in the rendered chart (kinds: ${objects.map((o) => o.kind).join(', ')})`);
  return found;
}

/** Sets `value` at a dotted path in a nested object. */
export function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]!] = value;
}

interface FormQuestion {
  variable: string;
  type: string;
  default: unknown;
  min?: number;
  max?: number;
  options?: string[];
}

/**
 * Value sets a user can produce with the Rancher form: every bounded question at its minimum (or
 * at its maximum), enums at their first (last) option, booleans off (on). The schedule stays
 * consistent the way the form's help text asks (startWithin emptied when the period shrinks).
 */
export function formValueSets(questions: FormQuestion[]): {
  min: Record<string, unknown>;
  max: Record<string, unknown>;
} {
  const min: Record<string, unknown> = {};
  const max: Record<string, unknown> = {};
  for (const q of questions) {
    const pick = (end: 'min' | 'max'): unknown => {
      const bound = end === 'min' ? q.min : q.max;
      if ((q.type === 'int' || q.type === 'float') && bound !== undefined) return bound;
      if (q.type === 'enum' && q.options && q.options.length > 0)
        return end === 'min' ? q.options[0] : q.options[q.options.length - 1];
      if (q.type === 'boolean') return end === 'max';
      if (q.type === 'array[string]' && Array.isArray(q.default)) {
        // Without a default there is no item known to match the parameter's pattern: keep the list empty.
        if (q.default.length === 0) return q.default;
        const items = q.default as string[];
        const count = bound ?? items.length;
        return Array.from({ length: count }, (_, i) => items[i % items.length]);
      }
      return q.default;
    };
    setPath(min, q.variable, pick('min'));
    setPath(max, q.variable, pick('max'));
  }
  setPath(min, 'schedule.startWithin', '');
  return { min, max };
}

/** rancher/dashboard shell/components/Questions: the types it renders (others fall back to string). */
export const DASHBOARD_QUESTION_TYPES: ReadonlySet<string> = new Set([
  'string',
  'hostname',
  'multiline',
  'password',
  'text',
  'boolean',
  'enum',
  'int',
  'float',
  'questionMap',
  'reference',
  'configmap',
  'secret',
  'storageclass',
  'pvc',
  'cloudcredential',
  'radio',
  'yaml',
]);
