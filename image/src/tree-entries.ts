/**
 * Turns a directory on disk into layer entries under a chosen path in the image, with owner and
 * timestamps decided by the caller, never by the host. Only regular files, directories and
 * symbolic links are taken; anything else (sockets, devices) is refused.
 */
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { TarEntry } from './tar.js';

export interface TreeOptions {
  uid: number;
  gid: number;
  /** Relative (to the tree root, `/`-separated) paths to leave out; a directory leaves out its contents. */
  exclude?: (relative: string, isDir: boolean) => boolean;
}

export async function treeEntries(root: string, imagePath: string, options: TreeOptions): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const prefix = imagePath.replace(/^\/+|\/+$/g, '');
  const join = (relative: string) => (prefix === '' ? relative : relative === '' ? prefix : `${prefix}/${relative}`);
  async function walk(relative: string): Promise<void> {
    const full = path.join(root, relative);
    const info = await lstat(full);
    const target = join(relative);
    if (info.isSymbolicLink()) {
      if (options.exclude?.(relative, false)) return;
      entries.push({ type: 'symlink', path: target, target: await readlink(full), uid: options.uid, gid: options.gid });
    } else if (info.isDirectory()) {
      if (relative !== '' && options.exclude?.(relative, true)) return;
      // Directories are 0755 whatever the host's umask made them, so builds agree across machines.
      if (target !== '') entries.push({ type: 'dir', path: target, mode: 0o755, uid: options.uid, gid: options.gid });
      for (const name of (await readdir(full)).sort()) await walk(relative === '' ? name : `${relative}/${name}`);
    } else if (info.isFile()) {
      if (options.exclude?.(relative, false)) return;
      // Only the executable bits of the host mode matter; group/other write never goes into an image.
      const mode = info.mode & 0o111 ? 0o755 : 0o644;
      entries.push({
        type: 'file',
        path: target,
        mode,
        uid: options.uid,
        gid: options.gid,
        data: await readFile(full),
      });
    } else {
      throw new Error(`${full} is neither a file, a directory nor a symbolic link; an image cannot hold it`);
    }
  }
  await walk('');
  return entries;
}
