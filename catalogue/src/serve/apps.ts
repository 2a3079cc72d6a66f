/**
 * What the browse page and `/api/apps` show about each chart: the index entry (versions,
 * digests) plus, for the newest version, the app declaration charts-gen copies into every chart
 * (`<name>/nmaas.yaml`): schedule, resources per run, placement rules and capabilities with
 * their justifications. Plain charts without nmaas.yaml are listed from Chart.yaml alone.
 * The result is cached until index.yaml changes (a published package never changes).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { yaml } from '../lazy-yaml.js';
import { IndexError, parseIndex, sortIndex, type ChartVersionEntry, type IndexFile } from '../index-file.js';
import { ChartError } from '../chart-metadata.js';
import { readArchive } from '../tgz.js';
import { CHART_ANNOTATIONS } from '@nmaas/sdk/contract';
import { BoundedReadError, readBoundedFile } from '@nmaas/sdk/kit';

export interface AppVersion {
  version: string;
  appVersion?: string;
  created: string;
  digest: string;
  url: string;
  provenance?: string;
  deprecated?: boolean;
}

export interface AppSummary {
  name: string;
  displayName: string;
  description: string;
  category: string;
  keywords: string[];
  home?: string;
  kubeVersion?: string;
  /** URL of the icon (served by us for icons shipped in the chart), if any. */
  icon?: string;
  latest: string;
  versions: AppVersion[];
  /** From the newest version's nmaas.yaml; null for charts that are not NMaaS apps. */
  measurement: {
    schedule: { every?: string; duration?: string; startWithin?: string };
    resources: { run?: Record<string, string>; idle?: Record<string, string> };
    placement: {
      nodeSelector?: Record<string, string>;
      affinity?: string[];
      antiAffinity?: string[];
      exclusive?: boolean;
      spread?: boolean;
    };
    capabilities: { name: string; justification: string }[];
    parameters: { name: string; type: string; label: string; default?: unknown }[];
    maintainers: { name: string; email?: string; url?: string }[];
    license?: string;
  } | null;
}

export interface Catalogue {
  generated: string;
  apps: AppSummary[];
  /** name@version → icon file bytes and type, for `/api/apps/<name>/<version>/icon`. */
  icons: Map<string, { data: Buffer; type: string }>;
}

const ICON_TYPES: Record<string, string> = {
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
const asString = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
const asStrings = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(asString).filter((x): x is string => x !== undefined) : [];

/** Resolves an index url to a file inside the repository, or null (absolute URLs, escapes). */
export function localFileForUrl(repoDir: string, url: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('/')) return null;
  const file = path.resolve(repoDir, ...url.split('/'));
  return file.startsWith(path.resolve(repoDir) + path.sep) ? file : null;
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => null))?.isFile() === true;
}

async function summarise(
  repoDir: string,
  name: string,
  entries: ChartVersionEntry[],
  icons: Catalogue['icons'],
): Promise<AppSummary> {
  const newest = entries[0]!;
  const versions: AppVersion[] = [];
  for (const e of entries) {
    const url = e.urls[0]!;
    const file = localFileForUrl(repoDir, url);
    const v: AppVersion = { version: e.version, created: e.created, digest: e.digest, url };
    if (e.appVersion) v.appVersion = e.appVersion;
    if (e.deprecated) v.deprecated = true;
    if (file && (await exists(`${file}.prov`))) v.provenance = `${url}.prov`;
    versions.push(v);
  }
  let manifest: Record<string, unknown> | null = null;
  let icon: string | undefined = newest.icon && /^https:\/\//.test(newest.icon) ? newest.icon : undefined;
  const file = localFileForUrl(repoDir, newest.urls[0]!);
  if (file && (await exists(file))) {
    try {
      const files = readArchive(await readFile(file));
      const text = files.find((f) => f.path === `${name}/nmaas.yaml`);
      if (text) {
        manifest = asRecord(yaml().parse(text.data.toString('utf8')));
        const iconName = asString(manifest.icon);
        if (iconName && !/^https?:\/\//.test(iconName)) {
          const inChart = path.posix.normalize(iconName);
          const iconFile = files.find((f) => f.path === `${name}/${inChart}`);
          const type = ICON_TYPES[path.posix.extname(inChart).toLowerCase()];
          if (iconFile && type) {
            icons.set(`${name}@${newest.version}`, { data: iconFile.data, type });
            icon = `api/apps/${encodeURIComponent(name)}/${encodeURIComponent(newest.version)}/icon`;
          }
        } else if (iconName?.startsWith('https://')) icon = iconName;
      }
    } catch {
      // A damaged package still lists with its index metadata; `helm pull` would report the damage.
    }
  }
  const annotations = newest.annotations ?? {};
  const summary: AppSummary = {
    name,
    displayName: asString(manifest?.displayName) ?? annotations['catalog.cattle.io/display-name'] ?? name,
    description: asString(manifest?.description) ?? newest.description ?? '',
    category: asString(manifest?.category) ?? annotations[CHART_ANNOTATIONS.category] ?? 'other',
    keywords: manifest ? asStrings(manifest.keywords) : (newest.keywords ?? []),
    latest: newest.version,
    versions,
    measurement: null,
  };
  if (newest.home) summary.home = newest.home;
  if (newest.kubeVersion) summary.kubeVersion = newest.kubeVersion;
  if (icon) summary.icon = icon;
  if (manifest) {
    const schedule = asRecord(manifest.schedule);
    const resources = asRecord(manifest.resources);
    const placement = asRecord(manifest.placement);
    const strMap = (v: unknown) =>
      Object.fromEntries(Object.entries(asRecord(v)).map(([k, x]) => [k, asString(x) ?? '']));
    summary.measurement = {
      schedule: {
        every: asString(schedule.every),
        duration: asString(schedule.duration),
        startWithin: asString(schedule.startWithin),
      },
      resources: { run: strMap(resources.run), idle: strMap(resources.idle) },
      placement: {
        nodeSelector: strMap(placement.nodeSelector),
        affinity: asStrings(placement.affinity),
        antiAffinity: asStrings(placement.antiAffinity),
        exclusive: placement.exclusive === true,
        spread: placement.spread === true,
      },
      capabilities: (Array.isArray(manifest.capabilities) ? manifest.capabilities : []).map((c) => ({
        name: asString(asRecord(c).name) ?? '',
        justification: asString(asRecord(c).justification) ?? '',
      })),
      parameters: (Array.isArray(manifest.parameters) ? manifest.parameters : []).map((p) => {
        const r = asRecord(p);
        return {
          name: asString(r.name) ?? '',
          type: asString(r.type) ?? 'string',
          label: asString(r.label) ?? '',
          ...(r.default !== undefined ? { default: r.default } : {}),
        };
      }),
      maintainers: (Array.isArray(manifest.maintainers) ? manifest.maintainers : []).map((m) => {
        const r = asRecord(m);
        return {
          name: asString(r.name) ?? '',
          ...(asString(r.email) ? { email: asString(r.email) } : {}),
          ...(asString(r.url) ? { url: asString(r.url) } : {}),
        };
      }),
      ...(asString(manifest.license) ? { license: asString(manifest.license) } : {}),
    };
  }
  return summary;
}

/**
 * parseIndex for the server: every way the index can be bad (YAML, shape, an entry's chart
 * metadata) is an IndexError, which the server answers with 503 and refuses at start.
 */
export function parseServedIndex(text: string, indexPath: string): IndexFile {
  try {
    return parseIndex(text, indexPath);
  } catch (error) {
    if (!(error instanceof ChartError)) throw error;
    const detail = error.message.startsWith(`${indexPath} `)
      ? error.message.slice(indexPath.length + 1)
      : error.message;
    throw new IndexError(indexPath, `${detail}; rebuild the repository with \`nmaas catalogue build\``);
  }
}

/**
 * The most of index.yaml the server reads: several times the largest public chart repository's
 * (Bitnami's full index, about 25 MB), and far more than a measurement catalogue writes. A larger
 * file (a mistake, or planted) would otherwise be read whole into memory on every reload.
 */
export const MAX_INDEX_BYTES = 64 * 1024 * 1024;

/** The text of a served repository's index.yaml, null when there is none; IndexError when too large to read. */
export async function readIndexText(indexPath: string): Promise<string | null> {
  try {
    return (await readBoundedFile(indexPath, MAX_INDEX_BYTES)).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (!(error instanceof BoundedReadError)) throw error;
    const what = error.message.startsWith(`${indexPath} `) ? error.message.slice(indexPath.length + 1) : error.message;
    throw new IndexError(indexPath, `${what}; rebuild the repository with \`nmaas catalogue build\``);
  }
}

export async function loadCatalogue(repoDir: string): Promise<Catalogue> {
  const indexPath = path.join(repoDir, 'index.yaml');
  const text = await readIndexText(indexPath);
  if (text === null) return { generated: '', apps: [], icons: new Map() };
  const index = sortIndex(parseServedIndex(text, indexPath));
  const icons: Catalogue['icons'] = new Map();
  const apps: AppSummary[] = [];
  for (const [name, entries] of Object.entries(index.entries)) {
    const live = entries.filter((e) => !e.removed);
    if (live.length > 0) apps.push(await summarise(repoDir, name, live, icons));
  }
  return { generated: index.generated, apps, icons };
}

/**
 * Reloads the catalogue when index.yaml changed, and at least every `maxAgeMs` (a provenance file
 * can be added to a published version without touching the index).
 */
export function catalogueCache(repoDir: string, maxAgeMs = 10_000): () => Promise<Catalogue> {
  let key = '';
  let loadedAt = 0;
  let current: Promise<Catalogue> | null = null;
  return async () => {
    const info = await stat(path.join(repoDir, 'index.yaml')).catch(() => null);
    const next = info ? `${info.ino}-${info.size}-${info.mtimeMs}` : 'none';
    if (current === null || next !== key || Date.now() - loadedAt > maxAgeMs) {
      key = next;
      loadedAt = Date.now();
      current = loadCatalogue(repoDir);
      current.catch(() => {
        key = '';
      });
    }
    return current;
  };
}
