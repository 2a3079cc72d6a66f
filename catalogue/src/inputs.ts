/**
 * What `catalogue build` accepts: chart folders (Chart.yaml), app folders (nmaas.yaml, turned
 * into a chart by charts-gen) and packaged charts (.tgz). App folders and charts are checked by
 * the validator before they enter the catalogue.
 */
import { UsageError } from '@nmaas/sdk/kit';
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export type InputKind = 'chart' | 'app' | 'archive';

export interface ClassifiedInput {
  kind: InputKind;
  /** A folder's listing, read once here and reused to load the chart (absent for archives). */
  listing?: Dirent[];
}

const NEITHER = (abs: string) =>
  new UsageError(`${abs} is neither an app folder (nmaas.yaml), a chart folder (Chart.yaml) nor a chart .tgz`);

/**
 * Tells what an input is from one listing of it (a folder's entries carry their types, so no stat
 * per marker file); a path that cannot be listed is looked at with stat.
 */
export async function classifyInput(input: string): Promise<ClassifiedInput> {
  const abs = path.resolve(input);
  let listing: Dirent[];
  try {
    listing = readdirSync(abs, { withFileTypes: true });
  } catch {
    const info = statSync(abs, { throwIfNoEntry: false }) ?? null;
    if (info === null)
      throw new UsageError(
        `${abs} does not exist; give an app folder (nmaas.yaml), a chart folder (Chart.yaml) or a chart .tgz`,
      );
    if (info.isFile() && abs.endsWith('.tgz')) return { kind: 'archive' };
    // A folder that cannot be listed: loading it says why.
    if (info.isDirectory()) return { kind: 'chart' };
    throw NEITHER(abs);
  }
  const isFile = (name: string) => {
    const entry = listing.find((e) => e.name === name);
    if (entry === undefined) return false;
    if (entry.isSymbolicLink()) return statSync(path.join(abs, name), { throwIfNoEntry: false })?.isFile() === true;
    return entry.isFile();
  };
  if (isFile('Chart.yaml')) return { kind: 'chart', listing };
  if (isFile('nmaas.yaml')) return { kind: 'app', listing };
  throw NEITHER(abs);
}

/** An app's icon file, to publish beside the charts: where it goes in the repository and its bytes. */
export interface PublishedIcon {
  path: string;
  bytes: Buffer;
}

/**
 * Turns an app folder into a chart folder under `workDir` (charts-gen's synthesizeChart).
 * `icon(name, version, ext)` says where the app's icon file is published and the URL Chart.yaml
 * gives for it.
 */
export async function synthesize(
  appDir: string,
  workDir: string,
  icon?: (name: string, version: string, ext: string) => { path: string; url?: string },
): Promise<{ chartDir: string; icon?: PublishedIcon }> {
  const out = await mkdtemp(path.join(workDir, 'synth-'));
  // charts-gen (cdk8s) and the validator are loaded on first use: builds of ready-made charts
  // with --no-validate never pay for them.
  const [{ synthesizeChart }, { loadApp }] = await Promise.all([
    import('@nmaas/charts-gen'),
    import('@nmaas/sdk/model'),
  ]);
  const app = await loadApp(path.resolve(appDir));
  const ext = app.iconFile === undefined ? undefined : path.extname(app.iconFile).toLowerCase();
  const placed =
    ext === undefined || icon === undefined ? undefined : icon(app.manifest.name, app.manifest.version, ext);
  const { chartDir } = await synthesizeChart(app, out, { iconUrl: placed?.url });
  if (placed === undefined || ext === undefined) return { chartDir };
  return { chartDir, icon: { path: placed.path, bytes: await readFile(path.join(chartDir, `icon${ext}`)) } };
}

export async function makeWorkDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'nmaas-catalogue-build-'));
}

export interface Finding {
  ruleId: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  object?: string;
  file?: string;
}

/** The validator's findings for `target` (an app folder, chart folder or .tgz), under the reviewers' policy file if given. */
export async function validateTarget(target: string, policy?: string): Promise<Finding[]> {
  const { validate } = await import('@nmaas/validator');
  const report = await validate(target, policy === undefined ? {} : { policy });
  return report.findings.map(toFinding);
}

/**
 * A chart .tgz through the validator's archive checks: read within its limits (a bomb stops after
 * a few MiB), its entry headers judged by the archive rules under the reviewers' policy. An
 * archive that cannot be read at all (not gzip, no tar entries) is a UsageError (exit 2), as in
 * `nmaas validate`.
 */
export async function checkArchiveInput(
  archive: string,
  policy?: string,
): Promise<{ findings: Finding[]; refused: boolean; files: Map<string, Buffer> }> {
  const { checkArchive, UnreadableInputError, PolicyError } = await import('@nmaas/validator');
  let checked;
  try {
    checked = await checkArchive(archive, policy === undefined ? {} : { policy });
  } catch (error) {
    if (error instanceof UnreadableInputError || error instanceof PolicyError)
      throw new UsageError(error.message, { cause: error });
    throw error;
  }
  return { findings: checked.findings.map(toFinding), refused: checked.refused, files: checked.files };
}

function toFinding(f: {
  ruleId: string;
  severity: Finding['severity'];
  message: string;
  object?: string;
  file?: string;
}): Finding {
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
    ...(f.object !== undefined ? { object: f.object } : {}),
    ...(f.file !== undefined ? { file: f.file } : {}),
  };
}

export function formatFinding(f: Finding): string {
  return `${f.severity} ${f.ruleId}${f.file ? ` ${f.file}` : ''}${f.object ? ` (${f.object})` : ''}: ${f.message}`;
}
