/**
 * The catalogue as real helm 3.17 and 4.1 see it, over HTTP on loopback: repo add, search,
 * pull (digest equal to the index), template, and verify of a signed chart — for the plain and
 * the rancher-git layout. Helm runs with its config, cache and data homes in a temp folder.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { HELM_VERSIONS } from '@nmaas/charts-gen';
import { buildRepository } from './build.js';
import { parseIndex, type IndexFile } from './index-file.js';
import type { Layout } from './layout.js';
import { readSigningKey } from './provenance.js';
import { serveCatalogue, type RunningServer } from './serve/server.js';
import { sha256Hex } from './tgz.js';
import { ALL_FIXTURES, helmTool, isolatedHelm, tempDir } from './testing/helpers.js';

for (const version of HELM_VERSIONS) {
  const helm = helmTool(version);
  for (const layout of ['http', 'rancher-git'] as Layout[]) {
    describe.skipIf(helm.skip)(`helm ${version} against catalogue serve (${layout} layout)`, () => {
      let work: Awaited<ReturnType<typeof tempDir>>;
      let server: RunningServer;
      let index: IndexFile;
      let run: Awaited<ReturnType<typeof isolatedHelm>>;
      let keyring: string;
      let otherKeyring: string;

      beforeAll(async () => {
        helm.path();
        work = await tempDir();
        // RSA: helm 3's keyring reader does not know EdDSA keys (see provenance.ts).
        const generated = await openpgp.generateKey({
          type: 'rsa',
          rsaBits: 2048,
          userIDs: [{ name: 'NMaaS catalogue test', email: 'catalogue@nmaas.example.org' }],
          format: 'armored',
        });
        const other = await openpgp.generateKey({
          type: 'rsa',
          rsaBits: 2048,
          userIDs: [{ name: 'Someone else' }],
          format: 'armored',
        });
        // helm verify reads a legacy binary keyring (what `gpg --export` writes), not armored text.
        keyring = path.join(work.dir, 'pubring.gpg');
        await writeFile(keyring, (await openpgp.readKey({ armoredKey: generated.publicKey })).write());
        otherKeyring = path.join(work.dir, 'other.gpg');
        await writeFile(otherKeyring, (await openpgp.readKey({ armoredKey: other.publicKey })).write());
        const repo = path.join(work.dir, 'repo');
        await buildRepository({
          repoDir: repo,
          inputs: ALL_FIXTURES,
          layout,
          validate: false,
          signingKey: await readSigningKey(generated.privateKey),
        });
        index = parseIndex(await readFile(path.join(repo, 'index.yaml'), 'utf8'), 'index.yaml');
        server = await serveCatalogue({ repoDir: repo, port: 0 });
        run = await isolatedHelm(version, path.join(work.dir, 'helm-home'));
        await run(['repo', 'add', 'nmaas', server.url]);
      });
      afterAll(async () => {
        await server?.close();
        await work?.cleanup();
      });

      it('search repo lists every chart with every version', async () => {
        const { stdout } = await run(['search', 'repo', 'nmaas/', '--versions', '-o', 'json']);
        const found = (JSON.parse(stdout) as { name: string; version: string }[])
          .map((r) => `${r.name}@${r.version}`)
          .sort();
        expect(found).toEqual([
          'nmaas/dns-timer@1.0.0',
          'nmaas/dns-timer@1.1.0',
          'nmaas/web-probe@1.2.0',
          'nmaas/with-sub@0.3.0',
        ]);
      });

      it('pull fetches packages whose digest matches the index, and template renders them', async () => {
        for (const [name, entries] of Object.entries(index.entries)) {
          for (const entry of entries) {
            const dest = path.join(work.dir, 'pulled', `${name}-${entry.version}`);
            await mkdir(dest, { recursive: true });
            await run(['pull', `nmaas/${name}`, '--version', entry.version, '--destination', dest]);
            const bytes = await readFile(path.join(dest, `${name}-${entry.version}.tgz`));
            expect(sha256Hex(bytes)).toBe(entry.digest);
            const { stdout } = await run(['template', 'probe', path.join(dest, `${name}-${entry.version}.tgz`)]);
            const kinds = parseAllDocuments(stdout)
              .map((d) => (d.toJS() as { kind?: string } | null)?.kind)
              .filter(Boolean);
            expect(kinds.length, `${name} ${entry.version} rendered nothing`).toBeGreaterThan(0);
          }
        }
      });

      it('verify accepts the signed chart with the signer keyring and rejects another key', async () => {
        const dest = path.join(work.dir, 'verified');
        await mkdir(dest, { recursive: true });
        await mkdir(path.join(work.dir, 'pull-verify'), { recursive: true });
        await run(['pull', 'nmaas/web-probe', '--version', '1.2.0', '--prov', '--destination', dest]);
        const tgz = path.join(dest, 'web-probe-1.2.0.tgz');
        const { stdout } = await run(['verify', '--keyring', keyring, tgz]);
        expect(stdout).toContain(`Chart Hash Verified: sha256:${index.entries['web-probe']![0]!.digest}`);
        expect(stdout).toContain('NMaaS catalogue test');
        await expect(run(['verify', '--keyring', otherKeyring, tgz])).rejects.toThrow(/unknown entity|signature/i);
        // helm's own download-time check
        await run([
          'pull',
          'nmaas/dns-timer',
          '--version',
          '1.0.0',
          '--verify',
          '--keyring',
          keyring,
          '--destination',
          path.join(work.dir, 'pull-verify'),
        ]);
      });
    });
  }
}

describe('EdDSA signing keys (why readSigningKey warns)', () => {
  const helm3 = helmTool('3.17');
  const helm4 = helmTool('4.1');
  it.skipIf(helm3.skip || helm4.skip)(
    'helm 4.1 verifies an Ed25519 signature; helm 3.17 cannot read the keyring',
    async () => {
      const work = await tempDir();
      try {
        const generated = await openpgp.generateKey({
          type: 'ecc',
          curve: 'ed25519Legacy',
          userIDs: [{ name: 'EdDSA signer' }],
          format: 'armored',
        });
        const keyring = path.join(work.dir, 'ed.gpg');
        await writeFile(keyring, (await openpgp.readKey({ armoredKey: generated.publicKey })).write());
        const repo = path.join(work.dir, 'repo');
        const [chart] = (
          await buildRepository({
            repoDir: repo,
            inputs: [ALL_FIXTURES[0]!],
            validate: false,
            signingKey: await readSigningKey(generated.privateKey),
          })
        ).charts;
        const run4 = await isolatedHelm('4.1', path.join(work.dir, 'h4'));
        expect((await run4(['verify', '--keyring', keyring, chart!.file])).stdout).toContain('Chart Hash Verified');
        const run3 = await isolatedHelm('3.17', path.join(work.dir, 'h3'));
        await expect(run3(['verify', '--keyring', keyring, chart!.file])).rejects.toThrow(
          /unsupported feature: public key type/,
        );
      } finally {
        await work.cleanup();
      }
    },
  );
});
