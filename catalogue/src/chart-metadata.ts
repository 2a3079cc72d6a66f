/**
 * Chart.yaml as Helm reads it (helm/helm pkg/chart/metadata.go): only the fields Helm knows, the
 * same validation (`Metadata.Validate`), and the same scalar handling: Helm decodes into typed Go
 * fields, so an unquoted `appVersion: 1.10` stays the text "1.10". We parse with the YAML
 * failsafe schema (every scalar a string) and convert the few non-string fields ourselves.
 */
import path from 'node:path';
import semverValid from 'semver/functions/valid.js';
import { yaml } from './lazy-yaml.js';
import { parseChartYamlFast } from './chart-yaml-fast.js';

export interface ChartMaintainer {
  name?: string;
  email?: string;
  url?: string;
}

export interface ChartDependency {
  name: string;
  version?: string;
  repository?: string;
  condition?: string;
  tags?: string[];
  enabled?: boolean;
  'import-values'?: unknown[];
  alias?: string;
}

/** The metadata fields Helm knows; everything else in Chart.yaml is ignored, as Helm does. */
export interface ChartMetadata {
  apiVersion: string;
  name: string;
  version: string;
  kubeVersion?: string;
  description?: string;
  type?: string;
  keywords?: string[];
  home?: string;
  sources?: string[];
  dependencies?: ChartDependency[];
  maintainers?: ChartMaintainer[];
  icon?: string;
  appVersion?: string;
  deprecated?: boolean;
  annotations?: Record<string, string>;
  condition?: string;
  tags?: string;
}

export class ChartError extends Error {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'ChartError';
  }
}

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUE = new Set(['true', 'True', 'TRUE', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'y', 'Y']);
const FALSE = new Set(['false', 'False', 'FALSE', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'n', 'N']);

function str(v: unknown, where: string, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ChartError(where, `${field} must be a string`);
  return NULLS.has(v) ? undefined : v;
}

function bool(v: unknown, where: string, field: string): boolean | undefined {
  const s = str(v, where, field);
  if (s === undefined) return undefined;
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw new ChartError(where, `${field} must be true or false, not ${s}`);
}

function strList(v: unknown, where: string, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new ChartError(where, `${field} must be a list of strings`);
  const out = v.map((x, i) => str(x, where, `${field}[${i}]`) ?? '');
  return out.length === 0 ? undefined : out;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Parses and validates Chart.yaml text. `where` names the file in errors. */
export function parseChartYaml(text: string, where: string): ChartMetadata {
  let raw: unknown = parseChartYamlFast(text);
  try {
    raw ??= yaml().parse(text, { schema: 'failsafe', uniqueKeys: true });
  } catch (error) {
    throw new ChartError(where, `is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const data = record(raw);
  if (!data) throw new ChartError(where, 'must be a YAML mapping with apiVersion, name and version');
  const m: ChartMetadata = {
    apiVersion: str(data.apiVersion, where, 'apiVersion') ?? '',
    name: str(data.name, where, 'name') ?? '',
    version: str(data.version, where, 'version') ?? '',
  };
  const optional = ['kubeVersion', 'description', 'type', 'home', 'icon', 'appVersion', 'condition', 'tags'] as const;
  for (const key of optional) {
    const value = str(data[key], where, key);
    if (value !== undefined) m[key] = value;
  }
  const keywords = strList(data.keywords, where, 'keywords');
  if (keywords) m.keywords = keywords;
  const sources = strList(data.sources, where, 'sources');
  if (sources) m.sources = sources;
  const deprecated = bool(data.deprecated, where, 'deprecated');
  if (deprecated !== undefined) m.deprecated = deprecated;
  if (data.annotations !== undefined && data.annotations !== null) {
    const a = record(data.annotations);
    if (!a) throw new ChartError(where, 'annotations must be a mapping of strings (quote values such as "true")');
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(a)) {
      if (typeof v !== 'string') throw new ChartError(where, `annotations.${k} must be a string`);
      annotations[k] = v;
    }
    if (Object.keys(annotations).length > 0) m.annotations = annotations;
  }
  if (data.maintainers !== undefined && data.maintainers !== null) {
    if (!Array.isArray(data.maintainers)) throw new ChartError(where, 'maintainers must be a list');
    m.maintainers = data.maintainers.map((x, i) => {
      const r = record(x);
      if (!r) throw new ChartError(where, `maintainers[${i}] must be a mapping with name, email, url`);
      const out: ChartMaintainer = {};
      for (const k of ['name', 'email', 'url'] as const) {
        const v = str(r[k], where, `maintainers[${i}].${k}`);
        if (v !== undefined) out[k] = v;
      }
      return out;
    });
  }
  if (data.dependencies !== undefined && data.dependencies !== null) {
    if (!Array.isArray(data.dependencies)) throw new ChartError(where, 'dependencies must be a list');
    m.dependencies = data.dependencies.map((x, i) => {
      const r = record(x);
      const at = `dependencies[${i}]`;
      if (!r) throw new ChartError(where, `${at} must be a mapping with name, version, repository`);
      const dep: ChartDependency = { name: str(r.name, where, `${at}.name`) ?? '' };
      for (const k of ['version', 'repository', 'condition', 'alias'] as const) {
        const v = str(r[k], where, `${at}.${k}`);
        if (v !== undefined) dep[k] = v;
      }
      const tags = strList(r.tags, where, `${at}.tags`);
      if (tags) dep.tags = tags;
      const enabled = bool(r.enabled, where, `${at}.enabled`);
      if (enabled !== undefined) dep.enabled = enabled;
      if (Array.isArray(r['import-values'])) dep['import-values'] = [...r['import-values']];
      return dep;
    });
  }
  validateMetadata(m, where);
  return m;
}

/** Helm's Metadata.Validate, with messages that say how to fix the field. */
export function validateMetadata(m: ChartMetadata, where: string): void {
  if (m.apiVersion === '') throw new ChartError(where, 'apiVersion is required; use apiVersion: v2');
  if (m.apiVersion !== 'v1' && m.apiVersion !== 'v2')
    throw new ChartError(where, `apiVersion ${m.apiVersion} is unknown; use v2`);
  if (m.name === '') throw new ChartError(where, 'name is required');
  if (m.name === '.' || m.name === '..' || m.name !== path.posix.basename(m.name) || m.name.includes('\\')) {
    throw new ChartError(where, `name ${JSON.stringify(m.name)} must not contain a path separator or be . or ..`);
  }
  // Helm would accept a leading dot, but the package would be a hidden file that servers (ours included) refuse to serve.
  if (m.name.startsWith('.'))
    throw new ChartError(
      where,
      `name ${JSON.stringify(m.name)} starts with a dot; use lower-case letters, digits and '-'`,
    );
  if (m.version === '') throw new ChartError(where, 'version is required (a semantic version such as 1.0.0)');
  if (semverValid(m.version) === null)
    throw new ChartError(where, `version ${m.version} is not a semantic version; use MAJOR.MINOR.PATCH such as 1.0.0`);
  if (m.type !== undefined && m.type !== 'application' && m.type !== 'library') {
    throw new ChartError(where, `type ${m.type} is invalid; use application or library`);
  }
  const seen = new Set<string>();
  for (const dep of m.dependencies ?? []) {
    if (dep.name === '') throw new ChartError(where, 'every dependency needs a name');
    const key = dep.alias ?? dep.name;
    if (seen.has(key)) throw new ChartError(where, `more than one dependency is named ${key}; give one an alias`);
    seen.add(key);
  }
}

/** The file name Helm gives a package. */
export function packageFileName(m: Pick<ChartMetadata, 'name' | 'version'>): string {
  return `${m.name}-${m.version}.tgz`;
}
