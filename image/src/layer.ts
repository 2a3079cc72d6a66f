/**
 * A layer: sorted tar entries, gzipped without a file name or timestamp. The diff ID (digest of
 * the uncompressed tar) goes into the image config, the digest of the gzip into the manifest.
 */
import { gzipSync } from 'node:zlib';
import { sha256Digest } from './digest.js';
import { writeTar, type TarEntry } from './tar.js';

export interface Layer {
  /** The gzipped tar, as the registry stores it. */
  blob: Buffer;
  digest: string;
  diffId: string;
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip';
}

/** Adds the parent directories a layer needs and sorts by path, so input order never matters. */
export function normaliseEntries(entries: readonly TarEntry[]): TarEntry[] {
  const byPath = new Map<string, TarEntry>();
  for (const entry of entries) {
    const clean = entry.path.replace(/^\/+/, '').replace(/\/+$/, '');
    if (clean === '' || clean.split('/').some((part) => part === '..' || part === '.')) {
      throw new Error(`layer entry path ${JSON.stringify(entry.path)} is not a plain relative path`);
    }
    byPath.set(clean, { ...entry, path: clean });
  }
  // Missing parents take the owner of the entry that needs them: /app/node_modules belongs to the
  // app user like its contents, /usr/lib to root.
  for (const entry of [...byPath.values()]) {
    const parts = entry.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!byPath.has(dir))
        byPath.set(dir, {
          type: 'dir',
          path: dir,
          mode: 0o755,
          uid: i === 1 ? 0 : entry.uid,
          gid: i === 1 ? 0 : entry.gid,
        });
    }
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function buildLayer(entries: readonly TarEntry[]): Layer {
  const tar = writeTar(normaliseEntries(entries));
  // level 9 and no header name/mtime: the same tar always gives the same gzip with this zlib.
  const blob = gzipSync(tar, { level: 9 });
  return {
    blob,
    digest: sha256Digest(blob),
    diffId: sha256Digest(tar),
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  };
}
