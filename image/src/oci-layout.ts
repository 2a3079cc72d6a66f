/**
 * OCI image layout (image-spec layout.md) on disk: `oci-layout`, `index.json` and content-addressed
 * `blobs/sha256/…`. A layout is written into a temporary sibling and renamed into place, so a
 * failed build never leaves a half-written layout behind.
 */
import { lstat, readFile, readdir, stat } from 'node:fs/promises';
import { UsageError, writeDirAtomic } from '@nmaas/sdk/kit';
import path from 'node:path';
import { DIGEST_PATTERN, sha256Digest } from './digest.js';

export const MEDIA_TYPES = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export const REF_NAME = 'org.opencontainers.image.ref.name';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  artifactType?: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface OciIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
}

/** Canonical JSON bytes for a manifest or config: what gets hashed is exactly what gets stored. */
export function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

export function descriptorOf(mediaType: string, data: Buffer, annotations?: Record<string, string>): Descriptor {
  return { mediaType, digest: sha256Digest(data), size: data.length, ...(annotations ? { annotations } : {}) };
}

export function blobPath(layoutDir: string, digest: string): string {
  if (!DIGEST_PATTERN.test(digest)) throw new Error(`${JSON.stringify(digest)} is not a sha256 digest`);
  return path.join(layoutDir, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

/**
 * Refuses an output folder a layout may not replace: writing replaces the whole folder, so only a
 * missing or empty folder or an earlier layout (it has `oci-layout`) may be given, never a file
 * or a folder of other files.
 */
export async function assertLayoutReplaceable(layoutDir: string): Promise<void> {
  const found = await lstat(layoutDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (found === undefined) return;
  if (!found.isDirectory())
    throw new UsageError(`${layoutDir} exists and is not a folder; give a new folder for the OCI layout`);
  const entries = await readdir(layoutDir);
  if (entries.length > 0 && !entries.includes('oci-layout'))
    throw new UsageError(
      `${layoutDir} holds other files (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}) and is not an OCI layout; the build replaces the whole folder, so give a new or empty one`,
    );
}

/**
 * Writes a whole layout: the blobs plus an index naming `manifests`. Replaces `layoutDir` atomically,
 * and only when it is missing, empty or an earlier layout.
 */
export async function writeLayout(
  layoutDir: string,
  blobs: readonly Buffer[],
  manifests: readonly Descriptor[],
): Promise<void> {
  const relativeBlobPath = (blob: Buffer) => path.relative('.', blobPath('.', sha256Digest(blob)));
  const files = new Map<string, Buffer | string>(blobs.map((blob) => [relativeBlobPath(blob), blob]));
  files.set('oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index: OciIndex = { schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests: [...manifests] };
  files.set('index.json', JSON.stringify(index, null, 2) + '\n');
  await assertLayoutReplaceable(path.resolve(layoutDir));
  await writeDirAtomic(path.resolve(layoutDir), files);
}

export interface LoadedLayout {
  dir: string;
  index: OciIndex;
  readBlob(digest: string): Promise<Buffer>;
  blobSize(digest: string): Promise<number>;
}

/** Opens a layout for reading; every blob read is checked against its digest. */
export async function readLayout(layoutDir: string): Promise<LoadedLayout> {
  const dir = path.resolve(layoutDir);
  let index: OciIndex;
  try {
    const marker = JSON.parse(await readFile(path.join(dir, 'oci-layout'), 'utf8')) as { imageLayoutVersion?: string };
    if (marker.imageLayoutVersion !== '1.0.0')
      throw new Error(`unsupported imageLayoutVersion ${String(marker.imageLayoutVersion)}`);
    index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as OciIndex;
  } catch (error) {
    throw new Error(
      `${layoutDir} is not an OCI image layout (${(error as Error).message}); build one with \`nmaas image build\``,
    );
  }
  if (!Array.isArray(index.manifests)) throw new Error(`${layoutDir}/index.json has no manifests list`);
  return {
    dir,
    index,
    async readBlob(digest: string): Promise<Buffer> {
      const data = await readFile(blobPath(dir, digest));
      if (sha256Digest(data) !== digest) throw new Error(`blob ${digest} in ${layoutDir} does not match its digest`);
      return data;
    },
    async blobSize(digest: string): Promise<number> {
      return (await stat(blobPath(dir, digest))).size;
    },
  };
}

/** Every blob file in a layout (used to report sizes). */
export async function listBlobs(layoutDir: string): Promise<string[]> {
  const names = await readdir(path.join(layoutDir, 'blobs', 'sha256'));
  return names.map((hex) => `sha256:${hex}`).sort();
}
