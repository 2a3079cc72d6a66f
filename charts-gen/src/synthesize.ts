/**
 * `synthesizeChart`: nmaas.yaml → a complete Helm chart in `<outDir>/<name>/`. Pure function of the
 * app folder: the same input gives the same bytes (no timestamps, sorted keys where order is free).
 */
import { RANCHER_ICON_MAX_BYTES } from './rancher-dashboard.js';
import semverValid from 'semver/functions/valid.js';
import path from 'node:path';
import { parseDocument } from 'yaml';
import {
  AppFileError,
  loadApp,
  MANIFEST_FILE,
  MAX_MANIFEST_BYTES,
  readAppFile,
  type AppManifest,
  type LoadedApp,
} from '@nmaas/sdk/model';
import { MEASUREMENT_NODE_TAINT } from '@nmaas/sdk/contract';
import { TemplateTokens } from './tokens.js';
import { DASHBOARD_FILE, synthesizeObjects } from './objects.js';
import { templateFile, toYaml } from './templates.js';
import { helpersTpl } from './helpers-tpl.js';
import { namespaceGuardFiles } from './namespace-guard-tpl.js';
import { dashboardJson } from './dashboard.js';
import { appReadme, chartYaml, notesTxt, questionsYaml, readme } from './chart-files.js';
import { buildValueSpecs, valuesObject, valuesSchema } from './values-model.js';
import { InputError, writeDirAtomic } from '@nmaas/sdk/kit';
import { ciValueFiles } from './rancher-values.js';

export interface SynthesizeOptions {
  /** Check the result with helm's `lint --strict` before returning (slow; off by default). */
  lint?: boolean;
  /**
   * URL for Chart.yaml's `icon` when the app's icon is a file: a catalogue that serves the icon
   * (shipped as `icon.<ext>` at the chart root) passes its URL to keep index.yaml small. Without
   * it the icon is inlined as a data: URL so the chart stands alone.
   */
  iconUrl?: string;
  /**
   * The chart's own version (SemVer), when it must move without the app's: a generator change
   * is released as a new chart version while appVersion stays nmaas.yaml's version. Default: the
   * app's version.
   */
  chartVersion?: string;
}

export interface SynthesizedChart {
  chartDir: string;
  name: string;
  version: string;
}

const ICON_TYPES: Record<string, string> = {
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

/** The chart's files (relative path → content), without writing anything. */
export async function chartFiles(
  app: LoadedApp,
  options: Pick<SynthesizeOptions, 'iconUrl' | 'chartVersion'> = {},
): Promise<Map<string, string | Uint8Array>> {
  const { manifest } = app;
  const files = new Map<string, string | Uint8Array>();
  // Read again through the app-folder guard: a file swapped for a link since loadApp is refused.
  let manifestBytes: string | Uint8Array = await readAppFile(app.dir, MANIFEST_FILE, MAX_MANIFEST_BYTES).catch(
    (error: unknown) => {
      if (error instanceof AppFileError && error.problem === 'missing') return Buffer.from(toYaml(manifest));
      throw error instanceof AppFileError ? new InputError(error.message) : error;
    },
  );
  // A digest pinned by the image lock (not in nmaas.yaml) goes into the chart's copy, which is
  // what reviewers and the validator read.
  const doc = parseDocument(Buffer.from(manifestBytes).toString('utf8'));
  if (manifest.image.digest !== undefined && !doc.hasIn(['image', 'digest'])) {
    doc.setIn(['image', 'digest'], manifest.image.digest);
    manifestBytes = doc.toString();
  }
  let icon: string | undefined;
  if (manifest.icon !== undefined && /^https:\/\//.test(manifest.icon)) icon = manifest.icon;
  else if (app.iconFile !== undefined) {
    // The file is shipped at the chart root; Chart.yaml names it only by a URL Rancher can show
    // (the catalogue serves it over https, or file://assets/… in the git layout). Rancher's
    // dashboard does not display data: URLs, so without one the chart has no icon field.
    const ext = path.extname(app.iconFile).toLowerCase();
    if (!(ext in ICON_TYPES))
      throw new Error(`${app.iconFile}: icon must be one of ${Object.keys(ICON_TYPES).join(', ')}`);
    // Only a regular file inside the app folder, never a link to one elsewhere (/etc/passwd).
    const bytes = await readAppFile(app.dir, path.relative(app.dir, app.iconFile), RANCHER_ICON_MAX_BYTES).catch(
      (error: unknown) => {
        if (!(error instanceof AppFileError)) throw error;
        if (error.problem === 'too-large')
          throw new Error(
            `${app.iconFile}: the icon is ${error.size} bytes; Rancher reads at most ${RANCHER_ICON_MAX_BYTES} (1 MiB), so shrink it (an SVG or a 256-pixel PNG)`,
          );
        throw new InputError(error.message);
      },
    );
    icon = options.iconUrl;
    files.set(`icon${ext}`, bytes);
  }
  const specs = buildValueSpecs(manifest);
  const tokens = new TemplateTokens(manifest);
  if (options.chartVersion !== undefined && semverValid(options.chartVersion) === null) {
    throw new Error(`chart version ${options.chartVersion} is not SemVer 2 (e.g. ${manifest.version} or 1.0.1)`);
  }
  files.set('Chart.yaml', chartYaml(manifest, icon, options.chartVersion));
  files.set(
    'values.yaml',
    `# Generated by nmaas chart from nmaas.yaml; see README.md for every key.\n${toYaml(valuesObject(specs))}`,
  );
  files.set(
    'values.schema.json',
    `${JSON.stringify(valuesSchema(specs, `${manifest.displayName} values`), null, 2)}\n`,
  );
  files.set('questions.yaml', questionsYaml(specs));
  files.set('app-readme.md', appReadme(manifest));
  files.set('README.md', readme(manifest, specs));
  files.set(MANIFEST_FILE, manifestBytes);
  files.set(DASHBOARD_FILE, dashboardJson(manifest));
  files.set('.helmignore', '# Generated by nmaas chart.\n.git/\n*.tmp\n*~\n');
  for (const [file, text] of ciValueFiles(toYaml, {
    priorityClassName: '',
    tolerations: [{ key: MEASUREMENT_NODE_TAINT, operator: 'Exists', effect: 'NoSchedule' }],
  }))
    files.set(file, text);
  files.set('templates/_helpers.tpl', helpersTpl(manifest));
  files.set('templates/NOTES.txt', notesTxt(manifest));
  for (const entry of synthesizeObjects(manifest, tokens))
    files.set(`templates/${entry.file}`, templateFile(entry, tokens));
  for (const [file, text] of namespaceGuardFiles(manifest)) files.set(file, text);
  return files;
}

/**
 * Writes `<outDir>/<name>/` for the app in `app` (a folder holding nmaas.yaml, or an already
 * loaded app). Replaces an existing chart of that name atomically.
 */
export async function synthesizeChart(
  app: string | LoadedApp,
  outDir: string,
  options: SynthesizeOptions = {},
): Promise<SynthesizedChart> {
  const loaded = typeof app === 'string' ? await loadApp(app) : app;
  const manifest: AppManifest = loaded.manifest;
  const files = await chartFiles(loaded, { iconUrl: options.iconUrl, chartVersion: options.chartVersion });
  const chartDir = path.resolve(outDir, manifest.name);
  await writeDirAtomic(chartDir, files);
  if (options.lint) {
    const { runHelm } = await import('./helm.js');
    await runHelm(['lint', '--strict', chartDir]);
  }
  return { chartDir, name: manifest.name, version: options.chartVersion ?? manifest.version };
}
