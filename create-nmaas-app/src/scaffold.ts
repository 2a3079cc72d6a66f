/**
 * Writes a new project: copies the template folder into a staging folder next to the target,
 * then moves it into place, so an interrupted run never leaves a half-written project behind.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { IGNORED_ENTRIES, RENAMED_FILES, SUBSTITUTED_FILES, type Template } from './templates.js';
import { renderManifest, type ManifestAnswers } from './answers.js';
import { nameForms, replaceNames } from './names.js';

export class TargetNotEmptyError extends Error {
  constructor(
    readonly dir: string,
    readonly entries: string[],
  ) {
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} entries)` : '');
    super(
      `${dir} is not empty (${shown}); choose another folder, empty it, or pass --force to write the project into it (files with the same names are overwritten)`,
    );
    this.name = 'TargetNotEmptyError';
  }
}

/** The entries of `dir`, [] when it does not exist; throws when it is a file. */
export async function targetEntries(dir: string): Promise<string[]> {
  const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (info === null) return [];
  if (!info.isDirectory()) throw new Error(`${dir} is a file, not a folder; choose another target folder`);
  return (await readdir(dir)).sort();
}

/** Refuses a non-empty target unless `force`. */
export async function checkTarget(dir: string, force: boolean): Promise<void> {
  const entries = await targetEntries(dir);
  if (entries.length > 0 && !force) throw new TargetNotEmptyError(dir, entries);
}

export interface WriteProjectOptions {
  targetDir: string;
  template: Template;
  answers: ManifestAnswers;
  /** Write into a non-empty folder, overwriting files with the same names. */
  force?: boolean;
}

/** Writes the project; returns the files written, relative to the target, sorted. */
export async function writeProject({
  targetDir,
  template,
  answers,
  force = false,
}: WriteProjectOptions): Promise<string[]> {
  const target = path.resolve(targetDir);
  await checkTarget(target, force);
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(path.join(parent, `.${path.basename(target)}.create-nmaas-app-`));
  try {
    const files = await copyTemplate(template, answers, staging);
    await moveIntoPlace(staging, target);
    return files.sort();
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function copyTemplate(template: Template, answers: ManifestAnswers, outDir: string): Promise<string[]> {
  const from = nameForms(template.appName, template.displayName);
  const to = nameForms(answers.name);
  const written: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(path.join(template.dir, rel), { withFileTypes: true })) {
      if (rel === '' && IGNORED_ENTRIES.includes(entry.name)) continue;
      const source = path.join(rel, entry.name);
      if (entry.isDirectory()) {
        await walk(source);
        continue;
      }
      const dest = path.join(rel, RENAMED_FILES[entry.name] ?? entry.name);
      const posix = source.split(path.sep).join('/');
      await mkdir(path.join(outDir, rel), { recursive: true });
      if (posix === 'nmaas.yaml') {
        await writeFile(path.join(outDir, dest), renderManifest(template, answers));
      } else if (SUBSTITUTED_FILES.includes(posix)) {
        const text = await readFile(path.join(template.dir, source), 'utf8');
        await writeFile(path.join(outDir, dest), replaceNames(text, from, to));
      } else {
        await copyFile(path.join(template.dir, source), path.join(outDir, dest));
      }
      written.push(dest.split(path.sep).join('/'));
    }
  };
  await walk('');
  return written;
}

/** A new or empty target takes the staging folder whole; a forced non-empty one file by file. */
async function moveIntoPlace(staging: string, target: string): Promise<void> {
  const entries = await targetEntries(target);
  if (entries.length === 0) {
    await rmdir(target).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await rename(staging, target);
    return;
  }
  const move = async (rel: string): Promise<void> => {
    for (const entry of await readdir(path.join(staging, rel), { withFileTypes: true })) {
      const item = path.join(rel, entry.name);
      if (entry.isDirectory()) {
        await mkdir(path.join(target, item), { recursive: true });
        await move(item);
      } else {
        await rename(path.join(staging, item), path.join(target, item));
      }
    }
  };
  await move('');
}
