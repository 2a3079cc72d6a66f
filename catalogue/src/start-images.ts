/**
 * The image half of `npm start`: builds the container image of every example app that has been
 * compiled (dist/), pins its digest in the app's image.lock.json before the charts are built (so
 * the charts reference exactly these images), and stores the images for the server to serve.
 * When the base layer cannot be assembled here, says why and what to install, and tells the
 * caller to publish the charts marked experimental instead.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BaseLayerUnavailable, buildImage, writeImageLock } from '@nmaas/image';
import { addImage } from './oci-content.js';

export interface ServedImage {
  app: string;
  repository: string;
  tag: string;
  digest: string;
}

export interface ExampleImages {
  images: ServedImage[];
  /** Set when no image could be built: the charts go out marked experimental. */
  unavailable?: string;
}

export async function buildExampleImages(
  inputs: readonly string[],
  repoDir: string,
  log: (line: string) => void,
  cacheDir?: string,
): Promise<ExampleImages> {
  const apps = inputs.filter((dir) => existsSync(path.join(dir, 'nmaas.yaml')));
  const images: ServedImage[] = [];
  const work = await mkdtemp(path.join(os.tmpdir(), 'nmaas-start-images-'));
  try {
    for (const appDir of apps) {
      if (!existsSync(path.join(appDir, 'package.json')) || !existsSync(path.join(appDir, 'dist'))) {
        log(
          `  ${path.basename(appDir)}: not compiled (no package.json or dist/), no image built; its chart keeps the digest nmaas.yaml names`,
        );
        continue;
      }
      try {
        const built = await buildImage({ appDir, outDir: path.join(work, path.basename(appDir)), cacheDir });
        await writeImageLock(appDir, { repository: built.repository, tag: built.tag, digest: built.manifestDigest });
        const served = await addImage(repoDir, built.repository, built.layoutDir);
        images.push({ app: built.name, repository: served.repository, tag: built.tag, digest: built.manifestDigest });
        log(
          `  image ${built.repository}:${built.tag}@${built.manifestDigest} (${(built.compressedSize / 1e6).toFixed(1)} MB)`,
        );
      } catch (error) {
        if (!(error instanceof BaseLayerUnavailable)) throw error;
        log(`cannot build the app images here: ${error.message}`);
        log(`  to build them: ${error.remedy}; the charts are served marked catalog.cattle.io/experimental meanwhile`);
        return { images, unavailable: error.message };
      }
    }
    return { images };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
