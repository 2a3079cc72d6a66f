/**
 * `nmaas image push`: copies an OCI layout's image to a registry over the OCI Distribution API.
 * Blobs first (skipped when the registry has them, mounted from another repository when asked,
 * else uploaded in one PUT or in PATCH chunks), the manifest last: a push that fails midway
 * leaves blobs the registry garbage-collects and never a tag pointing at a partial image.
 */
import { readLayout, REF_NAME, type Descriptor, type ImageManifest } from './oci-layout.js';
import { RegistryClient, RegistryError, errorText, type Credentials } from './registry-client.js';
import { parseReference } from './reference.js';

export interface PushOptions {
  layoutDir: string;
  /** registry/repo:tag */
  reference: string;
  /** Which manifest of the layout (its ref name); default: the only one. */
  layoutTag?: string;
  credentials?: Credentials;
  scheme?: 'http' | 'https';
  /** Upload blobs larger than this in PATCH chunks of this size; 0 = always one PUT. */
  chunkSize?: number;
  /** Repositories on the same registry to mount existing blobs from. */
  mountFrom?: string[];
}

export interface PushResult {
  digest: string;
  reference: string;
  uploaded: number;
  skipped: number;
  mounted: number;
  bytesUploaded: number;
}

export const DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024;

export function selectManifest(
  manifests: readonly Descriptor[],
  layoutTag: string | undefined,
  layoutDir: string,
): Descriptor {
  if (layoutTag) {
    const found = manifests.find((m) => m.annotations?.[REF_NAME] === layoutTag);
    if (!found) throw new Error(`${layoutDir} has no image tagged ${layoutTag}`);
    return found;
  }
  if (manifests.length !== 1)
    throw new Error(`${layoutDir} holds ${manifests.length} images: name one with --layout-tag`);
  return manifests[0]!;
}

export async function pushImage(options: PushOptions): Promise<PushResult> {
  const ref = parseReference(options.reference);
  if (!ref.tag) throw new Error(`${options.reference} has no tag: add one, e.g. ${options.reference}:1.0.0`);
  const layout = await readLayout(options.layoutDir);
  const top = selectManifest(layout.index.manifests, options.layoutTag, options.layoutDir);
  const manifestBytes = await layout.readBlob(top.digest);
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as ImageManifest;
  const client = new RegistryClient({
    registry: ref.registry,
    repository: ref.repository,
    credentials: options.credentials,
    scheme: options.scheme,
    extraPullScopes: options.mountFrom,
  });
  const result: PushResult = {
    digest: top.digest,
    reference: `${ref.registry}/${ref.repository}:${ref.tag}`,
    uploaded: 0,
    skipped: 0,
    mounted: 0,
    bytesUploaded: 0,
  };
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;

  for (const blob of [manifest.config, ...manifest.layers]) {
    const head = await client.request('HEAD', client.repoPath(`blobs/${blob.digest}`));
    if (head.status === 200) {
      result.skipped++;
      continue;
    }
    if (head.status !== 404)
      throw new RegistryError(`${ref.registry}: checking blob ${blob.digest} gave HTTP ${head.status}`, head.status);
    let location: string | null = null;
    for (const from of options.mountFrom ?? []) {
      const mount = await client.request(
        'POST',
        client.repoPath(`blobs/uploads/?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(from)}`),
      );
      if (mount.status === 201) {
        await mount.body?.cancel();
        result.mounted++;
        location = 'mounted';
        break;
      }
      if (mount.status === 202) {
        // The registry could not mount and opened an upload session instead: use it.
        location = mount.headers.get('location');
        await mount.body?.cancel();
        break;
      }
      await mount.body?.cancel();
    }
    if (location === 'mounted') continue;
    const data = await layout.readBlob(blob.digest);
    if (!location) {
      const start = await client.request('POST', client.repoPath('blobs/uploads/'));
      if (start.status !== 202)
        throw new RegistryError(
          `${ref.registry}: starting an upload gave HTTP ${start.status}: ${await errorText(start)}`,
          start.status,
        );
      await start.body?.cancel();
      location = start.headers.get('location');
    }
    if (!location) throw new RegistryError(`${ref.registry} opened an upload without a Location header`);
    await uploadBlob(client, location, blob.digest, data, chunkSize);
    result.uploaded++;
    result.bytesUploaded += data.length;
  }

  const put = await client.request('PUT', client.repoPath(`manifests/${ref.tag}`), {
    headers: { 'content-type': manifest.mediaType ?? top.mediaType },
    body: manifestBytes,
  });
  if (put.status !== 201)
    throw new RegistryError(
      `${ref.registry} refused the manifest (HTTP ${put.status}): ${await errorText(put)}`,
      put.status,
    );
  const stored = put.headers.get('docker-content-digest');
  await put.body?.cancel();
  if (stored && stored !== top.digest)
    throw new RegistryError(`${ref.registry} stored the manifest as ${stored}, not ${top.digest}`);
  return result;
}

function withDigest(location: string, digest: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}

async function uploadBlob(
  client: RegistryClient,
  location: string,
  digest: string,
  data: Buffer,
  chunkSize: number,
): Promise<void> {
  let next = location;
  if (chunkSize > 0 && data.length > chunkSize) {
    for (let offset = 0; offset < data.length; offset += chunkSize) {
      const chunk = data.subarray(offset, Math.min(offset + chunkSize, data.length));
      const patch = await client.request('PATCH', next, {
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${offset}-${offset + chunk.length - 1}`,
          'content-length': String(chunk.length),
        },
        body: chunk,
      });
      if (patch.status !== 202)
        throw new RegistryError(
          `uploading ${digest}: chunk at ${offset} gave HTTP ${patch.status}: ${await errorText(patch)}`,
          patch.status,
        );
      await patch.body?.cancel();
      next = patch.headers.get('location') ?? next;
    }
    const done = await client.request('PUT', withDigest(next, digest), { headers: { 'content-length': '0' } });
    if (done.status !== 201)
      throw new RegistryError(
        `finishing the upload of ${digest} gave HTTP ${done.status}: ${await errorText(done)}`,
        done.status,
      );
    await done.body?.cancel();
    return;
  }
  const put = await client.request('PUT', withDigest(next, digest), {
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.length) },
    body: data,
  });
  if (put.status !== 201)
    throw new RegistryError(`uploading ${digest} gave HTTP ${put.status}: ${await errorText(put)}`, put.status);
  await put.body?.cancel();
}
