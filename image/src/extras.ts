/**
 * Native tools an app needs beyond Node.js, declared in `image-extras.json` beside nmaas.yaml
 * (ip-spoofing-detection's nping, for instance): pinned Debian packages (optionally only some of
 * their files) and file capabilities, as the Dockerfile's `apt-get install` + `setcap` would
 * leave them. They go in a layer of their own between the base and the app, and into the SBOM.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { debEntries, fetchDeb, type BaseComponent } from './base-layer.js';
import { buildLayer, type Layer } from './layer.js';
import type { TarEntry } from './tar.js';

export const EXTRAS_FILE = 'image-extras.json';

export interface ImageExtras {
  debianPackages: Array<{ name: string; version: string; paths?: string[] }>;
  /** Image path → capabilities, e.g. { "/usr/bin/nping": ["CAP_NET_RAW"] } (permitted + effective). */
  fileCapabilities?: Record<string, string[]>;
}

/** Linux capability numbers (include/uapi/linux/capability.h) of the ones an app may grant a file. */
const CAPABILITY_NUMBERS: Record<string, number> = { CAP_NET_ADMIN: 12, CAP_NET_RAW: 13, CAP_NET_BIND_SERVICE: 10 };

/** The `security.capability` xattr (VFS_CAP_REVISION_2, effective): what `setcap caps+ep` writes. */
export function capabilityXattr(capabilities: readonly string[]): Buffer {
  const data = Buffer.alloc(20);
  let permitted = 0;
  for (const name of capabilities) {
    const bit = CAPABILITY_NUMBERS[name];
    if (bit === undefined)
      throw new Error(
        `${EXTRAS_FILE}: file capability ${name} is not one of ${Object.keys(CAPABILITY_NUMBERS).join(', ')}`,
      );
    permitted |= 1 << bit;
  }
  data.writeUInt32LE(0x02000000 | 0x1, 0); // revision 2, effective bit set
  data.writeUInt32LE(permitted >>> 0, 4); // permitted, capabilities 0-31
  return data; // inheritable and the 32-63 words stay 0
}

export async function readExtras(appDir: string): Promise<ImageExtras | null> {
  const file = path.join(appDir, EXTRAS_FILE);
  if (!existsSync(file)) return null;
  const extras = JSON.parse(await readFile(file, 'utf8')) as ImageExtras;
  if (
    !Array.isArray(extras.debianPackages) ||
    extras.debianPackages.some((p) => typeof p.name !== 'string' || typeof p.version !== 'string')
  ) {
    throw new Error(`${file}: debianPackages must be a list of {"name", "version"[, "paths"]}`);
  }
  return extras;
}

export async function extrasLayer(
  extras: ImageExtras,
  cacheDir: string,
): Promise<{ layer: Layer; components: BaseComponent[] }> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'nmaas-extras-'));
  try {
    const entries: TarEntry[] = [];
    const components: BaseComponent[] = [];
    for (const pkg of extras.debianPackages) {
      const deb = await fetchDeb(cacheDir, pkg.name, pkg.version);
      components.push(deb.component);
      entries.push(
        ...(await debEntries(
          deb.file,
          deb.component.source,
          path.join(work, pkg.name),
          pkg.paths?.map((p) => p.replace(/^\//, '')),
        )),
      );
    }
    for (const [file, caps] of Object.entries(extras.fileCapabilities ?? {})) {
      const target = file.replace(/^\//, '');
      const index = entries.findIndex((e) => e.path === target);
      const entry = entries[index];
      if (!entry || entry.type !== 'file')
        throw new Error(`${EXTRAS_FILE}: ${file} gets capabilities but no package puts a file there`);
      entries[index] = { ...entry, xattrs: { 'security.capability': capabilityXattr(caps) } };
    }
    // Same rule as the Dockerfile: no set-user-ID or set-group-ID program in an image whose pod may allow escalation.
    for (const entry of entries) if (entry.type === 'file') entry.mode &= 0o777;
    return { layer: buildLayer(entries), components };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
