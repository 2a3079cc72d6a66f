/**
 * Crash-safe writes: data goes to a temp file in the same folder (so rename is atomic on one
 * file system), is fsynced, then renamed over the target. Temp names carry the writer's pid, so a
 * later build can tell leftovers of a killed build from files another live build is writing.
 */
import { open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

const TEMP_MARK = '.nmaas-tmp-';

// One random tag per process plus a counter: unique without a crypto call per file.
const PROCESS_TAG = randomBytes(4).toString('hex');
let counter = 0;

export function tempName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}${TEMP_MARK}${process.pid}-${PROCESS_TAG}${(counter++).toString(36)}`);
}

export async function writeFileAtomic(target: string, data: Buffer | string): Promise<void> {
  const tmp = tempName(target);
  const handle = await open(tmp, 'wx', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temp files and folders left under `dir` (to `depth` levels) by writers that no longer run. */
export async function removeStaleTemps(dir: string, depth = 3): Promise<number> {
  let removed = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const i = entry.name.indexOf(TEMP_MARK);
    if (i === -1) {
      if (entry.isDirectory() && depth > 1) removed += await removeStaleTemps(path.join(dir, entry.name), depth - 1);
      continue;
    }
    const pid = Number(entry.name.slice(i + TEMP_MARK.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) {
      await rm(path.join(dir, entry.name), { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}
