/**
 * Renders a chart with the real helm (`helm template`), once per value set, and splits the
 * output into objects tagged with the template that produced them.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runHelm, HelmError, type HelmVersion } from '@nmaas/charts-gen';
import type { K8sObject } from '../types.js';
import type { ValueSet } from './bounds.js';

/** Release and namespace used for rendering: objects must land in RENDER_NAMESPACE. */
export const RENDER_RELEASE = 'nmaas-validate';
export const RENDER_NAMESPACE = 'nmaas-validate';
/** Declared so that charts render their ServiceMonitor/PrometheusRule behind `.Capabilities.APIVersions`. */
const API_VERSIONS = ['monitoring.coreos.com/v1', 'monitoring.coreos.com/v1/ServiceMonitor', 'monitoring.coreos.com/v1/PrometheusRule'];

export interface RenderResult {
  objects: { object: K8sObject; source?: string }[];
  error?: string;
  /** The chart itself refused the values (values.schema.json or a template `fail`), with its own message. */
  refused?: boolean;
}

/** Go template runtime errors: a broken template, not a deliberate refusal. */
const TEMPLATE_BUG = /nil pointer|can't evaluate|error calling|wrong type|not defined|unexpected|invalid value|cannot|function "/;

export function isRefusal(message: string): boolean {
  if (/values don't meet the specifications of the schema/.test(message)) return true;
  const m = /execution error at \([^)]*\):\s*(.*)/.exec(message);
  return m !== null && !TEMPLATE_BUG.test(m[1]!);
}

export function parseRendered(stdout: string, chartName: string): { object: K8sObject; source?: string }[] {
  const out: { object: K8sObject; source?: string }[] = [];
  for (const doc of parseAllDocuments(stdout)) {
    if (doc.errors.length > 0) throw new Error(`helm output does not parse as YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const comment = `${doc.commentBefore ?? ''}\n${(doc.contents as { commentBefore?: string } | null)?.commentBefore ?? ''}`;
    const m = /Source:\s*(\S+)/.exec(comment);
    const item: { object: K8sObject; source?: string } = { object: value as K8sObject };
    if (m) item.source = m[1]!.startsWith(`${chartName}/`) ? m[1]!.slice(chartName.length + 1) : m[1]!;
    // A List would smuggle objects past per-object checks: flatten it.
    if (item.object.kind === 'List' && Array.isArray((item.object as { items?: unknown }).items)) {
      for (const inner of (item.object as { items: unknown[] }).items) {
        if (inner !== null && typeof inner === 'object') out.push({ object: inner as K8sObject, ...(item.source ? { source: item.source } : {}) });
      }
    } else out.push(item);
  }
  return out;
}

export async function renderChart(chartDir: string, chartName: string, set: ValueSet, workDir: string, helmVersion?: HelmVersion): Promise<RenderResult> {
  // CRDs in crds/ are installed by `helm install` but left out of `helm template` unless asked for.
  const args = ['template', RENDER_RELEASE, chartDir, '--namespace', RENDER_NAMESPACE, '--include-crds'];
  for (const api of API_VERSIONS) args.push('--api-versions', api);
  if (Object.keys(set.values).length > 0) {
    const file = path.join(workDir, `values-${set.name}.json`);
    await writeFile(file, JSON.stringify(set.values));
    args.push('-f', file);
  }
  try {
    const { stdout } = await runHelm(args, { ...(helmVersion ? { version: helmVersion } : {}), timeoutMs: 60_000, env: { ...process.env, HELM_CONFIG_HOME: path.join(workDir, 'helm-config'), HELM_CACHE_HOME: path.join(workDir, 'helm-cache'), HELM_DATA_HOME: path.join(workDir, 'helm-data') } });
    return { objects: parseRendered(stdout, chartName) };
  } catch (error) {
    if (error instanceof HelmError) {
      const message = (error.stderr.trim() || error.stdout.trim()).split('\n').slice(0, 5).join(' ').replace(/\s*Use --debug flag to render out invalid YAML\s*$/, '');
      return { objects: [], error: message, refused: set.name !== 'defaults' && isRefusal(message) };
    }
    throw error;
  }
}
