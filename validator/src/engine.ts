/**
 * validate(): reads a submission (app folder, chart folder or chart .tgz), runs the archive rules
 * before anything is unpacked, renders the chart with real helm at its defaults and at the bounds
 * of its form, runs the chart and object rules, and applies the reviewers' policy.
 */
import { lstat, mkdtemp, readlink, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import {
  firstTooDeep,
  MANIFEST_FILE,
  ManifestError,
  MAX_MANIFEST_ALIASES,
  MAX_MANIFEST_BYTES,
  parseManifest,
  readAppFile,
  type AppManifest,
} from '@nmaas/sdk/model';
import { synthesizeChart, type HelmVersion } from '@nmaas/charts-gen';
import { RULES } from './rules/index.js';
import type {
  ArchiveRule,
  ArchiveScan,
  ChartInput,
  ChartRule,
  ObjectsRule,
  Draft,
  Finding,
  ObjectsInput,
  RenderedObject,
  Rule,
  Severity,
  ValidationReport,
} from './types.js';
import { scanArchive, type ArchiveContents } from './input/archive-scan.js';
import { scanFolder, typeOf } from './input/folder-scan.js';
import { materialize } from './input/materialize.js';
import { publishedVersions } from './input/catalogue.js';
import { UnreadableInputError } from './input/errors.js';
import { boundValueSets, splitValueSet } from './render/bounds.js';
import {
  RENDER_NAMESPACE,
  RENDER_RELEASE,
  isRefusal,
  renderChart,
  type InstallContext,
  type RenderResult,
} from './render/render.js';
import { batchable, renderBatch, sameRender } from './render/batch.js';
import type { DecodeCache } from './render/decode.js';
import { installContexts } from './render/install-contexts.js';
import type { ValueSet } from './render/bounds.js';
import { applyPolicy, DEFAULT_ALLOWED_REGISTRIES, loadPolicy, type Policy } from './policy.js';
import { segments } from './rules/archive/paths.js';
import { MAX_FILE_BYTES } from './limits.js';

export interface ValidateOptions {
  /** Reviewer policy: a file path or an already-parsed policy. */
  policy?: string | Policy;
  /** Ignore every exemption. */
  strict?: boolean;
  /** Helm repository index (file or URL) whose published versions this chart must exceed. */
  catalogue?: string;
  helmVersion?: HelmVersion;
  /** Only render with default values (faster; the CLI always renders the bounds too). */
  defaultsOnly?: boolean;
  /** Clock for exemption expiry (tests). */
  now?: Date;
  /** Folder under which the one temp folder of this validation is made (default: the OS temp folder). */
  tempRoot?: string;
  /** Rules to run (tests); every rule by default. */
  rules?: readonly Rule[];
}

const isArchiveRule = (r: Rule): r is ArchiveRule => r.meta.scope === 'archive';
const isChartRule = (r: Rule): r is ChartRule => r.meta.scope === 'chart';
const isObjectsRule = (r: Rule): r is ObjectsRule => r.meta.scope === 'objects';

/** helm template runs per validation, at most: hostile charts cannot make a review take forever. */
const MAX_RENDERS = 40;

/** Value sets worth a batch of their own (below this, separate processes run as fast). */
const MIN_BATCH = 2;

/**
 * Standalone helm processes at once per validation (the batch runs beside them): one more than
 * the cores, since a helm process spends part of its life starting and reading the chart.
 */
const RENDER_CONCURRENCY = Math.min(4, os.availableParallelism() + 1);

const SEVERITY_RANK: Record<Severity, number> = { error: 2, warning: 1, info: 0 };

function finalize(rule: Rule, draft: Draft, app: string | undefined, valueSet?: string): Finding {
  const f: Finding = {
    ...draft,
    ruleId: rule.meta.id,
    severity: draft.severity ?? rule.meta.severity,
    title: rule.meta.title,
  };
  if (app !== undefined) f.app = app;
  if (valueSet !== undefined) f.valueSets = [valueSet];
  return f;
}

/** A draft from another render with that render's release and namespace replaced by the review's. */
function renameRelease(d: Draft, release: string, toRelease: string, namespace: string, toNamespace: string): Draft {
  const swap = (v: string | undefined) =>
    v === undefined || release === '' ? v : v.split(release).join(toRelease).split(namespace).join(toNamespace);
  const out: Draft = { ...d, message: swap(d.message)! };
  if (d.object !== undefined) out.object = swap(d.object)!;
  if (d.value !== undefined) out.value = swap(d.value)!;
  if (d.container !== undefined) out.container = swap(d.container)!;
  return out;
}

function findingKey(f: Finding): string {
  return [f.ruleId, f.object ?? '', f.container ?? '', f.value ?? '', f.message, f.file ?? ''].join('\u0000');
}

/** One finding per distinct problem; value sets that showed it are merged. */
function dedupe(findings: Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const f of findings) {
    const prev = byKey.get(findingKey(f));
    if (!prev) byKey.set(findingKey(f), { ...f, ...(f.valueSets ? { valueSets: [...f.valueSets] } : {}) });
    else if (f.valueSets) prev.valueSets = [...new Set([...(prev.valueSets ?? []), ...f.valueSets])];
  }
  return [...byKey.values()];
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      (a.object ?? a.file ?? '').localeCompare(b.object ?? b.file ?? '') ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.message.localeCompare(b.message),
  );
}

function summarize(findings: Finding[]): Record<Severity, number> {
  const s: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) s[f.severity]++;
  return s;
}

async function kindOf(target: string): Promise<'app' | 'chart' | 'archive'> {
  let st;
  try {
    st = await stat(target);
  } catch (error) {
    throw new UnreadableInputError(
      `cannot read ${target}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (error as Error).message}`,
    );
  }
  if (st.isFile()) return 'archive';
  if (!st.isDirectory()) throw new UnreadableInputError(`${target} is neither a folder nor a chart archive`);
  const has = (f: string) =>
    stat(path.join(target, f)).then(
      () => true,
      () => false,
    );
  if (await has('Chart.yaml')) return 'chart';
  if (await has('nmaas.yaml')) return 'app';
  throw new UnreadableInputError(`${target} has neither Chart.yaml (a chart folder) nor nmaas.yaml (an app folder)`);
}

interface RenderJob {
  set: ValueSet;
  context: InstallContext;
}

function chartYamlRecord(files: Map<string, Buffer>): Record<string, unknown> | undefined {
  try {
    const y = parse(files.get('Chart.yaml')?.toString('utf8') ?? '') as unknown;
    return y !== null && typeof y === 'object' && !Array.isArray(y) ? (y as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function chartNameIn(files: Map<string, Buffer>, file: string): string | undefined {
  const data = files.get(file);
  if (!data) return undefined;
  try {
    const y = parse(data.toString('utf8')) as { name?: unknown } | null;
    return typeof y?.name === 'string' ? y.name : undefined;
  } catch {
    return undefined;
  }
}

function parseManifestQuietly(files: Map<string, Buffer>): AppManifest | undefined {
  const data = files.get('nmaas.yaml');
  if (!data) return undefined;
  try {
    return parseManifest(data.toString('utf8'), 'nmaas.yaml');
  } catch (error) {
    if (error instanceof ManifestError) return undefined;
    throw error;
  }
}

/** The app-folder files charts-gen reads (nmaas.yaml and a local icon), as lstat sees them. */
async function scanAppInputs(appDir: string): Promise<ArchiveScan> {
  const scan: ArchiveScan = {
    source: 'folder',
    entries: [],
    compressedBytes: 0,
    decompressedBytes: 0,
    oversized: [],
    malformed: [],
  };
  const names = [MANIFEST_FILE];
  try {
    // Bounded and guarded as loadApp reads it: a FIFO, link or huge or too deeply nested file
    // must not hang or exhaust the validator before the rules below name it.
    const text = (await readAppFile(appDir, MANIFEST_FILE, MAX_MANIFEST_BYTES)).toString('utf8');
    if (firstTooDeep(text) === undefined) {
      const icon = (parse(text, { maxAliasCount: MAX_MANIFEST_ALIASES }) as { icon?: unknown } | null)?.icon;
      if (typeof icon === 'string' && !/^https:\/\//.test(icon)) names.push(icon);
    }
  } catch {
    /* the model rules report an unreadable nmaas.yaml */
  }
  for (const name of names) {
    const st = await lstat(path.join(appDir, name)).catch(() => undefined);
    if (!st) continue;
    const type = st.isFile() && st.nlink > 1 ? 'hardlink' : typeOf(st);
    scan.entries.push({
      path: name,
      type,
      size: st.size,
      ...(type === 'symlink' ? { linkpath: await readlink(path.join(appDir, name)) } : {}),
    });
    if (type === 'file' && st.size > MAX_FILE_BYTES) scan.oversized.push(name);
  }
  return scan;
}

/** Reads a chart archive within the scan limits and names its single top-level folder ('' if not one). */
async function readArchive(target: string): Promise<{ contents: ArchiveContents; dirName: string }> {
  const contents = await scanArchive(target);
  const tops = new Set(
    contents.scan.entries.map((e) => segments(e.path)[0]).filter((s): s is string => s !== undefined),
  );
  const dirName = tops.size === 1 ? [...tops][0]! : '';
  const name = dirName === '' ? undefined : chartNameIn(contents.files, `${dirName}/Chart.yaml`);
  if (name !== undefined) contents.scan.chartName = name;
  return { contents, dirName };
}

/** The kept files by their path relative to the chart root (`root` '' when the files are already relative). */
function chartRelative(kept: Map<string, Buffer>, root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const [p, data] of kept) {
    // `./chart/x` and `chart/x` are the same entry; the archive rules already refused anything else.
    const rel = (root === '' ? segments(p) : segments(p).slice(1)).join('/');
    if (rel !== '') files.set(rel, data);
  }
  return files;
}

export interface CheckedArchive {
  /** The archive rules' findings, after the policy's exemptions. */
  findings: Finding[];
  /** True when an error finding remains: `files` is then empty and nothing should be unpacked. */
  refused: boolean;
  /** The chart's regular files by their path relative to the chart's top-level folder. */
  files: Map<string, Buffer>;
  /** The archive's single top-level folder ('' when it has none or several). */
  dirName: string;
}

/**
 * The first step of `validate` for a chart .tgz, on its own: reads the archive within the scan
 * limits (a bomb or an oversized entry stops the read after a few MiB) and runs the archive rules
 * on its entry headers, so a caller that unpacks charts refuses the same archives `validate` does.
 * Throws UnreadableInputError when the file is not a readable gzip tar.
 */
export async function checkArchive(
  target: string,
  options: Pick<ValidateOptions, 'policy' | 'strict' | 'now' | 'rules'> = {},
): Promise<CheckedArchive> {
  const rules = options.rules ?? RULES;
  const policy =
    typeof options.policy === 'string'
      ? await loadPolicy(options.policy, new Set(RULES.map((r) => r.meta.id)))
      : options.policy;
  const { contents, dirName } = await readArchive(target);
  const appGuess = contents.scan.chartName ?? dirName;
  const drafts: Finding[] = [];
  for (const rule of rules.filter(isArchiveRule))
    drafts.push(...rule.check(contents.scan).map((d) => finalize(rule, d, appGuess || undefined)));
  const { findings } = applyPolicy(dedupe(drafts), policy, {
    strict: options.strict === true,
    now: options.now ?? new Date(),
  });
  const refused = findings.some((f) => f.severity === 'error');
  return {
    findings: sortFindings(findings),
    refused,
    files: refused ? new Map() : chartRelative(contents.files, dirName),
    dirName,
  };
}

export async function validate(target: string, options: ValidateOptions = {}): Promise<ValidationReport> {
  const rules = options.rules ?? RULES;
  const kind = await kindOf(target);
  const policy =
    typeof options.policy === 'string'
      ? await loadPolicy(options.policy, new Set(RULES.map((r) => r.meta.id)))
      : options.policy;
  const work = await mkdtemp(path.join(options.tempRoot ?? os.tmpdir(), 'nmaas-validate-'));
  const findings: Finding[] = [];
  let chartFiles = new Map<string, Buffer>();
  const report: ValidationReport = {
    target,
    kind,
    findings: [],
    exempted: [],
    valueSets: [],
    rejectedBeforeUnpack: false,
    summary: { error: 0, warning: 0, info: 0 },
  };
  try {
    // 1. Read the submission into memory (an app folder is first turned into its chart).
    let contents: ArchiveContents;
    let chartRoot: string;
    let dirName: string;
    if (kind === 'archive') {
      ({ contents, dirName } = await readArchive(target));
      chartRoot = dirName;
    } else {
      let chartDir = target;
      if (kind === 'app') {
        // charts-gen reads nmaas.yaml and copies the icon: a link there would pull a file from
        // outside the app folder into the chart, so those entries face the archive rules first.
        const appScan = await scanAppInputs(target);
        for (const rule of rules.filter(isArchiveRule))
          findings.push(...rule.check(appScan).map((d) => finalize(rule, d, path.basename(target))));
        if (findings.some((f) => f.severity === 'error')) {
          report.rejectedBeforeUnpack = true;
          return finish();
        }
        try {
          chartDir = (await synthesizeChart(target, path.join(work, 'synth'))).chartDir;
        } catch (error) {
          if (!(error instanceof ManifestError)) throw error;
          // Not read at all (too large, not a regular file): nothing for the rules to judge.
          if (error.exitCode === 2) throw new UnreadableInputError(error.message);
          // The declaration itself fails: report it with the chart rules that read nmaas.yaml.
          const text = await readAppFile(target, MANIFEST_FILE, MAX_MANIFEST_BYTES);
          const files = new Map([[MANIFEST_FILE, text]]);
          const chart: ChartInput = { dirName: path.basename(target), files };
          for (const rule of rules.filter(isChartRule)) {
            if (rule.meta.id === 'NMAAS-CHART-MANIFEST' || rule.meta.id === 'NMAAS-CAP-JUSTIFICATION') {
              findings.push(...rule.check(chart).map((d) => finalize(rule, d, undefined)));
            }
          }
          return finish();
        }
      }
      contents = await scanFolder(chartDir);
      dirName = path.basename(path.resolve(chartDir));
      chartRoot = '';
    }
    const { scan } = contents;

    // 2. Archive rules, on entry headers only. Any error stops here: nothing is unpacked.
    const appGuess = scan.chartName ?? dirName;
    for (const rule of rules.filter(isArchiveRule))
      findings.push(...rule.check(scan).map((d) => finalize(rule, d, appGuess || undefined)));
    if (findings.some((f) => f.severity === 'error')) {
      report.rejectedBeforeUnpack = true;
      return finish();
    }

    // 3. The chart, relative to its root.
    const files = chartRelative(contents.files, chartRoot);
    chartFiles = files;
    const manifest = parseManifestQuietly(files);
    const chart: ChartInput = { dirName, files };
    if (manifest) chart.manifest = manifest;
    const chartName = chartNameIn(files, 'Chart.yaml');
    const app = manifest?.name ?? chartName ?? dirName;
    report.chart = { name: chartName ?? dirName };
    const version = (() => {
      try {
        const v = (parse(files.get('Chart.yaml')?.toString('utf8') ?? '') as { version?: unknown } | null)?.version;
        return typeof v === 'string' ? v : undefined;
      } catch {
        return undefined;
      }
    })();
    if (version) report.chart.version = version;
    if (options.catalogue) chart.publishedVersions = await publishedVersions(options.catalogue, chartName ?? dirName);

    // 4. Render with real helm, from a temp copy holding only the files that were checked.
    const objectsBySet: {
      name: string;
      objects: RenderedObject[];
      values: Record<string, unknown>;
      namespace: string;
      release: string;
    }[] = [];
    if (chartName !== undefined && files.has('Chart.yaml')) {
      const renderDir = path.join(work, 'chart', chartName);
      await materialize(files, renderDir);
      let schema: unknown;
      let defaults: unknown;
      try {
        schema = JSON.parse(files.get('values.schema.json')?.toString('utf8') ?? 'null');
      } catch {
        schema = undefined;
      }
      try {
        defaults = parse(files.get('values.yaml')?.toString('utf8') ?? '');
      } catch {
        defaults = undefined;
      }
      const kubeVersion = (chartYamlRecord(files) ?? {}).kubeVersion;
      // Review renders under fixed names so that reports are stable; the install contexts below use
      // random ones, and NMAAS-RENDER-DIVERGENCE compares the two.
      const review: InstallContext = { release: RENDER_RELEASE, namespace: RENDER_NAMESPACE };
      const unexplored: string[] = [];
      const jobs: RenderJob[] = boundValueSets(schema, defaults, unexplored)
        .filter((s) => !options.defaultsOnly || s.name === 'defaults')
        .map((set) => ({ set, context: review }));
      // The defaults again as the install would see them: as an upgrade, on the oldest and newest Kubernetes.
      if (!options.defaultsOnly) {
        for (const c of installContexts(typeof kubeVersion === 'string' ? kubeVersion : undefined))
          jobs.push({ set: { name: c.name, values: {} }, context: c.context });
      }
      if (unexplored.length > 0 && !options.defaultsOnly) report.unexploredStrings = unexplored;
      chart.renderErrors = [];
      chart.decodeProblems = [];
      chart.renders = [];
      const results = new Map<string, { result: RenderResult; job: RenderJob }>();
      const cache: DecodeCache = new Map();
      const unrendered: string[] = [];
      let scheduled = jobs.length;
      // The review's value sets beyond the defaults render together in one helm process (batch.ts),
      // beside the standalone renders (the defaults, each install context) that need their own flags.
      const grouped = jobs.filter((j) => j.context === review && j.set.name !== 'defaults' && batchable(j.set));
      const defaultsJob = jobs.find((j) => j.set.name === 'defaults');
      const useBatch = grouped.length >= MIN_BATCH && defaultsJob !== undefined;
      // With a batch, the defaults come from its copy when that copy renders what the upgrade
      // context renders alone (names aside): the usual case, and one helm process fewer.
      const upgradeJob = jobs.find((j) => j.set.name === 'install:upgrade');
      const queue = useBatch
        ? jobs.filter((j) => !grouped.includes(j) && !(upgradeJob !== undefined && j === defaultsJob))
        : [...jobs];
      /** A refused combination still leaves each group's bounds to check: its groups, within the render bound. */
      const partsOf = (job: RenderJob, r: RenderResult): RenderJob[] => {
        if (r.error === undefined || !r.refused || Object.keys(job.set.values).length <= 1) return [];
        const parts = splitValueSet(job.set).map((set) => ({ set, context: job.context }));
        // The render count stays bounded whatever the chart refuses: past the cap, a group is left unrendered (and named).
        const room = Math.max(0, MAX_RENDERS - scheduled);
        scheduled += Math.min(room, parts.length);
        for (const skipped of parts.slice(room)) unrendered.push(skipped.set.name);
        return parts.slice(0, room);
      };
      // helm runs as separate processes: render value sets in parallel, up to the cores we have.
      const worker = async () => {
        for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
          const r = await renderChart(renderDir, chartName, job.set, work, options.helmVersion, job.context, cache);
          report.helmProcesses = (report.helmProcesses ?? 0) + 1;
          results.set(job.set.name, { result: r, job });
          queue.push(...partsOf(job, r));
        }
      };
      const workers = (n: number) => Array.from({ length: Math.max(1, Math.min(RENDER_CONCURRENCY, n)) }, worker);
      // The batch: a set whose template refuses it is named in helm's message, taken out as refused
      // (its groups join the next round) and the rest rendered again; any other failure ends it.
      const batched = new Map<string, { result: RenderResult; job: RenderJob }>();
      const batchRounds = async (): Promise<boolean> => {
        let pending = [...grouped];
        while (pending.length > 0) {
          const b = await renderBatch({
            chartDir: renderDir,
            chartName,
            sets: [defaultsJob!.set, ...pending.map((j) => j.set)],
            workDir: work,
            context: review,
            cache,
            ...(options.helmVersion ? { helmVersion: options.helmVersion } : {}),
          });
          report.helmProcesses = (report.helmProcesses ?? 0) + 1;
          if (b instanceof Map) {
            for (const j of pending) batched.set(j.set.name, { result: b.get(j.set.name)!, job: j });
            batched.set('defaults', { result: b.get('defaults')!, job: defaultsJob! });
            return true;
          }
          const job = b.failed === undefined ? undefined : pending[b.failed - 1];
          if (job === undefined) return false;
          const r: RenderResult = { objects: [], problems: [], error: b.error, refused: isRefusal(b.error) };
          batched.set(job.set.name, { result: r, job });
          pending = [...pending.filter((j) => j !== job), ...partsOf(job, r).filter((p) => batchable(p.set))];
        }
        return true;
      };
      const [batchDone] = await Promise.all([useBatch ? batchRounds() : false, ...workers(queue.length)]);
      if (useBatch) {
        const copy = batched.get('defaults')?.result;
        const upgrade = results.get('install:upgrade')?.result;
        // The batch stands for the chart alone only when its copy of the defaults renders what the
        // chart renders alone: the upgrade context under its own names, or else the defaults themselves.
        let trusted =
          batchDone &&
          copy !== undefined &&
          copy.error === undefined &&
          upgrade !== undefined &&
          sameRender(copy, upgrade, review, upgradeJob!.context);
        if (!trusted && batchDone && copy !== undefined) {
          if (!results.has('defaults')) {
            const alone = await renderChart(
              renderDir,
              chartName,
              defaultsJob.set,
              work,
              options.helmVersion,
              review,
              cache,
            );
            report.helmProcesses = (report.helmProcesses ?? 0) + 1;
            results.set('defaults', { result: alone, job: defaultsJob });
          }
          trusted = sameRender(copy, results.get('defaults')!.result);
        }
        if (trusted) {
          if (!results.has('defaults')) results.set('defaults', { result: copy!, job: defaultsJob });
          batched.delete('defaults');
          for (const [name, entry] of batched) results.set(name, entry);
        } else {
          scheduled = jobs.length;
          unrendered.length = 0;
          if (!results.has('defaults')) queue.push(defaultsJob);
          queue.push(...grouped);
          await Promise.all(workers(queue.length));
        }
      }
      for (const name of unrendered) {
        chart.renderErrors.push({
          valueSet: name,
          message: `not rendered: the validation already ran helm ${MAX_RENDERS} times`,
          refused: true,
        });
      }
      report.renderCount = results.size;
      // Report in a stable order whatever finished first.
      for (const name of [...results.keys()].sort((a, b) =>
        a === 'defaults' ? -1 : b === 'defaults' ? 1 : a.localeCompare(b),
      )) {
        const { result: r, job } = results.get(name)!;
        report.valueSets.push(name);
        for (const p of r.problems) chart.decodeProblems.push({ valueSet: name, ...p });
        if (r.error === undefined) {
          const objects = r.objects.map((o) => ({ ...o, valueSets: [name] }));
          objectsBySet.push({
            name,
            objects,
            values: job.set.values,
            namespace: job.context.namespace,
            release: job.context.release,
          });
          chart.renders.push({
            valueSet: name,
            release: job.context.release,
            namespace: job.context.namespace,
            objects,
          });
        } else chart.renderErrors.push({ valueSet: name, message: r.error, refused: r.refused === true });
      }
    }

    // 5. Chart rules, then object rules once per value set.
    for (const rule of rules.filter(isChartRule))
      findings.push(...rule.check(chart).map((d) => finalize(rule, d, app)));
    const allowedRegistries = policy?.allowedRegistries ?? DEFAULT_ALLOWED_REGISTRIES;
    const reviewRelease = objectsBySet.find((s) => s.name === 'defaults')?.release ?? '';
    const reviewNamespace = objectsBySet.find((s) => s.name === 'defaults')?.namespace ?? '';
    for (const { name, objects, values, namespace, release } of objectsBySet) {
      const input: ObjectsInput = { objects, valueSet: name, values, namespace, allowedRegistries };
      if (manifest) input.manifest = manifest;
      // Each install context has its own random release and namespace: findings name the review's, so they merge.
      const shown = (d: Draft): Draft =>
        release === reviewRelease ? d : renameRelease(d, release, reviewRelease, namespace, reviewNamespace);
      for (const rule of rules.filter(isObjectsRule))
        findings.push(...rule.check(input).map((d) => finalize(rule, shown(d), app, name)));
    }
    return finish();
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  function finish(): ValidationReport {
    const merged = dedupe(findings).map((f) => (f.line === undefined && kind !== 'app' ? locate(f, chartFiles) : f));
    const applied = applyPolicy(merged, policy, { strict: options.strict === true, now: options.now ?? new Date() });
    report.findings = sortFindings(applied.findings);
    report.exempted = applied.exempted;
    report.summary = summarize(report.findings);
    return report;
  }
}

/**
 * Points a finding about a rendered object at the template line that most likely wrote it (the
 * first line holding its value), so SARIF viewers open the right place; line 1 otherwise.
 */
function locate(f: Finding, files: Map<string, Buffer>): Finding {
  const data = f.file ? files.get(f.file) : undefined;
  if (!data || f.value === undefined || f.value === '') return f;
  // The value as a YAML token (a key, a scalar or a list item), not inside a longer word.
  const escaped = f.value.slice(0, 200).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const token = new RegExp(`(^|\\s|")${escaped}("|:|\\s*$)`);
  const i = data
    .toString('utf8')
    .split('\n')
    .findIndex((l) => token.test(l));
  return i < 0 ? f : { ...f, line: i + 1 };
}

/** Whether a report fails at the given threshold (`none` never fails). */
export function failsAt(report: ValidationReport, failOn: Severity | 'none'): boolean {
  if (failOn === 'none') return false;
  return report.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]);
}

export type { ArchiveScan };
