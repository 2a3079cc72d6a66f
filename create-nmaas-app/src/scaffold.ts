/**
 * Writes a new project: the template's files are rendered in memory, then written with the kit's
 * atomic writes, so an interrupted run never leaves a half-written project behind (a new or empty
 * target gets the whole folder at once; a forced non-empty one each file whole).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ensureDir, InputError, UsageError, writeDirAtomic, writeFileAtomic } from '@nmaas/sdk/kit';
import { IGNORED_ENTRIES, RENAMED_FILES, SUBSTITUTED_FILES, type Template } from './templates.js';
import { renderManifest, type ManifestAnswers } from './answers.js';
import { nameForms, replaceNames } from './names.js';

// Read but refused (exit 1): the folder holds files the project would overwrite.
export class TargetNotEmptyError extends InputError {
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
  if (!info.isDirectory()) throw new UsageError(`${dir} is a file, not a folder; choose another target folder`);
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
  const files = await renderTemplate(template, answers);
  if ((await targetEntries(target)).length === 0) await writeDirAtomic(target, files);
  else {
    for (const [rel, content] of files) {
      const file = path.join(target, rel);
      await ensureDir(path.dirname(file));
      await writeFileAtomic(file, content);
    }
  }
  return [...files.keys()].sort();
}

/** The project's files (path relative to the target, POSIX separators → content), rendered from the template. */
async function renderTemplate(template: Template, answers: ManifestAnswers): Promise<Map<string, string | Buffer>> {
  const from = nameForms(template.appName, template.displayName);
  const to = nameForms(answers.name);
  const files = new Map<string, string | Buffer>();
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(path.join(template.dir, rel), { withFileTypes: true })) {
      if (rel === '' && IGNORED_ENTRIES.includes(entry.name)) continue;
      const source = path.join(rel, entry.name);
      if (entry.isDirectory()) {
        await walk(source);
        continue;
      }
      const dest = path
        .join(rel, RENAMED_FILES[entry.name] ?? entry.name)
        .split(path.sep)
        .join('/');
      const posix = source.split(path.sep).join('/');
      if (posix === 'nmaas.yaml') files.set(dest, renderManifest(template, answers));
      else if (SUBSTITUTED_FILES.includes(posix))
        files.set(dest, replaceNames(await readFile(path.join(template.dir, source), 'utf8'), from, to));
      else files.set(dest, await readFile(path.join(template.dir, source)));
    }
  };
  await walk('');
  return files;
}
