/**
 * index.yaml with only the fields Helm knows (helm/helm pkg/repo/index.go). Helm loads the index
 * with yaml.UnmarshalStrict, so an unknown key makes older clients reject the whole repository;
 * entries are written newest first, keys in the order Go's YAML encoder uses (sorted), and
 * strings quoted by YAML 1.1 rules so `yes`/`on` never turn into booleans for Go.
 */
import { yaml } from './lazy-yaml.js';
import semverRcompare from 'semver/functions/rcompare.js';
import { validateMetadata, type ChartMetadata } from './chart-metadata.js';
import { toYamlSorted } from './yaml-emit.js';

export interface ChartVersionEntry extends ChartMetadata {
  urls: string[];
  created: string;
  digest: string;
  removed?: boolean;
}

export interface IndexFile {
  apiVersion: 'v1';
  generated: string;
  entries: Record<string, ChartVersionEntry[]>;
}

const METADATA_KEYS = [
  'name',
  'home',
  'sources',
  'version',
  'description',
  'keywords',
  'maintainers',
  'icon',
  'apiVersion',
  'condition',
  'tags',
  'appVersion',
  'deprecated',
  'annotations',
  'kubeVersion',
  'dependencies',
  'type',
] as const;
const ENTRY_KEYS = new Set<string>([...METADATA_KEYS, 'urls', 'created', 'digest', 'removed']);

export class IndexError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'IndexError';
  }
}

export function emptyIndex(generated: string): IndexFile {
  return { apiVersion: 'v1', generated, entries: {} };
}

/** An index entry for a chart: its metadata (Helm's fields only) plus urls, created, digest. */
export function makeEntry(metadata: ChartMetadata, url: string, created: string, digest: string): ChartVersionEntry {
  const entry: Record<string, unknown> = {};
  for (const key of METADATA_KEYS) {
    const value = metadata[key];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    entry[key] = value;
  }
  return { ...(entry as unknown as ChartMetadata), urls: [url], created, digest };
}

/** Parses an existing index.yaml; refuses unknown fields like Helm's strict loader. */
export function parseIndex(text: string, file: string): IndexFile {
  let data: unknown;
  try {
    // YAML 1.2 core schema: timestamps stay strings, so entries written by other tools keep their exact `created`.
    data = yaml().parse(text, { uniqueKeys: true });
  } catch (error) {
    throw new IndexError(
      file,
      `is not valid YAML (${(error as Error).message.split('\n')[0]}); restore it from backup or rebuild the repository`,
    );
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new IndexError(file, 'is not a Helm repository index (expected a mapping)');
  const raw = data as Record<string, unknown>;
  const apiVersion = raw.apiVersion ?? 'v1';
  if (apiVersion !== 'v1') throw new IndexError(file, `apiVersion ${String(apiVersion)} is not v1`);
  const entries: Record<string, ChartVersionEntry[]> = {};
  const rawEntries = raw.entries ?? {};
  if (typeof rawEntries !== 'object' || rawEntries === null || Array.isArray(rawEntries))
    throw new IndexError(file, 'entries must be a mapping of chart names');
  for (const [name, list] of Object.entries(rawEntries as Record<string, unknown>)) {
    if (!Array.isArray(list)) throw new IndexError(file, `entries.${name} must be a list`);
    entries[name] = list.map((item, i) => {
      const at = `entries.${name}[${i}]`;
      if (item === null || typeof item !== 'object') throw new IndexError(file, `${at} must be a mapping`);
      const e = item as Record<string, unknown>;
      const unknown = Object.keys(e).filter((k) => !ENTRY_KEYS.has(k));
      if (unknown.length > 0) throw new IndexError(file, `${at} has fields Helm does not know: ${unknown.join(', ')}`);
      if (typeof e.digest !== 'string' || !/^[a-f0-9]{64}$/.test(e.digest))
        throw new IndexError(file, `${at}.digest must be a sha256 hex digest`);
      if (!Array.isArray(e.urls) || e.urls.length === 0)
        throw new IndexError(file, `${at}.urls must list the chart's URL`);
      const created = e.created instanceof Date ? e.created.toISOString() : String(e.created ?? '');
      for (const key of ['version', 'appVersion'] as const)
        if (e[key] !== undefined && typeof e[key] !== 'string') e[key] = String(e[key]);
      const entry = { ...(e as unknown as ChartVersionEntry), created };
      validateMetadata(entry, `${file} ${at}`);
      return entry;
    });
  }
  const generated = raw.generated instanceof Date ? raw.generated.toISOString() : String(raw.generated ?? '');
  return { apiVersion: 'v1', generated, entries };
}

/** Entries of every chart sorted newest first (Helm's SortEntries); chart names sorted. */
export function sortIndex(index: IndexFile): IndexFile {
  const entries: Record<string, ChartVersionEntry[]> = {};
  for (const name of Object.keys(index.entries).sort()) {
    entries[name] = [...index.entries[name]!].sort((a, b) => semverRcompare(a.version, b.version));
  }
  return { ...index, entries };
}

export function stringifyIndex(index: IndexFile): string {
  const sorted = sortIndex(index);
  return toYamlSorted({ apiVersion: 'v1', entries: sorted.entries, generated: sorted.generated });
}

export function findEntry(index: IndexFile, name: string, version: string): ChartVersionEntry | undefined {
  return index.entries[name]?.find((e) => e.version === version);
}
