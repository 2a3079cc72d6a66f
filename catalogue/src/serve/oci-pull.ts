/**
 * The read-only OCI Distribution pull API over `<repo-dir>/oci/`: `GET /v2/`, manifests by tag or
 * digest, blobs by digest, tag lists; HEAD for each. Enough for `skopeo`, containerd and
 * `helm pull oci://`. Nothing can be pushed: the catalogue's content changes only by a build.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { openFile, type OpenFile } from './open-file.js';

export interface OciBody {
  /** A small answer made in memory, or a blob or manifest streamed from its open file. */
  data?: Buffer;
  file?: OpenFile;
  type: string;
  cache: string;
  etag?: string;
  extraHeaders?: Record<string, string>;
}

export class OciNotFound extends Error {}

const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

interface Index {
  manifests: Array<{ mediaType: string; digest: string; size: number; annotations?: Record<string, string> }>;
}

async function readIndex(layoutDir: string): Promise<Index> {
  return JSON.parse(await readFile(path.join(layoutDir, 'index.json'), 'utf8')) as Index;
}

/** Answers a `/v2/…` path, or throws OciNotFound (→ 404). */
export async function ociPull(ociRoot: string, rawPath: string): Promise<OciBody> {
  const headers = { 'Docker-Distribution-API-Version': 'registry/2.0' };
  if (rawPath === '/v2' || rawPath === '/v2/')
    return { data: Buffer.from('{}'), type: 'application/json', cache: 'no-cache', extraHeaders: headers };
  const match = /^\/v2\/(.+)\/(manifests|blobs|tags)\/([^/]+)$/.exec(rawPath);
  if (!match) throw new OciNotFound('not an OCI Distribution path');
  const [, name, kind, reference] = match as unknown as [string, string, string, string];
  if (!NAME.test(name) || name.split('/').some((part) => part === '..')) throw new OciNotFound('no such repository');
  const layoutDir = path.join(ociRoot, ...name.split('/'));
  const index = await readIndex(layoutDir).catch(() => {
    throw new OciNotFound(`no repository ${name}`);
  });
  if (kind === 'tags') {
    if (reference !== 'list') throw new OciNotFound('not found');
    const tags = index.manifests
      .map((m) => m.annotations?.['org.opencontainers.image.ref.name'])
      .filter((t): t is string => !!t)
      .sort();
    return {
      data: Buffer.from(JSON.stringify({ name, tags })),
      type: 'application/json',
      cache: 'no-cache',
      extraHeaders: headers,
    };
  }
  let digest: string;
  let type = 'application/octet-stream';
  if (kind === 'manifests') {
    const found = DIGEST.test(reference)
      ? index.manifests.find((m) => m.digest === reference)
      : TAG.test(reference)
        ? index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === reference)
        : undefined;
    if (!found) throw new OciNotFound(`no manifest ${reference} in ${name}`);
    digest = found.digest;
    type = found.mediaType;
  } else {
    if (!DIGEST.test(reference)) throw new OciNotFound('blobs are named by digest');
    digest = reference;
  }
  const file = path.join(layoutDir, 'blobs', 'sha256', digest.slice('sha256:'.length));
  const opened = await openFile(file);
  if (opened === null) throw new OciNotFound(`no blob ${digest} in ${name}`);
  return {
    file: opened,
    type,
    // Content addressed: a digest never changes meaning; a tag may move with the next build.
    cache: kind === 'blobs' || DIGEST.test(reference) ? 'public, max-age=31536000, immutable' : 'no-cache',
    etag: `"${digest}"`,
    extraHeaders: { ...headers, 'Docker-Content-Digest': digest },
  };
}
