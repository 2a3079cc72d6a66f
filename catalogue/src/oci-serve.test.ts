/**
 * `npm start`'s OCI side, end to end: the example image is built, its digest pinned in the chart,
 * and the same server answers the OCI pull API for the image (skopeo) and the chart (helm 3.17
 * and 4.1 `pull oci://` and `show chart oci://`). The chart artifact pushed to a real
 * docker-registry pulls with both helms too, as `helm push` would have left it.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELM_VERSIONS, runHelm } from '@nmaas/charts-gen';
import { pushImage } from '@nmaas/image';
import { startRegistry } from '@nmaas/image/testing';
import { readImageLock } from '@nmaas/sdk/model';
import { tool } from '@nmaas/sdk/testing';
import { CHARTS_NAMESPACE, OCI_DIR } from './oci-content.js';
import { startCatalogue } from './start.js';
import { REPO_ROOT, tempDir } from './testing/helpers.js';

const exec = promisify(execFile);
const skopeo = tool('skopeo', 'apt-get install skopeo');
const registryBin = tool('docker-registry', 'apt-get install docker-registry');
const apt = tool('apt-get', 'a Debian system with apt');

describe.skipIf(skopeo.skip || registryBin.skip || apt.skip)(
  'the catalogue serves images and charts over the OCI pull API',
  () => {
    let work: Awaited<ReturnType<typeof tempDir>>;
    let started: Awaited<ReturnType<typeof startCatalogue>>;
    let registry: string;

    beforeAll(async () => {
      work = await tempDir();
      await writeFile(path.join(work.dir, 'package.json'), '{}');
      await mkdir(path.join(work.dir, 'examples'));
      // The real example, where its dependencies are installed.
      await symlink(path.join(REPO_ROOT, 'examples', 'web-qos'), path.join(work.dir, 'examples', 'web-qos'));
      started = await startCatalogue({ rootDir: work.dir, port: 0, log: () => undefined });
      registry = started.server.url.replace(/^http:\/\//, '').replace(/\/$/, '');
    }, 300_000);
    afterAll(async () => {
      await started?.server.close();
      await work?.cleanup();
    });

    it('serves the image the chart pins, by tag and by digest', async () => {
      const lock = await readImageLock(path.join(REPO_ROOT, 'examples', 'web-qos'));
      expect(started.images?.images.map((i) => i.digest)).toEqual([lock!.digest]);
      const { stdout } = await exec(
        skopeo.path(),
        ['inspect', '--tls-verify=false', `docker://${registry}/nmaas/example-web-qos:0.1.0`],
        { timeout: 60_000 },
      );
      expect((JSON.parse(stdout) as { Digest: string }).Digest).toBe(lock!.digest);
      const copy = path.join(work.dir, 'copied');
      await exec(
        skopeo.path(),
        [
          'copy',
          '--src-tls-verify=false',
          `docker://${registry}/nmaas/example-web-qos@${lock!.digest}`,
          `oci:${copy}:x`,
        ],
        { timeout: 120_000 },
      );
      expect((await readdir(path.join(copy, 'blobs', 'sha256'))).length).toBeGreaterThanOrEqual(4);
    });

    it('answers helm pull and helm show chart over oci:// with helm 3.17 and 4.1, and the chart pins the served digest', async () => {
      const lock = await readImageLock(path.join(REPO_ROOT, 'examples', 'web-qos'));
      for (const version of HELM_VERSIONS) {
        const dest = path.join(work.dir, `pulled-${version}`);
        await mkdir(dest);
        await runHelm(
          ['pull', `oci://${registry}/${CHARTS_NAMESPACE}/web-qos`, '--version', '0.1.0', '--plain-http', '-d', dest],
          { version },
        );
        expect(await readdir(dest)).toEqual(['web-qos-0.1.0.tgz']);
        const values = await runHelm(['show', 'values', path.join(dest, 'web-qos-0.1.0.tgz')], { version });
        expect(values.stdout).toContain(`digest: ${lock!.digest}`);
        const chart = await runHelm(
          ['show', 'chart', `oci://${registry}/${CHARTS_NAMESPACE}/web-qos`, '--version', '0.1.0', '--plain-http'],
          { version },
        );
        expect(chart.stdout).toMatch(/^name: web-qos$/m);
      }
    });

    it('refuses writes and unknown content', async () => {
      const base = started.server.url.replace(/\/$/, '');
      expect((await fetch(`${base}/v2/nmaas/example-web-qos/blobs/uploads/`, { method: 'POST' })).status).toBe(405);
      expect((await fetch(`${base}/v2/nmaas/nothing/manifests/1.0.0`)).status).toBe(404);
      expect((await fetch(`${base}/v2/nmaas/example-web-qos/manifests/9.9.9`)).status).toBe(404);
      expect((await fetch(`${base}/v2/..%2f..%2fetc/manifests/x`)).status).toBe(404);
    });

    it('publishes the chart artifact to another OCI registry, where both helms pull it', async () => {
      const other = await startRegistry(registryBin.path());
      try {
        const layout = path.join(work.dir, '.catalogue', OCI_DIR, CHARTS_NAMESPACE, 'web-qos');
        await pushImage({ layoutDir: layout, reference: `${other.address}/nmaas-charts/web-qos:0.1.0` });
        for (const version of HELM_VERSIONS) {
          const chart = await runHelm(
            ['show', 'chart', `oci://${other.address}/nmaas-charts/web-qos`, '--version', '0.1.0', '--plain-http'],
            { version },
          );
          expect(chart.stdout).toMatch(/^version: 0\.1\.0$/m);
        }
      } finally {
        await other.stop();
      }
    });

    it('serves the charts marked experimental, saying why and what to install, when the base layer cannot be assembled', async () => {
      const root = path.join(work.dir, 'no-tools');
      await mkdir(path.join(root, 'examples'), { recursive: true });
      await writeFile(path.join(root, 'package.json'), '{}');
      await symlink(path.join(REPO_ROOT, 'examples', 'web-qos'), path.join(root, 'examples', 'web-qos'));
      const lines: string[] = [];
      // An empty cache and no npm or apt on PATH: the machine that cannot assemble the base layer.
      const savedPath = process.env.PATH;
      process.env.PATH = path.join(root, 'no-bin');
      let fallback: Awaited<ReturnType<typeof startCatalogue>> | undefined;
      try {
        fallback = await startCatalogue({
          rootDir: root,
          port: 0,
          imageCacheDir: path.join(root, 'empty-cache'),
          log: (l) => lines.push(l),
        });
      } finally {
        process.env.PATH = savedPath;
      }
      try {
        expect(fallback.images?.unavailable).toMatch(/cannot download the Node\.js runtime/);
        expect(lines.join('\n')).toMatch(/to build them: .*npm/);
        const index = await (await fetch(`${fallback.server.url}index.yaml`)).text();
        expect(index).toContain('catalog.cattle.io/experimental: "true"');
        expect((await fetch(`${fallback.server.url}v2/nmaas/example-web-qos/manifests/0.1.0`)).status).toBe(404);
      } finally {
        await fallback.server.close();
      }
    });

    it('keeps a copy of every served blob under .catalogue/oci', async () => {
      const index = JSON.parse(
        await readFile(path.join(work.dir, '.catalogue', OCI_DIR, 'nmaas', 'example-web-qos', 'index.json'), 'utf8'),
      ) as { manifests: unknown[] };
      expect(index.manifests).toHaveLength(1);
    });
  },
);
