/**
 * `nmaas image build`: base layer + app layer → OCI image layout, plus an SPDX SBOM, without a
 * container engine (the way ko and Jib build images). Same inputs, same digest: every timestamp
 * is fixed, entries are sorted, owners are 0 except the app's files (65532), and no host path
 * goes into the layers, the config or the SBOM.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { loadApp } from '@nmaas/sdk/model';
import { UsageError, writeFileAtomic } from '@nmaas/sdk/kit';
import { appLayerEntries, APP_DIR } from './app-layer.js';
import { APP_UID, NODE_PATH } from './base-inputs.js';
import { baseLayer, defaultCacheDir } from './base-layer.js';
import { buildLayer } from './layer.js';
import {
  assertLayoutReplaceable,
  descriptorOf,
  jsonBytes,
  MEDIA_TYPES,
  REF_NAME,
  writeLayout,
  type ImageManifest,
} from './oci-layout.js';
import { buildSbom } from './sbom.js';
import { EXTRAS_FILE, extrasLayer, readExtras } from './extras.js';

export const METRICS_PORT = 9464;
/** The command the image runs: the SDK's container entry on the app folder. */
export const IMAGE_ENTRYPOINT = [NODE_PATH];
export const IMAGE_CMD = [`${APP_DIR}/node_modules/.bin/nmaas-app`, APP_DIR];
export const IMAGE_USER = `${APP_UID}:${APP_UID}`;
export const IMAGE_ENV = ['PATH=/nodejs/bin:/usr/bin:/bin', 'NODE_ENV=production'];

export interface BuildImageOptions {
  appDir: string;
  /** Output OCI layout folder; default `<appDir>/dist-image/oci`. */
  outDir?: string;
  /** SBOM file; default `<outDir>.spdx.json`. */
  sbomFile?: string;
  cacheDir?: string;
  /** org.opencontainers.image.revision, e.g. the git commit. */
  revision?: string;
}

export interface BuiltImage {
  name: string;
  repository: string;
  tag: string;
  layoutDir: string;
  sbomFile: string;
  manifestDigest: string;
  manifestSize: number;
  configDigest: string;
  baseLayerDigest: string;
  appLayerDigest: string;
  /** Compressed bytes of all blobs (what a pull transfers). */
  compressedSize: number;
}

/** A given SBOM file is written after the layout: its folder must exist and it must not be a folder. */
async function assertSbomWritable(file: string): Promise<void> {
  const folder = await stat(path.dirname(file)).catch(() => undefined);
  if (!folder?.isDirectory())
    throw new UsageError(
      `--sbom ${file}: ${path.dirname(file)} is not an existing folder; create it or give another path`,
    );
  if ((await stat(file).catch(() => undefined))?.isDirectory())
    throw new UsageError(`--sbom ${file} is a folder; give a file name`);
}

export async function buildImage(options: BuildImageOptions): Promise<BuiltImage> {
  const { manifest: app } = await loadApp(options.appDir);
  const layoutDir = path.resolve(options.outDir ?? path.join(options.appDir, 'dist-image', 'oci'));
  const sbomFile = path.resolve(options.sbomFile ?? `${layoutDir}.spdx.json`);
  // Both outputs are checked before the build, so a bad one fails fast and leaves nothing written.
  await assertLayoutReplaceable(layoutDir);
  if (options.sbomFile !== undefined) await assertSbomWritable(sbomFile);
  const base = await baseLayer(options.cacheDir ?? defaultCacheDir());
  const extrasSpec = await readExtras(options.appDir);
  const extras = extrasSpec ? await extrasLayer(extrasSpec, options.cacheDir ?? defaultCacheDir()) : null;
  const appInput = await appLayerEntries(options.appDir);
  const appLayer = buildLayer(appInput.entries);
  const layers = [base.layer, ...(extras ? [extras.layer] : []), appLayer];

  const labels: Record<string, string> = {
    'org.opencontainers.image.title': app.name,
    'org.opencontainers.image.description': app.description.slice(0, 512),
    'org.opencontainers.image.version': app.version,
    'org.opencontainers.image.licenses': app.license,
    'org.opencontainers.image.base.name': `nmaas-node-runtime:${base.components[0]!.version}`,
    ...(app.sources?.[0] ? { 'org.opencontainers.image.source': app.sources[0] } : {}),
    ...(options.revision ? { 'org.opencontainers.image.revision': options.revision } : {}),
  };
  const config = {
    created: '1970-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: {
      User: IMAGE_USER,
      Entrypoint: IMAGE_ENTRYPOINT,
      Cmd: IMAGE_CMD,
      WorkingDir: APP_DIR,
      Env: IMAGE_ENV,
      ExposedPorts: { [`${METRICS_PORT}/tcp`]: {} },
      Labels: labels,
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: [
      {
        created: '1970-01-01T00:00:00Z',
        created_by: `nmaas image: Node.js ${base.components[0]!.version} runtime and its Debian libraries`,
      },
      ...(extras
        ? [
            {
              created: '1970-01-01T00:00:00Z',
              created_by: `nmaas image: ${extras.components.map((c) => c.name).join(', ')} (${EXTRAS_FILE})`,
            },
          ]
        : []),
      {
        created: '1970-01-01T00:00:00Z',
        created_by: `nmaas image: ${app.name} ${app.version} and its production dependencies`,
      },
    ],
  };
  const configBytes = jsonBytes(config);
  const imageManifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: descriptorOf(MEDIA_TYPES.config, configBytes),
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.blob.length })),
    annotations: labels,
  };
  const manifestBytes = jsonBytes(imageManifest);
  const manifestDescriptor = descriptorOf(MEDIA_TYPES.manifest, manifestBytes, { [REF_NAME]: app.image.tag });
  await writeLayout(layoutDir, [...layers.map((l) => l.blob), configBytes, manifestBytes], [manifestDescriptor]);

  const sbom = buildSbom(
    app.image.repository,
    manifestDescriptor.digest,
    [...base.components, ...(extras?.components ?? [])],
    appInput.packages,
  );
  await writeFileAtomic(sbomFile, JSON.stringify(sbom, null, 2) + '\n');
  return {
    name: app.name,
    repository: app.image.repository,
    tag: app.image.tag,
    layoutDir,
    sbomFile,
    manifestDigest: manifestDescriptor.digest,
    manifestSize: manifestBytes.length,
    configDigest: imageManifest.config.digest,
    baseLayerDigest: base.layer.digest,
    appLayerDigest: appLayer.digest,
    compressedSize: layers.reduce((n, l) => n + l.blob.length, 0) + configBytes.length + manifestBytes.length,
  };
}
