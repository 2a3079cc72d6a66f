/**
 * Loads an app folder for running: nmaas.yaml (validated) and the package's `main` module, whose
 * default export must be the value returned by defineMeasurement().
 */
import { describeSystemError } from '../kit/errors.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ManifestError, parseManifest, MANIFEST_FILE } from '../model/manifest.js';
import type { AppManifest } from '../model/schema.js';
import { isMeasurement, type Measurement } from './measurement.js';

export const MANIFEST_ENV = 'NMAAS_MANIFEST';
export const APP_DIR_ENV = 'NMAAS_APP_DIR';
export const DEFAULT_APP_DIR = '/app';

export class AppLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppLoadError';
  }
}

export interface RunnableApp {
  dir: string;
  manifestFile: string;
  manifest: AppManifest;
  mainFile: string;
  measurement: Measurement<unknown>;
}

export async function readManifestFile(file: string): Promise<AppManifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = describeSystemError(error as NodeJS.ErrnoException, file);
    const message = `cannot read ${reason}; give the folder of an app, which declares the app in ${MANIFEST_FILE}`;
    throw new ManifestError(file, [{ path: '', message }], 2);
  }
  return parseManifest(text, file);
}

/** The file the app package's `main` names (default index.js), resolved inside `dir`. */
export async function appMainFile(dir: string): Promise<string> {
  const pkgFile = path.join(dir, 'package.json');
  let pkg: { main?: unknown };
  try {
    pkg = JSON.parse(await readFile(pkgFile, 'utf8')) as { main?: unknown };
  } catch (error) {
    throw new AppLoadError(
      `cannot read ${pkgFile}: ${(error as Error).message}; an app folder needs a package.json whose "main" is the built measurement (e.g. dist/index.js)`,
    );
  }
  const main = typeof pkg.main === 'string' ? pkg.main : 'index.js';
  return path.resolve(dir, main);
}

/** Imports the app's measurement. Throws AppLoadError with the fix when the module is not one. */
export async function importMeasurement(mainFile: string): Promise<Measurement<unknown>> {
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(mainFile).href)) as { default?: unknown };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint =
      code === 'ERR_MODULE_NOT_FOUND' && (error as Error).message.includes(mainFile)
        ? ' (is the app built? run npm run build in the app folder)'
        : '';
    throw new AppLoadError(`cannot import ${mainFile}${hint}: ${(error as Error).message}`);
  }
  if (!isMeasurement(mod.default)) {
    throw new AppLoadError(
      `${mainFile} must default-export defineMeasurement(async (ctx) => { … }) from @nmaas/sdk; its default export is ${typeof mod.default}`,
    );
  }
  return mod.default;
}

/** Loads `<dir>/nmaas.yaml` (or `manifestFile`) and the app's measurement. */
export async function loadRunnableApp(dir: string, manifestFile?: string): Promise<RunnableApp> {
  const absDir = path.resolve(dir);
  const file = path.resolve(manifestFile ?? path.join(absDir, MANIFEST_FILE));
  const manifest = await readManifestFile(file);
  const mainFile = await appMainFile(absDir);
  const measurement = await importMeasurement(mainFile);
  return { dir: absDir, manifestFile: file, manifest, mainFile, measurement };
}
