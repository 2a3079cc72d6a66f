/**
 * Reading and validating `nmaas.yaml`. Errors carry the field path, the line in the file and
 * a message that says how to fix the value, so `nmaas manifest check` can print them as is.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node as YamlNode } from 'yaml';
import { appManifestShape, type AppManifest } from './schema.js';
import { manifestRuleIssues, type ModelRuleOptions } from './rules.js';
import { friendlyIssues } from './friendly-issues.js';
import { formatBytes } from '../kit/bounded-read.js';
import { AppFileError, appFilePath, readAppFile } from './app-file.js';
import { firstTooDeep, MAX_YAML_DEPTH } from './yaml-depth.js';
import { IMAGE_LOCK_FILE, readImageLock } from './image-lock.js';

export const MANIFEST_FILE = 'nmaas.yaml';
/**
 * The largest nmaas.yaml read. Real declarations are a few KiB; without a bound a 100 MB file was
 * parsed whole (seconds, over half a GiB of memory) before being found wrong.
 */
export const MAX_MANIFEST_BYTES = 1024 * 1024;
/** Aliases (`*name`) one nmaas.yaml may expand; "billion laughs" documents expand them exponentially. */
export const MAX_MANIFEST_ALIASES = 100;

/** The full model: the shape plus the cross-field rules. */
export const appManifestSchema = appManifestShape.superRefine((manifest, ctx) => {
  for (const issue of manifestRuleIssues(manifest))
    ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
});

export interface ManifestIssue {
  /** Dotted field path, e.g. `schedule.duration` or `parameters[0].default`. */
  path: string;
  message: string;
  /** 1-based position in the YAML file, when the manifest was read from text. */
  line?: number;
  column?: number;
}

export class ManifestError extends Error {
  constructor(
    readonly file: string,
    readonly issues: ManifestIssue[],
    /** 1: read but not valid; 2: could not be read at all (the command-line exit convention). */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(
      exitCode === 2
        ? issues.map((i) => i.message).join('; ')
        : `${file} is not a valid NMaaS app declaration:\n${formatIssues(file, issues)}`,
    );
    this.name = 'ManifestError';
  }
}

export function formatIssues(file: string, issues: ManifestIssue[]): string {
  return issues
    .map(
      (i) =>
        `  ${file}${i.line !== undefined ? `:${i.line}:${i.column ?? 1}` : ''} ${i.path ? `${i.path}: ` : ''}${i.message}`,
    )
    .join('\n');
}

export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out === '' ? String(s) : `.${String(s)}`;
  }
  return out;
}

/** Validates already-parsed data. Returns the typed manifest (defaults filled) or the issues. */
export function validateManifest(
  data: unknown,
  options: ModelRuleOptions = {},
): { ok: true; manifest: AppManifest } | { ok: false; issues: ManifestIssue[] } {
  const result = appManifestShape.safeParse(data);
  const issues: ManifestIssue[] = result.success
    ? []
    : friendlyIssues(appManifestShape, result.error.issues, data).map((i) => ({
        path: formatPath(i.path),
        message: i.message,
      }));
  for (const issue of manifestRuleIssues(result.success ? result.data : data, options)) {
    issues.push({ path: formatPath(issue.path), message: issue.message });
  }
  if (result.success && issues.length === 0) return { ok: true, manifest: result.data };
  return { ok: false, issues: dedupe(issues) };
}

function dedupe<T extends { path: string; message: string }>(issues: T[]): T[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Parses YAML text and validates it; issues carry line numbers. Throws ManifestError. */
export function parseManifest(text: string, file = MANIFEST_FILE, options: ModelRuleOptions = {}): AppManifest {
  // The yaml package composes recursively: too deep a text must be refused before it is parsed.
  const deep = firstTooDeep(text);
  if (deep !== undefined) {
    const message = `YAML nesting too deep: more than ${MAX_YAML_DEPTH} levels of lists and mappings inside each other; an app declaration needs about 5, so flatten the file`;
    throw new ManifestError(file, [{ path: '', message, ...deep }]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // The first syntax error is the one to fix; those after it are mostly its echoes.
    const first = doc.errors[0]!;
    const pos = first.linePos?.[0];
    const message = `YAML syntax: ${first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
    throw new ManifestError(file, [{ path: '', message, line: pos?.line, column: pos?.col }]);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_MANIFEST_ALIASES });
  } catch (error) {
    // yaml's own words ("Excessive alias count indicates a resource exhaustion attack") name no file.
    if (!(error instanceof ReferenceError) || !/alias/i.test(error.message)) throw error;
    const message = `too many aliases: resolving the aliases (*name) goes past the ${MAX_MANIFEST_ALIASES} the reader allows, as a "billion laughs" attack does; write the values out instead of nesting aliases`;
    throw new ManifestError(file, [{ path: '', message }]);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ManifestError(file, [
      { path: '', message: 'the file must be a YAML mapping with apiVersion: nmaas.io/v1, name, version, …' },
    ]);
  }
  const result = validateManifest(data, options);
  if (result.ok) return result.manifest;
  const located = result.issues.map((issue) => ({
    ...issue,
    ...positionOf(doc.contents as YamlNode | null, issue.path, lineCounter),
  }));
  // In file order, as an editor lists them.
  located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  throw new ManifestError(file, located);
}

/** Finds the line of the deepest YAML node that exists along a dotted path. */
function positionOf(root: YamlNode | null, dotted: string, lines: LineCounter): { line?: number; column?: number } {
  const segments = dotted.match(/[^.[\]]+/g) ?? [];
  let node: YamlNode | null = root;
  let found: YamlNode | null = root;
  for (const seg of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) break;
      node = (pair.value as YamlNode | null) ?? (pair.key as YamlNode);
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (!item) break;
      node = item as YamlNode;
    } else break;
    found = node;
  }
  const offset = found?.range?.[0];
  if (offset === undefined) return {};
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

export interface LoadedApp {
  dir: string;
  file: string;
  manifest: AppManifest;
  /** Absolute path of the icon when it is a file in the app folder. */
  iconFile?: string;
}

/** Reads `<appDir>/nmaas.yaml`, validates it and checks the files it names exist. */
export async function loadApp(appDir: string, options: ModelRuleOptions = {}): Promise<LoadedApp> {
  const dir = path.resolve(appDir);
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = (await readAppFile(dir, MANIFEST_FILE, MAX_MANIFEST_BYTES)).toString('utf8');
  } catch (error) {
    if (!(error instanceof AppFileError)) throw error;
    const message =
      error.problem !== 'missing'
        ? error.problem === 'too-large'
          ? `${file} is ${error.size} bytes; an app declaration is a few KiB and nmaas reads at most ${formatBytes(MAX_MANIFEST_BYTES)}, so check this is the right file`
          : error.message
        : (await isFolder(dir))
          ? `no ${MANIFEST_FILE} in ${dir}; give the folder of an app, which declares the app in ${MANIFEST_FILE}`
          : `${appDir} is not a folder; give the folder that holds ${MANIFEST_FILE}`;
    throw new ManifestError(file, [{ path: '', message }], 2);
  }
  const manifest = parseManifest(text, file, options);
  if (manifest.image.digest === undefined) {
    const lock = await readImageLock(dir).catch((error: Error) => {
      throw new ManifestError(file, [{ path: 'image.digest', message: error.message }]);
    });
    if (lock && (lock.repository !== manifest.image.repository || lock.tag !== manifest.image.tag)) {
      throw new ManifestError(file, [
        {
          path: 'image',
          message: `${IMAGE_LOCK_FILE} pins ${lock.repository}:${lock.tag}, not ${manifest.image.repository}:${manifest.image.tag}; rebuild the image (nmaas image build)`,
        },
      ]);
    }
    if (lock) manifest.image.digest = lock.digest;
  }
  const loaded: LoadedApp = { dir, file, manifest };
  if (manifest.icon !== undefined && !/^https:\/\//.test(manifest.icon)) {
    const iconFile = path.resolve(dir, manifest.icon);
    const notThere = `${manifest.icon} is not a file inside the app folder; add the file or give an https:// URL`;
    if (!iconFile.startsWith(dir + path.sep)) throw new ManifestError(file, [{ path: 'icon', message: notThere }]);
    // The chart ships the icon: a link or a special file there is refused, never followed.
    await appFilePath(dir, manifest.icon).catch((error: unknown) => {
      if (!(error instanceof AppFileError)) throw error;
      throw new ManifestError(file, [
        { path: 'icon', message: error.problem === 'missing' ? notThere : error.message },
      ]);
    });
    loaded.iconFile = iconFile;
  }
  return loaded;
}

async function isFolder(dir: string): Promise<boolean> {
  return stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
