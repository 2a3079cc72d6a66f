/**
 * Crash-safe writes, one semantics for every package: the data goes to a temp sibling in the same
 * folder (so the rename is atomic on one file system), is fsynced, then renamed over the target;
 * on any failure the temp is removed and the target is left as it was. Temp names carry the
 * writer's pid, so `removeStaleTemps` can tell leftovers of a killed writer from files a live
 * writer is still producing.
 */
import { closeSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from './errors.js';

const TEMP_MARK = '.nmaas-tmp-';

// One random tag per process plus a counter: unique names without a crypto call per file.
const PROCESS_TAG = randomBytes(4).toString('hex');
let counter = 0;

/** A fresh temp path beside `target`, recognisable by `removeStaleTemps`. */
export function tempPathFor(target: string): string {
  const name = `.${path.basename(target)}${TEMP_MARK}${process.pid}-${PROCESS_TAG}${(counter++).toString(36)}`;
  return path.join(path.dirname(target), name);
}

/**
 * `mkdir -p` that always ends: Node's recursive mkdir spins forever on paths it can never create
 * (under /proc, for one), so the folders are created one level at a time, bounded by the depth.
 */
export async function ensureDir(dir: string): Promise<void> {
  const absolute = path.resolve(dir);
  try {
    await mkdir(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if ((await stat(absolute)).isDirectory()) return;
      throw new UsageError(`${dir} is a file, not a folder; give a folder (or a new name) instead`);
    }
    const parent = path.dirname(absolute);
    if (code !== 'ENOENT' || parent === absolute) throw error;
    await ensureDir(parent);
    await mkdir(absolute).catch(async (again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST' || !(await stat(absolute)).isDirectory()) throw again;
    });
  }
}

export interface WriteOptions {
  /** File mode of the written file(s); 0o644 unless given. */
  mode?: number;
}

async function writeSynced(file: string, data: string | Uint8Array, mode: number): Promise<void> {
  const handle = await open(file, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * An error about the temp file is about the target for the user: a missing folder is named as the
 * folder (not as `.x.svg.nmaas-tmp-…`), any other failure as the target file.
 */
function aboutTarget(error: unknown, temp: string, target: string): unknown {
  const failure = error as NodeJS.ErrnoException;
  if (failure.path !== temp) return error;
  const missingFolder = failure.code === 'ENOENT' || failure.code === 'ENOTDIR';
  failure.path = missingFolder ? path.dirname(target) : target;
  failure.message = failure.message.replace(temp, failure.path);
  return failure;
}

/** Writes `data` to `target` so a reader sees either the old content or the new, never a part. */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): Promise<void> {
  const temp = tempPathFor(target);
  try {
    await writeSynced(temp, data, options.mode ?? 0o644);
    await rename(temp, target);
  } catch (error) {
    // A temp that could not even be created (its folder is a file: ENOTDIR) is not there to remove,
    // and that failure must not hide the one being reported.
    await rm(temp, { force: true }).catch(() => undefined);
    throw aboutTarget(error, temp, target);
  }
}

/** One file of a batch for `writeFilesAtomic`. */
export interface PendingFile {
  target: string;
  data: string | Uint8Array;
  /** File mode; 0o644 unless given. */
  mode?: number;
}

/** How a batch was made durable before its renames: one syncfs per file system, or one fsync per file. */
export type DurableBy = 'syncfs' | 'fsync';

/**
 * syncfs(2) reports write-back errors only since Linux 5.8; before that (and off Linux) only a
 * per-file fsync proves the data reached the disk.
 */
function syncfsReportsErrors(): boolean {
  if (process.platform !== 'linux') return false;
  const [major = 0, minor = 0] = os
    .release()
    .split('.')
    .map((part) => Number.parseInt(part, 10));
  return major > 5 || (major === 5 && minor >= 8);
}

/**
 * Flushes the file systems holding `paths` with coreutils' `sync --file-system`, which calls
 * syncfs(2) once per argument: Node has no binding for it, and one small process costs less than
 * hundreds of fsyncs queued on the thread pool. One path per file system (by device) is passed.
 * Resolves false when that is not possible or not trustworthy (no such command, an old kernel, a
 * failure), so the caller falls back to fsync per file.
 */
async function syncFileSystems(paths: readonly string[]): Promise<boolean> {
  if (!syncfsReportsErrors()) return false;
  // Loaded here: every command loads the kit, and child_process costs milliseconds to start.
  const { execFile } = await import('node:child_process');
  const byDevice = new Map<number, string>();
  for (const dir of new Set(paths.map((file) => path.dirname(file)))) {
    const device = statSync(dir).dev;
    if (!byDevice.has(device)) byDevice.set(device, dir);
  }
  return new Promise((resolve) => {
    execFile('sync', ['--file-system', ...byDevice.values()], { timeout: 120_000 }, (error) => resolve(error === null));
  });
}

/** fsync of each file, a few at a time on the thread pool (the fallback when syncfs is not usable). */
async function fsyncEach(paths: readonly string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const handle = await open(paths[next++]!, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, paths.length) }, worker));
}

/**
 * Writes many files with `writeFileAtomic`'s guarantees, made durable together: every temp is
 * written (beside its target), then all are flushed at once — one syncfs per file system, or an
 * fsync per file where that is not available — and only then renamed over their targets, in the
 * order given (so a file that publishes the others, such as an index, goes last). A failure before
 * the renames leaves every target as it was; a failed rename stops the batch, leaves the files
 * already renamed (each whole and durable) and removes every temp. Temps are written with
 * synchronous calls: the data is in memory and each write only copies it into the page cache, so
 * a thread-pool round trip per call would cost more than the call.
 */
export async function writeFilesAtomic(files: readonly PendingFile[]): Promise<{ durableBy: DurableBy }> {
  // A rename onto a folder fails: found before anything is written, so the batch stays all or nothing.
  for (const { target } of files) {
    // Any other trouble with the path (a file where a folder should be) is reported by the write below.
    const isFolder = (() => {
      try {
        return statSync(target, { throwIfNoEntry: false })?.isDirectory() === true;
      } catch {
        return false;
      }
    })();
    if (isFolder)
      throw Object.assign(new Error(`EISDIR: illegal operation on a directory, rename '${target}'`), {
        code: 'EISDIR',
        path: target,
        syscall: 'rename',
      });
  }
  const temps: string[] = [];
  try {
    for (const file of files) {
      const temp = tempPathFor(file.target);
      temps.push(temp);
      try {
        const fd = openSync(temp, 'wx', file.mode ?? 0o644);
        try {
          writeFileSync(fd, file.data);
        } finally {
          closeSync(fd);
        }
      } catch (error) {
        throw aboutTarget(error, temp, file.target);
      }
    }
    let durableBy: DurableBy = 'syncfs';
    if (temps.length > 0 && !(await syncFileSystems(temps))) {
      durableBy = 'fsync';
      await fsyncEach(temps);
    }
    files.forEach((file, i) => {
      try {
        renameSync(temps[i]!, file.target);
      } catch (error) {
        throw aboutTarget(error, temps[i]!, file.target);
      }
    });
    return { durableBy };
  } catch (error) {
    // Temps already renamed are gone from their temp names: removing them is a no-op.
    for (const temp of temps) {
      try {
        rmSync(temp, { force: true });
      } catch {
        // Never created (see writeFileAtomic): nothing to remove, and the first error is the one to report.
      }
    }
    throw error;
  }
}

/**
 * Replaces the folder `target` with exactly `files` (relative path → content). The new folder is
 * built beside the target and renamed in; an existing target is first renamed aside and removed
 * only once the new one is in place, so a failure at any step leaves the old folder whole.
 */
export async function writeDirAtomic(
  target: string,
  files: ReadonlyMap<string, string | Uint8Array>,
  options: WriteOptions = {},
): Promise<void> {
  // Absolute, so the containment check below compares like with like whatever the working folder.
  const folder = path.resolve(target);
  await ensureDir(path.dirname(folder));
  const temp = tempPathFor(folder);
  const aside = tempPathFor(folder);
  let movedAside = false;
  try {
    await mkdir(temp);
    // Sorted so the creation order, and with it any listing that follows it, is reproducible.
    for (const [rel, content] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const file = path.resolve(temp, rel);
      if (!file.startsWith(temp + path.sep)) throw new Error(`refusing to write ${rel}: it lies outside ${target}`);
      await ensureDir(path.dirname(file));
      await writeSynced(file, content, options.mode ?? 0o644);
    }
    try {
      await rename(folder, aside);
      movedAside = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await rename(temp, folder);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (movedAside) await rename(aside, folder).catch(() => undefined);
    throw error;
  }
  if (movedAside) await rm(aside, { recursive: true, force: true });
}

/** Whether a process with this pid runs (EPERM: it runs, under another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temp files and folders left under `dir` (to `depth` levels) by writers no longer running. */
export async function removeStaleTemps(dir: string, depth = 3): Promise<number> {
  let removed = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const at = entry.name.indexOf(TEMP_MARK);
    if (at === -1) {
      if (entry.isDirectory() && depth > 1) removed += await removeStaleTemps(path.join(dir, entry.name), depth - 1);
      continue;
    }
    const pid = Number(entry.name.slice(at + TEMP_MARK.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isProcessAlive(pid)) {
      await rm(path.join(dir, entry.name), { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}
