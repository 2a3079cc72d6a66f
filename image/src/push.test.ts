/**
 * `pushImage` against a real registry: Debian's docker-registry on 127.0.0.1, open, behind
 * htpasswd (Basic) and behind a token service (Bearer, RS256 JWTs as the Docker token spec
 * describes, signed by a certificate the registry trusts). Results are checked with skopeo.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { randomBytes, sign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool } from '@nmaas/sdk/testing';
import { buildLayer } from './layer.js';
import { descriptorOf, jsonBytes, MEDIA_TYPES, REF_NAME, writeLayout, type ImageManifest } from './oci-layout.js';
import { pushImage } from './push.js';
import { freePort } from '@nmaas/sdk/testing';
import { startRegistry, type TestRegistry } from './testing/registry-process.js';

const exec = promisify(execFile);
const registryBin = tool('docker-registry', 'apt-get install docker-registry');
const skopeo = tool('skopeo', 'apt-get install skopeo');
const openssl = tool('openssl', 'apt-get install openssl');

const USER = 'nmaas';
const PASSWORD = 'nmaas-test-password';
// bcrypt (cost 4, so the registry checks it quickly) of PASSWORD: the htpasswd format Distribution reads.
const HTPASSWD = `${USER}:$2b$04$HZGTe9RMp2J7h3tPgp.YRuUoTB1hXh/MD5neyUfbCVG0Fn62YXxNu\n`;

/** A small image whose layer is `layerBytes` of random data, so chunked uploads have several chunks. */
async function makeLayout(
  dir: string,
  tag: string,
  layerBytes: number,
): Promise<{ digest: string; layerDigest: string }> {
  const layer = buildLayer([
    { type: 'file', path: 'data/blob.bin', mode: 0o644, uid: 0, gid: 0, data: randomBytes(layerBytes) },
  ]);
  const config = jsonBytes({
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
  });
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: descriptorOf(MEDIA_TYPES.config, config),
    layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.blob.length }],
  };
  const bytes = jsonBytes(manifest);
  const descriptor = descriptorOf(MEDIA_TYPES.manifest, bytes, { [REF_NAME]: tag });
  await writeLayout(dir, [layer.blob, config, bytes], [descriptor]);
  return { digest: descriptor.digest, layerDigest: layer.digest };
}

async function skopeoInspect(ref: string, creds?: string): Promise<{ Digest: string }> {
  const args = ['inspect', '--tls-verify=false', ...(creds ? ['--creds', creds] : []), `docker://${ref}`];
  const { stdout } = await exec(skopeo.path(), args, { timeout: 60_000 });
  return JSON.parse(stdout) as { Digest: string };
}

describe.skipIf(registryBin.skip || skopeo.skip || openssl.skip)('pushImage against docker-registry', () => {
  let work: string;
  const registries: TestRegistry[] = [];
  let tokenServer: Server | undefined;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'nmaas-push-'));
  });
  afterAll(async () => {
    for (const r of registries) await r.stop();
    await new Promise((resolve) => (tokenServer ? tokenServer.close(resolve) : resolve(undefined)));
    await rm(work, { recursive: true, force: true });
  });

  it('pushes without auth, monolithic and chunked, and skopeo copies the image back', async () => {
    const registry = await startRegistry(registryBin.path());
    registries.push(registry);
    const layout = path.join(work, 'open');
    const { digest } = await makeLayout(layout, '1.0.0', 300_000);
    const mono = await pushImage({ layoutDir: layout, reference: `${registry.address}/team/mono:1.0.0`, chunkSize: 0 });
    expect(mono).toMatchObject({ digest, uploaded: 2, skipped: 0 });
    const chunked = await pushImage({
      layoutDir: layout,
      reference: `${registry.address}/team/chunked:1.0.0`,
      chunkSize: 64 * 1024,
    });
    expect(chunked.uploaded).toBe(2);
    for (const repo of ['mono', 'chunked'])
      expect((await skopeoInspect(`${registry.address}/team/${repo}:1.0.0`)).Digest).toBe(digest);

    // Pushing again finds every blob present; mounting from another repository uploads nothing.
    expect(await pushImage({ layoutDir: layout, reference: `${registry.address}/team/mono:1.0.1` })).toMatchObject({
      uploaded: 0,
      skipped: 2,
    });
    expect(
      await pushImage({
        layoutDir: layout,
        reference: `${registry.address}/team/mounted:1.0.0`,
        mountFrom: ['team/mono'],
      }),
    ).toMatchObject({
      uploaded: 0,
      mounted: 2,
    });

    const back = path.join(work, 'copied');
    await exec(
      skopeo.path(),
      ['copy', '--src-tls-verify=false', `docker://${registry.address}/team/chunked:1.0.0`, `oci:${back}:copied`],
      { timeout: 60_000 },
    );
    const index = JSON.parse(await readFile(path.join(back, 'index.json'), 'utf8')) as {
      manifests: Array<{ digest: string }>;
    };
    expect(index.manifests.map((m) => m.digest)).toContain(digest);
  });

  it('leaves no tag when a push fails midway', async () => {
    const registry = registries[0]!;
    const layout = path.join(work, 'broken');
    const { layerDigest } = await makeLayout(layout, '2.0.0', 10_000);
    // Damage the layer on disk: the push must stop before the manifest.
    await writeFile(path.join(layout, 'blobs', 'sha256', layerDigest.slice(7)), 'not the layer');
    await expect(pushImage({ layoutDir: layout, reference: `${registry.address}/team/broken:2.0.0` })).rejects.toThrow(
      /does not match its digest/,
    );
    const tag = await fetch(`http://${registry.address}/v2/team/broken/manifests/2.0.0`, { method: 'HEAD' });
    expect(tag.status).toBe(404);
  });

  it('says clearly when the registry cannot be reached', async () => {
    const port = await freePort();
    await expect(
      pushImage({ layoutDir: path.join(work, 'open'), reference: `127.0.0.1:${port}/team/x:1` }),
    ).rejects.toThrow(/cannot reach registry http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('authenticates with Basic (htpasswd) and refuses missing or wrong credentials', async () => {
    const registry = await startRegistry(registryBin.path(), { htpasswd: HTPASSWD });
    registries.push(registry);
    const layout = path.join(work, 'basic');
    const { digest } = await makeLayout(layout, '1.0.0', 20_000);
    const reference = `${registry.address}/team/basic:1.0.0`;
    await expect(pushImage({ layoutDir: layout, reference })).rejects.toThrow(/needs a user name and password/);
    await expect(
      pushImage({ layoutDir: layout, reference, credentials: { username: USER, password: 'wrong' } }),
    ).rejects.toThrow(/rejected the credentials/);
    const pushed = await pushImage({
      layoutDir: layout,
      reference,
      credentials: { username: USER, password: PASSWORD },
    });
    expect(pushed.digest).toBe(digest);
    expect((await skopeoInspect(reference, `${USER}:${PASSWORD}`)).Digest).toBe(digest);
  });

  it('authenticates with Bearer tokens from a token service', async () => {
    const certDir = path.join(work, 'token-cert');
    await exec('mkdir', ['-p', certDir]);
    await exec(
      openssl.path(),
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=nmaas-test-token',
        '-days',
        '2',
        '-keyout',
        path.join(certDir, 'key.pem'),
        '-out',
        path.join(certDir, 'cert.pem'),
      ],
      { timeout: 60_000 },
    );
    const key = await readFile(path.join(certDir, 'key.pem'), 'utf8');
    const certDer = (await readFile(path.join(certDir, 'cert.pem'), 'utf8')).replace(/-----[^-]+-----|\s/g, '');
    const issued: string[] = [];
    tokenServer = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://token');
      const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401).end();
        return;
      }
      const access = url.searchParams.getAll('scope').map((scope) => {
        const [type, name, actions] = scope.split(':');
        return { type, name, actions: (actions ?? '').split(',') };
      });
      const now = Math.floor(Date.now() / 1000);
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const body = `${b64({ alg: 'RS256', typ: 'JWT', x5c: [certDer] })}.${b64({
        iss: 'nmaas-test-issuer',
        sub: USER,
        aud: url.searchParams.get('service'),
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomBytes(8).toString('hex'),
        access,
      })}`;
      const token = `${body}.${sign('sha256', Buffer.from(body), key).toString('base64url')}`;
      issued.push(url.searchParams.getAll('scope').join(' '));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
    });
    const tokenPort = await freePort();
    await new Promise<void>((resolve) => tokenServer!.listen(tokenPort, '127.0.0.1', resolve));
    const registry = await startRegistry(registryBin.path(), {
      token: {
        realm: `http://127.0.0.1:${tokenPort}/token`,
        service: 'nmaas-test-registry',
        issuer: 'nmaas-test-issuer',
        rootCertBundle: path.join(certDir, 'cert.pem'),
      },
    });
    registries.push(registry);
    const layout = path.join(work, 'bearer');
    const { digest } = await makeLayout(layout, '1.0.0', 20_000);
    const reference = `${registry.address}/team/bearer:1.0.0`;
    await expect(pushImage({ layoutDir: layout, reference })).rejects.toThrow(
      /token service .* refused a token \(401\)/,
    );
    const pushed = await pushImage({
      layoutDir: layout,
      reference,
      credentials: { username: USER, password: PASSWORD },
    });
    expect(pushed.digest).toBe(digest);
    expect(issued.some((scope) => scope.includes('repository:team/bearer:pull,push'))).toBe(true);
    expect((await skopeoInspect(reference, `${USER}:${PASSWORD}`)).Digest).toBe(digest);
  });
});
