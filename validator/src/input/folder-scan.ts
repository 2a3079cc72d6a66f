/**
 * Walks a chart folder without following links (unlike Helm's directory loader, which follows
 * symlinks): every entry is recorded for the same rules as an archive, and regular files within
 * the limits are read into memory. Only what was read is later handed to helm.
 */
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { Stats } from 'node:fs';
import type { ArchiveScan, EntryType } from '../types.js';
import { DEFAULT_LIMITS, type ArchiveContents, type ScanLimits } from './archive-scan.js';

/** The archive entry type of a folder entry, as lstat sees it. */
export function typeOf(st: Stats): EntryType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'character-device';
  if (st.isBlockDevice()) return 'block-device';
  if (st.isFIFO()) return 'fifo';
  return 'other';
}

export async function scanFolder(root: string, limits: ScanLimits = DEFAULT_LIMITS): Promise<ArchiveContents> {
  const scan: ArchiveScan = {
    source: 'folder',
    entries: [],
    compressedBytes: 0,
    decompressedBytes: 0,
    oversized: [],
    malformed: [],
  };
  const files = new Map<string, Buffer>();
  const queue: string[] = [''];
  while (queue.length > 0 && !scan.stoppedAt) {
    const rel = queue.shift()!;
    const names = (await readdir(path.join(root, rel))).sort();
    for (const name of names) {
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const full = path.join(root, relPath);
      const st = await lstat(full);
      const type = typeOf(st);
      const entry = {
        path: type === 'directory' ? `${relPath}/` : relPath,
        type,
        size: type === 'file' ? st.size : 0,
      } as ArchiveScan['entries'][number];
      if (type === 'symlink') entry.linkpath = await readlink(full);
      if (st.nlink > 1 && type === 'file') {
        // A second name for one inode is the folder form of a tar hardlink.
        entry.type = 'hardlink';
        entry.linkpath = '(another name of the same file)';
      }
      scan.entries.push(entry);
      if (scan.entries.length > limits.maxEntries) {
        scan.stoppedAt = { limit: 'entries', afterBytes: scan.decompressedBytes, afterEntries: scan.entries.length };
        break;
      }
      if (type === 'directory') queue.push(relPath);
      if (entry.type !== 'file') continue;
      if (st.size > limits.maxFileBytes) {
        scan.oversized.push(relPath);
        continue;
      }
      if (scan.decompressedBytes + st.size > limits.maxTotalBytes) {
        scan.stoppedAt = {
          limit: 'total-size',
          afterBytes: scan.decompressedBytes + st.size,
          afterEntries: scan.entries.length,
        };
        break;
      }
      const data = await readFile(full);
      scan.decompressedBytes += data.length;
      files.set(relPath, data);
    }
  }
  return { scan, files };
}
