/**
 * Renders a chart with the real helm (`helm template`), once per value set, and splits the
 * output into objects tagged with the template that produced them.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runHelm, HelmError, type HelmVersion } from '@nmaas/charts-gen';
import type { ValueSet } from './bounds.js';
import { decodeRendered, type DecodeCache, type DecodedObject, type DecodeProblem } from './decode.js';

/**
 * Release and namespace used for rendering when none is given: objects must land in the namespace.
 * Two different names, so that every occurrence of either in the output says which one it is.
 */
export const RENDER_RELEASE = 'nmaas-validate';
export const RENDER_NAMESPACE = 'nmaas-review';

/** How helm is told the chart is installed: a template may behave differently with each of these. */
export interface InstallContext {
  release: string;
  namespace: string;
  /** `--is-upgrade`: `.Release.IsUpgrade` true, `.Release.IsInstall` false. */
  upgrade?: boolean;
  /** `--kube-version`: `.Capabilities.KubeVersion`. */
  kubeVersion?: string;
}
/** Declared so that charts render their ServiceMonitor/PrometheusRule behind `.Capabilities.APIVersions`. */
const API_VERSIONS = [
  'monitoring.coreos.com/v1',
  'monitoring.coreos.com/v1/ServiceMonitor',
  'monitoring.coreos.com/v1/PrometheusRule',
];

export interface RenderResult {
  objects: DecodedObject[];
  /** What the decoder reads differently from a reviewer (duplicate keys) or cannot read. */
  problems: DecodeProblem[];
  error?: string;
  /** The chart itself refused the values (values.schema.json or a template `fail`), with its own message. */
  refused?: boolean;
}

/** Go template runtime errors: a broken template, not a deliberate refusal. */
const TEMPLATE_BUG =
  /nil pointer|can't evaluate|error calling|wrong type|not defined|unexpected|invalid value|cannot|function "/;

export function isRefusal(message: string): boolean {
  if (/values don't meet the specifications of the schema/.test(message)) return true;
  const m = /execution error at \([^)]*\):\s*(.*)/.exec(message);
  return m !== null && !TEMPLATE_BUG.test(m[1]!);
}

/** The objects of `helm template` output, decoded as Kubernetes decodes them (see decode.ts). */
export function parseRendered(stdout: string, chartName: string): DecodedObject[] {
  return decodeRendered(stdout, chartName).objects;
}

export async function renderChart(
  chartDir: string,
  chartName: string,
  set: ValueSet,
  workDir: string,
  helmVersion?: HelmVersion,
  context: InstallContext = { release: RENDER_RELEASE, namespace: RENDER_NAMESPACE },
  cache?: DecodeCache,
): Promise<RenderResult> {
  const out = await helmTemplate(chartDir, set.values, `values-${set.name}`, workDir, helmVersion, context);
  if ('stdout' in out) return decodeRendered(out.stdout, chartName, cache, context);
  return { objects: [], problems: [], error: out.error, refused: set.name !== 'defaults' && isRefusal(out.error) };
}

/** One `helm template` run: its output, or helm's own message (first lines) when it refuses or fails. */
export async function helmTemplate(
  chartDir: string,
  values: Record<string, unknown>,
  valuesName: string,
  workDir: string,
  helmVersion: HelmVersion | undefined,
  context: InstallContext,
): Promise<{ stdout: string } | { error: string }> {
  // CRDs in crds/ are installed by `helm install` but left out of `helm template` unless asked for.
  const args = ['template', context.release, chartDir, '--namespace', context.namespace, '--include-crds'];
  for (const api of API_VERSIONS) args.push('--api-versions', api);
  if (context.upgrade === true) args.push('--is-upgrade');
  if (context.kubeVersion !== undefined) args.push('--kube-version', context.kubeVersion);
  if (Object.keys(values).length > 0) {
    const file = path.join(workDir, `${valuesName.replace(/[^\w.-]/g, '_')}.json`);
    await writeFile(file, JSON.stringify(values));
    args.push('-f', file);
  }
  try {
    const { stdout } = await runHelm(args, {
      ...(helmVersion ? { version: helmVersion } : {}),
      timeoutMs: 60_000,
      env: {
        ...process.env,
        HELM_CONFIG_HOME: path.join(workDir, 'helm-config'),
        HELM_CACHE_HOME: path.join(workDir, 'helm-cache'),
        HELM_DATA_HOME: path.join(workDir, 'helm-data'),
      },
    });
    return { stdout };
  } catch (error) {
    if (error instanceof HelmError) {
      const message = (error.stderr.trim() || error.stdout.trim())
        .split('\n')
        .slice(0, 5)
        .join(' ')
        .replace(/\s*Use --debug flag to render out invalid YAML\s*$/, '');
      return { error: message };
    }
    throw error;
  }
}
