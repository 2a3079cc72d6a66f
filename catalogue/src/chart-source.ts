/**
 * Reads a chart folder the way `helm package` does (helm/helm pkg/chart/loader/directory.go and
 * pkg/chartutil/save.go) and returns the archive entries in Helm's order: Chart.yaml, Chart.lock,
 * values.yaml, values.schema.json, templates/…, the other files, then each subchart under
 * charts/<name>/…. Directories are walked in byte order of their entries, as Go's filepath.Walk
 * does; `.helmignore` applies. Helm orders subcharts by map iteration (random); we sort them by
 * name so the bytes are reproducible.
 */
import { closeSync, openSync, readdirSync, readSync, realpathSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { parseChartYaml, ChartError, type ChartMetadata } from './chart-metadata.js';
import { DEFAULT_IGNORE_RULES, isIgnored, parseHelmignore, type IgnoreRule } from './helmignore.js';
import { readArchive, type ArchiveFile } from './tgz.js';

export interface ChartFile {
  /** Path relative to the chart root, `/`-separated. */
  name: string;
  data: Buffer;
}

export interface LoadedChart {
  metadata: ChartMetadata;
  /** The chart's own files (relative names), in Helm's save order, subcharts excluded. */
  files: ChartFile[];
  subcharts: LoadedChart[];
  /** Where the chart came from, for messages. */
  source: string;
}

const ASCII = /^[\x00-\x7f]*$/;
// Go sorts names by their UTF-8 bytes; for ASCII names that is plain string order, which needs no
// encoding per comparison.
const byteOrder = (a: string, b: string) =>
  ASCII.test(a) && ASCII.test(b) ? (a < b ? -1 : a > b ? 1 : 0) : Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * Reads a whole small file with open/read/close only (readFile also calls fstat): on this kind of
 * virtualised disk each metadata call is a measurable part of packaging a chart.
 */
// One scratch buffer for all reads (the event loop runs one read at a time): a file costs one
// allocation of its exact size.
const scratch = Buffer.allocUnsafe(256 * 1024);

function readSmallFile(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    for (;;) {
      const n = readSync(fd, scratch, 0, scratch.length, null);
      if (n === 0) break;
      chunks.push(Buffer.from(scratch.subarray(0, n)));
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  } finally {
    closeSync(fd);
  }
}

/**
 * Walks `root` like Go's filepath.Walk with symlinks followed (Helm uses sympath.Walk), applying
 * ignore rules. Listings and reads are synchronous: the files are small and in the page cache, and
 * handing each call to the thread pool cost more than the call itself (a wake-up and a context
 * switch per call, which on a loaded machine also preempts the main thread).
 */
function walk(root: string, rootEntries: Dirent[], rules: IgnoreRule[]): ChartFile[] {
  let realRoot: string | undefined; // only needed when the chart has symbolic links
  const out: ChartFile[] = [];
  const visit = (dir: string, rel: string, listed?: Dirent[]): void => {
    const entries = (listed ?? readdirSync(dir, { withFileTypes: true })).sort((a, b) => byteOrder(a.name, b.name));
    for (const entry of entries) {
      // `dir` is absolute and normalised and a listed name holds no separator: no path.join needed.
      const full = dir + path.sep + entry.name;
      const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        // Follow links only when they stay inside the chart: a link out of it would package
        // files the chart's author never reviewed.
        realRoot ??= realpathSync.native(root);
        let target: string;
        try {
          target = realpathSync.native(full);
        } catch {
          throw new ChartError(full, 'is a broken symbolic link; remove it or add it to .helmignore');
        }
        if (target !== realRoot && !target.startsWith(realRoot + path.sep)) {
          throw new ChartError(
            full,
            `is a symbolic link to ${target}, outside the chart; copy the file into the chart instead`,
          );
        }
        const info = statSync(full);
        isDir = info.isDirectory();
        isFile = info.isFile();
      }
      if (isDir) {
        if (!isIgnored(rules, relPath, true)) visit(full, relPath);
      } else if (isFile) {
        if (!isIgnored(rules, relPath, false)) out.push({ name: relPath, data: readSmallFile(full) });
      } else if (!isIgnored(rules, relPath, false)) {
        throw new ChartError(
          full,
          'is not a regular file (device, socket or pipe); Helm cannot package it — remove it or add it to .helmignore',
        );
      }
    }
  };
  visit(root, '', rootEntries);
  return out;
}

/** Sorts a flat list of chart files (relative names) into a chart, as Helm's LoadFiles + save do. */
export async function chartFromFiles(files: ChartFile[], source: string): Promise<LoadedChart> {
  const chartYaml = files.find((f) => f.name === 'Chart.yaml');
  if (!chartYaml) throw new ChartError(source, 'has no Chart.yaml; a chart folder needs Chart.yaml at its root');
  const metadata = parseChartYaml(chartYaml.data.toString('utf8'), path.join(source, 'Chart.yaml'));
  const lock = files.find((f) => f.name === 'Chart.lock');
  const values = files.find((f) => f.name === 'values.yaml');
  const schema = files.find((f) => f.name === 'values.schema.json');
  if (schema) {
    try {
      JSON.parse(schema.data.toString('utf8'));
    } catch (error) {
      throw new ChartError(
        path.join(source, 'values.schema.json'),
        `is not valid JSON (${(error as Error).message}); Helm refuses to package it`,
      );
    }
  }
  const templates: ChartFile[] = [];
  const others: ChartFile[] = [];
  const subchartFiles = new Map<string, ChartFile[]>();
  for (const f of files) {
    if (f === chartYaml || f === values || f === schema || (f === lock && metadata.apiVersion === 'v2')) continue;
    if (f.name.startsWith('templates/')) templates.push(f);
    else if (f.name.startsWith('charts/') && path.posix.extname(f.name) !== '.prov') {
      const rest = f.name.slice('charts/'.length);
      const key = rest.split('/')[0]!;
      if (key.startsWith('_') || key.startsWith('.')) continue; // Helm skips these
      const list = subchartFiles.get(key) ?? [];
      list.push({ name: rest, data: f.data });
      subchartFiles.set(key, list);
    } else others.push(f);
  }
  const subcharts: LoadedChart[] = [];
  for (const [key, list] of subchartFiles) {
    const where = path.join(source, 'charts', key);
    if (key.endsWith('.tgz')) {
      subcharts.push(await chartFromArchive(list[0]!.data, where));
    } else {
      const inner = list
        .filter((f) => f.name.includes('/'))
        .map((f) => ({ name: f.name.slice(key.length + 1), data: f.data }));
      subcharts.push(await chartFromFiles(inner, where));
    }
  }
  subcharts.sort((a, b) => byteOrder(a.metadata.name, b.metadata.name));
  for (const dep of metadata.dependencies ?? []) {
    if (dep.enabled === false) continue;
    if (!subcharts.some((s) => s.metadata.name === dep.name)) {
      throw new ChartError(
        source,
        `dependency ${dep.name} is declared in Chart.yaml but missing from charts/; run \`helm dependency update ${source}\` first`,
      );
    }
  }
  const ordered = [
    chartYaml,
    ...(lock && metadata.apiVersion === 'v2' ? [lock] : []),
    ...(values ? [values] : []),
    ...(schema ? [schema] : []),
    ...templates,
    ...others,
  ];
  return { metadata, files: ordered, subcharts, source };
}

/** Loads a packaged chart (.tgz): the files under its single top-level folder. */
export async function chartFromArchive(tgz: Buffer, source: string): Promise<LoadedChart> {
  let entries: ArchiveFile[];
  try {
    entries = readArchive(tgz);
  } catch (error) {
    throw new ChartError(source, `is not a readable chart archive: ${(error as Error).message}`);
  }
  const files = entries
    .filter((e) => e.path.includes('/'))
    .map((e) => ({ name: e.path.slice(e.path.indexOf('/') + 1), data: e.data }));
  return chartFromFiles(files, source);
}

/**
 * Loads a chart folder (reads `.helmignore` and Helm's default rules). `listing` is the folder's
 * own entries when the caller has already read them.
 */
export async function loadChartDir(dir: string, listing?: Dirent[]): Promise<LoadedChart> {
  const root = path.resolve(dir);
  let rootEntries: Dirent[];
  try {
    rootEntries = listing ?? readdirSync(root, { withFileTypes: true });
  } catch (error) {
    throw new ChartError(
      root,
      (error as NodeJS.ErrnoException).code === 'ENOTDIR'
        ? 'is not a folder'
        : `cannot be read: ${(error as Error).message}`,
    );
  }
  let rules = DEFAULT_IGNORE_RULES;
  // The root listing tells whether .helmignore exists: no extra stat per chart.
  const ignoreText = rootEntries.some((e) => e.name === '.helmignore')
    ? readSmallFile(path.join(root, '.helmignore')).toString('utf8')
    : null;
  if (ignoreText !== null)
    rules = [...parseHelmignore(ignoreText, path.join(root, '.helmignore')), ...DEFAULT_IGNORE_RULES];
  return chartFromFiles(walk(root, rootEntries, rules), root);
}

/** The archive entries: `<name>/<file>` for the chart, then `<name>/charts/<sub>/…` recursively. */
export function archiveEntries(chart: LoadedChart, prefix = ''): ArchiveFile[] {
  const base = `${prefix}${chart.metadata.name}`;
  const out: ArchiveFile[] = chart.files.map((f) => ({ path: `${base}/${f.name}`, data: f.data }));
  for (const sub of chart.subcharts) out.push(...archiveEntries(sub, `${base}/charts/`));
  return out;
}
