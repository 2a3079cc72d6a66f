/**
 * Writes a directory of files all at once: into a hidden temporary sibling first, then renamed
 * over the target, so a reader (or a failed run) never sees a half-written chart.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export async function writeDirAtomic(target: string, files: Map<string, string | Uint8Array>): Promise<void> {
  const parent = path.dirname(target);
  const base = path.basename(target);
  await mkdir(parent, { recursive: true });
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const temp = path.join(parent, `.${base}.tmp-${suffix}`);
  const old = path.join(parent, `.${base}.old-${suffix}`);
  try {
    for (const [rel, content] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const file = path.join(temp, rel);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
    }
    let moved = false;
    try {
      await rename(target, old);
      moved = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await rename(temp, target);
    if (moved) await rm(old, { recursive: true, force: true });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}
