/**
 * The OCI side of a catalogue: the apps' container images and the charts as OCI artifacts (laid
 * out as `helm push` lays them out: a Chart.yaml JSON config and the .tgz as the one layer), each
 * repository an OCI image layout under `<repo-dir>/oci/<repository>/`. The catalogue server
 * answers the OCI Distribution pull API from these folders; `nmaas image push` copies any of them
 * to another registry.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  descriptorOf,
  jsonBytes,
  readLayout,
  REF_NAME,
  writeLayout,
  type Descriptor,
  type ImageManifest,
} from '@nmaas/image';

export const OCI_DIR = 'oci';
export const CHARTS_NAMESPACE = 'charts';
export const HELM_MEDIA_TYPES = {
  config: 'application/vnd.cncf.helm.config.v1+json',
  content: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
} as const;

/** `ghcr.io/nmaas/example-web-qos` → `nmaas/example-web-qos`: the path the catalogue serves it under. */
export function servedRepository(imageRepository: string): string {
  const [first, ...rest] = imageRepository.split('/');
  return rest.length > 0 && /[.:]|^localhost$/.test(first!) ? rest.join('/') : imageRepository;
}

/** Copies an image layout's (single) image into `<repoDir>/oci/<served repository>/`. */
export async function addImage(
  repoDir: string,
  imageRepository: string,
  layoutDir: string,
): Promise<{ repository: string; digest: string }> {
  const layout = await readLayout(layoutDir);
  const top = layout.index.manifests[0];
  if (!top) throw new Error(`${layoutDir} holds no image`);
  const manifestBytes = await layout.readBlob(top.digest);
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as ImageManifest;
  const blobs = [manifestBytes, await layout.readBlob(manifest.config.digest)];
  for (const layer of manifest.layers) blobs.push(await layout.readBlob(layer.digest));
  const repository = servedRepository(imageRepository);
  await writeLayout(path.join(repoDir, OCI_DIR, repository), blobs, [top]);
  return { repository, digest: top.digest };
}

/** Writes one chart .tgz as a Helm OCI artifact, tagged with its version, under `<repoDir>/oci/charts/<name>/`. */
export interface ChartRef {
  file: string;
  /** Chart.yaml's fields (at least name and version): the artifact's config, as helm push writes it. */
  metadata: { name: string; version: string } & Record<string, unknown>;
}

export async function chartArtifact(
  chart: ChartRef,
): Promise<{ blobs: Buffer[]; descriptor: Descriptor; name: string }> {
  const { metadata } = chart;
  const tgzFile = chart.file;
  const content = await readFile(tgzFile);
  const config = jsonBytes(metadata);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: descriptorOf(HELM_MEDIA_TYPES.config, config),
    layers: [descriptorOf(HELM_MEDIA_TYPES.content, content)],
    annotations: {
      'org.opencontainers.image.title': metadata.name,
      'org.opencontainers.image.version': metadata.version,
    },
  };
  const manifestBytes = jsonBytes(manifest);
  return {
    blobs: [content, config, manifestBytes],
    descriptor: descriptorOf(manifest.mediaType, manifestBytes, { [REF_NAME]: metadata.version }),
    name: metadata.name,
  };
}

/** Writes every version of every chart as `<repoDir>/oci/charts/<name>` layouts. */
export async function addCharts(repoDir: string, charts: readonly ChartRef[]): Promise<string[]> {
  const byName = new Map<string, { blobs: Buffer[]; descriptors: Descriptor[] }>();
  for (const chart of charts) {
    const artifact = await chartArtifact(chart);
    const entry = byName.get(artifact.name) ?? { blobs: [], descriptors: [] };
    entry.blobs.push(...artifact.blobs);
    entry.descriptors.push(artifact.descriptor);
    byName.set(artifact.name, entry);
  }
  for (const [name, entry] of byName)
    await writeLayout(path.join(repoDir, OCI_DIR, CHARTS_NAMESPACE, name), entry.blobs, entry.descriptors);
  return [...byName.keys()].sort();
}
