/**
 * `catalogue build`: turns app folders, chart folders and chart archives into a Helm repository.
 * Packages are built in memory first (reproducible bytes, see tgz.ts), then, under the
 * repository lock, checked against the published index (a published version never changes:
 * the same bytes are a no-op, different bytes refuse the whole build before anything is written),
 * written as temp files made durable together (one syncfs, see the kit's writeFilesAtomic) and
 * renamed into place, index.yaml last — so a build killed at any point leaves the previous index,
 * and every file it names, intact.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { archiveEntries, chartFromFiles, loadChartDir, type LoadedChart } from './chart-source.js';
import { packageFileName, type ChartMetadata } from './chart-metadata.js';
import { emptyIndex, findEntry, makeEntry, parseIndex, stringifyIndex, type IndexFile } from './index-file.js';
import { markExperimental, UNPINNED_IMAGE_RULES, waiveUnpinnedImages } from './experimental-images.js';
import {
  checkArchiveInput,
  classifyInput,
  formatFinding,
  makeWorkDir,
  synthesize,
  validateTarget,
  type Finding,
  type InputKind,
  type PublishedIcon,
} from './inputs.js';
import { iconPath, iconUrl, packageUrl, unpackedDir, type Layout } from './layout.js';
import { signProvenance, type SigningKey } from './provenance.js';
import { acquireRepoLock } from './repo-lock.js';
import { placeholderMaintainerProblems } from './maintainers.js';
import {
  ensureDir,
  removeStaleTemps,
  UsageError,
  writeDirAtomic,
  writeFilesAtomic,
  type PendingFile,
} from '@nmaas/sdk/kit';
import { packArchive, sha256Hex } from './tgz.js';

export const INDEX_FILE = 'index.yaml';

export interface BuildOptions {
  repoDir: string;
  inputs: string[];
  layout?: Layout;
  signingKey?: SigningKey;
  /** Run the validator on app and chart inputs (default true). */
  validate?: boolean;
  /** Accept inputs whose findings are warnings or infos only. */
  allowWarnings?: boolean;
  /** The reviewers' policy file (exemptions) the validator applies. */
  policy?: string;
  /**
   * The URL the repository is served at (HTTP layout): Chart.yaml's icon URLs become absolute
   * under it. Without it they are relative to index.yaml (`icons/…`), which Rancher resolves
   * against the repository URL. The git layout needs none: icons are `file://assets/icons/…`.
   */
  publicUrl?: string;
  /** Accept apps whose image is unpinned or a placeholder, marking their charts experimental. */
  experimentalImages?: boolean;
  /** Mark every chart experimental (their images could not be built or are not served). */
  markAllExperimental?: boolean;
  /** Clock for `created`/`generated` (default: SOURCE_DATE_EPOCH, else now). */
  now?: Date;
  lockTimeoutMs?: number;
  onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent =
  | { type: 'start'; total: number }
  | { type: 'step'; done: number; total: number; input: string; what: string }
  | { type: 'wait-lock'; holderPid?: number }
  | { type: 'written'; name: string; version: string; status: ChartStatus };

export type ChartStatus = 'added' | 'unchanged';

export interface BuiltChart {
  name: string;
  version: string;
  source: string;
  kind: InputKind;
  file: string;
  url: string;
  digest: string;
  status: ChartStatus;
  provenance?: string;
  findings: Finding[];
}

export interface BuildResult {
  repoDir: string;
  layout: Layout;
  index: string;
  indexChanged: boolean;
  charts: BuiltChart[];
}

/** Input refused: the build wrote nothing (validation findings, conflicting versions). */
export class BuildRefusedError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(`${message}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'BuildRefusedError';
  }
}

interface Prepared {
  input: string;
  kind: InputKind;
  chart: LoadedChart;
  metadata: ChartMetadata;
  bytes: Buffer;
  digest: string;
  url: string;
  findings: Finding[];
  icon?: PublishedIcon;
}

export function buildClock(now?: Date): Date {
  if (now) return now;
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000);
  return new Date();
}

async function prepare(
  input: string,
  options: BuildOptions,
  layout: Layout,
  workDir: () => Promise<string>,
): Promise<Prepared> {
  const { kind, listing } = await classifyInput(input);
  const abs = path.resolve(input);
  let chart: LoadedChart;
  let icon: PublishedIcon | undefined;
  let archiveFindings: Finding[] = [];
  if (kind === 'archive') {
    // The validator's bounded reader and archive rules come first, --no-validate or not: a bomb,
    // a link or a path out of the chart is refused before anything is unpacked, as `validate` does.
    const checked = await checkArchiveInput(abs, options.policy);
    archiveFindings = checked.findings;
    if (checked.refused)
      throw new BuildRefusedError(
        `${abs} did not pass the archive checks (nothing was unpacked)`,
        checked.findings.filter((f) => f.severity === 'error').map(formatFinding),
      );
    chart = await chartFromFiles(
      [...checked.files].map(([name, data]) => ({ name, data })),
      abs,
    );
  } else {
    let chartDir = abs;
    if (kind === 'app') {
      try {
        const placeIcon = (name: string, version: string, ext: string) => {
          const file = iconPath(layout, name, version, ext);
          return { path: file, url: iconUrl(layout, file, options.publicUrl) };
        };
        const synthesized = await synthesize(abs, await workDir(), placeIcon);
        chartDir = synthesized.chartDir;
        icon = synthesized.icon;
      } catch (error) {
        // @nmaas/sdk's ManifestError, recognised by shape so the sdk is not loaded for chart-only builds.
        const manifestError = error as {
          name?: string;
          file?: string;
          issues?: { path: string; message: string; line?: number }[];
        };
        if (manifestError.name === 'ManifestError' && Array.isArray(manifestError.issues)) {
          throw new BuildRefusedError(
            `${manifestError.file ?? abs} is not a valid NMaaS app`,
            manifestError.issues.map(
              (i) => `${i.line !== undefined ? `line ${i.line} ` : ''}${i.path || '(top level)'}: ${i.message}`,
            ),
          );
        }
        throw error;
      }
    }
    chart = await loadChartDir(chartDir, kind === 'chart' ? listing : undefined);
  }
  // Checked whatever --no-validate says: Rancher and Artifact Hub show these as the contact.
  const placeholders = placeholderMaintainerProblems(chart.metadata.maintainers);
  if (placeholders.length > 0)
    throw new BuildRefusedError(
      `${abs} names placeholder maintainers, which the catalogue would publish`,
      placeholders,
    );
  let bytes = packArchive(archiveEntries(chart));
  let findings: Finding[] = [];
  if (options.validate !== false) {
    // The validator sees the exact bytes that will be published, not the folder they came from.
    const packaged = path.join(await mkdtemp(path.join(await workDir(), 'pkg-')), packageFileName(chart.metadata));
    await writeFile(packaged, bytes);
    // Archive findings that did not refuse (warnings, infos) describe entries repackaging drops.
    findings = [...archiveFindings, ...(await validateTarget(packaged, options.policy))];
    const waived = options.experimentalImages ? waiveUnpinnedImages(findings) : null;
    if (waived) findings = waived;
    if (waived || options.markAllExperimental) {
      chart = markExperimental(chart);
      bytes = packArchive(archiveEntries(chart));
    }
    // Image findings waived by --experimental-images stay in the report but do not block.
    const blocking = findings.filter(
      (f) =>
        f.severity === 'error' ||
        (f.severity === 'warning' && !options.allowWarnings && !(waived && UNPINNED_IMAGE_RULES.has(f.ruleId))),
    );
    if (blocking.length > 0) {
      throw new BuildRefusedError(
        `${abs} did not pass validation${blocking.every((f) => f.severity === 'warning') ? ' (warnings only: --allow-warnings accepts them)' : ''}`,
        blocking.map(formatFinding),
      );
    }
  }
  return {
    input: abs,
    kind,
    chart,
    metadata: chart.metadata,
    bytes,
    digest: sha256Hex(bytes),
    url: packageUrl(layout, chart.metadata.name, chart.metadata.version),
    findings,
    ...(icon ? { icon } : {}),
  };
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order in the result. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  });
  // Wait for every worker to settle before reporting the first failure: the caller removes the
  // shared work folder next, and a worker still writing into it would make that removal fail.
  const settled = await Promise.allSettled(workers);
  const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
  return out;
}

async function fileDigest(file: string): Promise<string | null> {
  // existsSync first: building into a fresh repository would otherwise throw (and capture a stack for) one ENOENT per chart.
  if (!existsSync(file)) return null;
  try {
    return sha256Hex(await readFile(file));
  } catch {
    return null;
  }
}

/** Writes the unpacked chart folder (rancher-git) via a temp folder renamed into place. */
async function writeUnpacked(repoDir: string, p: Prepared): Promise<void> {
  const target = path.join(repoDir, unpackedDir(p.metadata.name, p.metadata.version));
  const files = new Map<string, Uint8Array>();
  for (const entry of archiveEntries(p.chart)) files.set(entry.path.slice(entry.path.indexOf('/') + 1), entry.data);
  await writeDirAtomic(target, files);
}

export async function buildRepository(options: BuildOptions): Promise<BuildResult> {
  const layout = options.layout ?? 'http';
  const repoDir = path.resolve(options.repoDir);
  const progress = options.onProgress ?? (() => undefined);
  if (options.inputs.length === 0)
    throw new UsageError('no inputs: give at least one app folder, chart folder or chart .tgz');
  const total = options.inputs.length;
  progress({ type: 'start', total });
  let done = 0;
  // Inputs are read, synthesised, packaged and validated before taking the lock, so concurrent
  // builds overlap their CPU work; the lock only covers the short publish step.
  // The scratch folder (synthesised charts, packages handed to the validator) is made on first
  // use: building ready-made charts without validation needs none.
  let scratch: Promise<string> | undefined;
  const workDir = () => (scratch ??= makeWorkDir());
  let prepared: Prepared[];
  try {
    prepared = await mapLimit(options.inputs, options.validate === false ? 8 : 2, async (input) => {
      const p = await prepare(input, options, layout, workDir);
      progress({
        type: 'step',
        done: ++done,
        total,
        input,
        what: `packaged ${p.metadata.name} ${p.metadata.version}${options.validate === false ? '' : ' (validated)'}`,
      });
      return p;
    });
  } finally {
    if (scratch)
      await scratch.then(
        (dir) => rm(dir, { recursive: true, force: true }),
        () => undefined,
      );
  }

  const problems: string[] = [];
  const seen = new Map<string, Prepared>();
  for (const p of prepared) {
    const key = `${p.metadata.name}@${p.metadata.version}`;
    const other = seen.get(key);
    if (other && other.digest !== p.digest)
      problems.push(
        `${p.input} and ${other.input} are both ${p.metadata.name} ${p.metadata.version} with different contents; bump one version`,
      );
    seen.set(key, p);
  }
  if (problems.length > 0) throw new BuildRefusedError('conflicting inputs', problems);

  await ensureDir(repoDir);
  const lock = await acquireRepoLock(repoDir, {
    timeoutMs: options.lockTimeoutMs,
    onWait: (holder) => progress({ type: 'wait-lock', holderPid: holder?.pid }),
  });
  try {
    await removeStaleTemps(repoDir);
    const indexPath = path.join(repoDir, INDEX_FILE);
    let indexText: string | null = null;
    try {
      indexText = readFileSync(indexPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const clock = buildClock(options.now);
    const index: IndexFile = indexText === null ? emptyIndex(clock.toISOString()) : parseIndex(indexText, indexPath);

    for (const p of seen.values()) {
      const published = findEntry(index, p.metadata.name, p.metadata.version);
      if (published && published.digest !== p.digest) {
        problems.push(
          `${p.metadata.name} ${p.metadata.version} is already published with digest ${published.digest}, and ${p.input} packages to ${p.digest}; ` +
            `a published version never changes — bump the version in ${p.kind === 'app' ? 'nmaas.yaml' : 'Chart.yaml'}`,
        );
      }
    }
    if (problems.length > 0) throw new BuildRefusedError(`refused to change published charts in ${repoDir}`, problems);

    let indexChanged = indexText === null;
    const madeDirs = new Map<string, Promise<void>>([[repoDir, Promise.resolve()]]);
    // One mkdir per folder, shared by the charts placed in it concurrently.
    const folderFor = async (file: string) => {
      const dir = path.dirname(file);
      if (!madeDirs.has(dir)) madeDirs.set(dir, ensureDir(dir));
      await madeDirs.get(dir);
    };
    // What each chart needs written is decided first (and signed, where asked); the files are then
    // written as one batch, made durable together, with index.yaml renamed last: it is what
    // publishes them.
    const pending: PendingFile[] = [];
    const charts = await mapLimit([...seen.values()], 16, async (p): Promise<BuiltChart> => {
      const { name, version } = p.metadata;
      const file = path.join(repoDir, ...p.url.split('/'));
      const published = findEntry(index, name, version);
      await folderFor(file);
      // A new version is written (replacing any orphan of a killed build); a published file that
      // went missing or was damaged is restored from the identical bytes.
      if (!published || (await fileDigest(file)) !== p.digest) pending.push({ target: file, data: p.bytes });
      if (p.icon) {
        const iconFile = path.join(repoDir, ...p.icon.path.split('/'));
        await folderFor(iconFile);
        if (!existsSync(iconFile)) pending.push({ target: iconFile, data: p.icon.bytes });
      }
      if (layout === 'rancher-git') {
        const dir = path.join(repoDir, unpackedDir(name, version));
        const exists = existsSync(path.join(dir, 'Chart.yaml'));
        if (!published || !exists) await writeUnpacked(repoDir, p);
      }
      let provenance: string | undefined;
      if (options.signingKey) {
        provenance = `${file}.prov`;
        const hasProv = existsSync(provenance);
        if (!published || !hasProv) {
          pending.push({
            target: provenance,
            data: await signProvenance(options.signingKey, p.metadata, packageFileName(p.metadata), p.digest, clock),
          });
        }
      }
      const status: ChartStatus = published ? 'unchanged' : 'added';
      return {
        name,
        version,
        source: p.input,
        kind: p.kind,
        file,
        url: p.url,
        digest: p.digest,
        status,
        findings: p.findings,
        ...(provenance ? { provenance } : {}),
      };
    });
    for (const [i, p] of [...seen.values()].entries()) {
      if (charts[i]!.status !== 'added') continue;
      const list = index.entries[p.metadata.name] ?? [];
      list.push(makeEntry(p.metadata, p.url, clock.toISOString(), p.digest));
      index.entries[p.metadata.name] = list;
      indexChanged = true;
    }
    if (indexChanged) {
      index.generated = clock.toISOString();
      pending.push({ target: indexPath, data: stringifyIndex(index) });
    }
    await writeFilesAtomic(pending);
    for (const c of charts) progress({ type: 'written', name: c.name, version: c.version, status: c.status });
    return { repoDir, layout, index: indexPath, indexChanged, charts };
  } finally {
    await lock.release();
  }
}
