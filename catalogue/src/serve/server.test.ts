import { createHash } from 'node:crypto';
import { mkdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRepository } from '../build.js';
import { sha256Hex } from '../tgz.js';
import { ALL_FIXTURES, tempDir } from '../testing/helpers.js';
import { serveCatalogue, type RunningServer } from './server.js';
import type { AppSummary } from './apps.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Raw HTTP request: the path goes on the wire exactly as written (no URL normalisation). */
function get(url: string, rawPath: string, method = 'GET', headers: Record<string, string> = {}): Promise<Reply> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: rawPath, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('catalogue serve', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer;
  let repo: string;
  beforeAll(async () => {
    work = await tempDir();
    repo = path.join(work.dir, 'repo');
    await buildRepository({ repoDir: repo, inputs: ALL_FIXTURES, validate: false });
    // Bait outside the repository, and links pointing at it.
    await writeFile(path.join(work.dir, 'secret.txt'), 'outside the repository');
    await symlink(path.join(work.dir, 'secret.txt'), path.join(repo, 'link-out.txt'));
    await mkdir(path.join(repo, 'sub'));
    await symlink(work.dir, path.join(repo, 'sub', 'up'));
    server = await serveCatalogue({ repoDir: repo, port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await work?.cleanup();
  });

  it('serves index.yaml as text/yaml with a strong ETag, honouring If-None-Match and HEAD', async () => {
    const r = await get(server.url, '/index.yaml');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/yaml/);
    expect(r.body.equals(await readFile(path.join(repo, 'index.yaml')))).toBe(true);
    const etag = r.headers.etag as string;
    expect(etag).toMatch(/^"[^"]+"$/);
    const cached = await get(server.url, '/index.yaml', 'GET', { 'If-None-Match': etag });
    expect(cached.status).toBe(304);
    expect(cached.body.length).toBe(0);
    expect((await get(server.url, '/index.yaml', 'GET', { 'If-None-Match': '"other", ' + etag })).status).toBe(304);
    expect((await get(server.url, '/index.yaml', 'GET', { 'If-None-Match': '"other"' })).status).toBe(200);
    const head = await get(server.url, '/index.yaml', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(Number(head.headers['content-length'])).toBe(r.body.length);
    expect(head.headers.etag).toBe(etag);
  });

  it('serves packages byte for byte', async () => {
    const r = await get(server.url, '/web-probe-1.2.0.tgz');
    expect(r.status).toBe(200);
    expect(sha256Hex(r.body)).toBe(sha256Hex(await readFile(path.join(repo, 'web-probe-1.2.0.tgz'))));
  });

  it('streams a large file: the body is never held whole, and HEAD and If-None-Match read none of it', async () => {
    // A sparse 256 MiB file, the size of a large image layer: nothing on disk, all of it on the wire.
    const size = 256 * 2 ** 20;
    const big = path.join(repo, 'big-layer.tgz');
    await writeFile(big, '');
    await truncate(big, size);
    const zeros = Buffer.alloc(2 ** 20);
    const expected = createHash('sha256');
    for (let i = 0; i < size / zeros.length; i++) expected.update(zeros);
    const expectedEtag = `"${expected.digest('base64url').slice(0, 32)}"`;
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    const { hostname, port } = new URL(server.url);
    const got = await new Promise<{ status: number; etag: string; length: number; bytes: number; sha: string }>(
      (resolve, reject) => {
        const req = request({ host: hostname, port, path: '/big-layer.tgz' }, (res) => {
          const hash = createHash('sha256');
          let bytes = 0;
          res.on('data', (c: Buffer) => {
            bytes += c.length;
            hash.update(c);
            peak = Math.max(peak, process.memoryUsage().arrayBuffers);
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              etag: res.headers.etag ?? '',
              length: Number(res.headers['content-length']),
              bytes,
              sha: hash.digest('base64url'),
            }),
          );
        });
        req.on('error', reject);
        req.end();
      },
    );
    expect(got).toMatchObject({ status: 200, etag: expectedEtag, length: size, bytes: size });
    expect(`"${got.sha.slice(0, 32)}"`).toBe(expectedEtag);
    // Reading the file whole would have added 256 MiB; streaming keeps a few chunks in flight.
    expect(peak - before).toBeLessThan(64 * 2 ** 20);
    const head = await get(server.url, '/big-layer.tgz', 'HEAD');
    expect(head).toMatchObject({ status: 200, body: Buffer.alloc(0) });
    expect(Number(head.headers['content-length'])).toBe(size);
    expect((await get(server.url, '/big-layer.tgz', 'GET', { 'If-None-Match': expectedEtag })).status).toBe(304);
  });

  it.each([
    ['/../secret.txt', 400],
    ['/%2e%2e/secret.txt', 400],
    ['/%2E%2E%2Fsecret.txt', 400],
    ['/sub/..%2f..%2fsecret.txt', 400],
    ['/sub/%2e%2e/%2e%2e/secret.txt', 400],
    ['/.%2e/secret.txt', 400],
    ['/..%5csecret.txt', 400],
    ['/index.yaml%00.png', 400],
    ['/%zz', 400],
    ['/link-out.txt', 404],
    ['/sub/up/secret.txt', 404],
    ['/.nmaas-catalogue.lock', 404],
    ['/sub', 404],
    ['/no-such-file.tgz', 404],
  ])('refuses %s with %i and never serves a file from outside', async (p, status) => {
    const r = await get(server.url, p);
    expect(r.status).toBe(status);
    expect(r.body.toString()).not.toContain('outside the repository');
  });

  it('answers other methods with 405', async () => {
    const r = await get(server.url, '/index.yaml', 'POST');
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET, HEAD');
  });

  it('describes every app at /api/apps, from the index and the nmaas.yaml inside each chart', async () => {
    const r = await get(server.url, '/api/apps');
    expect(r.headers['content-type']).toBe('application/json');
    const { apps } = JSON.parse(r.body.toString()) as { apps: AppSummary[] };
    expect(apps.map((a) => a.name)).toEqual(['dns-timer', 'web-probe', 'with-sub']);
    const web = apps.find((a) => a.name === 'web-probe')!;
    expect(web).toMatchObject({
      displayName: 'Web probe',
      category: 'qos',
      latest: '1.2.0',
      icon: 'api/apps/web-probe/1.2.0/icon',
      measurement: {
        schedule: { every: '5m', duration: '20s', startWithin: '1m' },
        resources: { run: { cpu: '250m', memory: '128Mi', bandwidth: '20Mbps' } },
        placement: { nodeSelector: { 'nmaas.io/pool': 'edge' }, antiAffinity: ['stream-probe'], spread: true },
        capabilities: [{ name: 'NET_RAW', justification: expect.stringMatching(/ICMP echo/) }],
      },
    });
    expect(apps.find((a) => a.name === 'dns-timer')!.versions.map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
    expect(apps.find((a) => a.name === 'with-sub')!.measurement).toBeNull();
    const icon = await get(server.url, '/api/apps/web-probe/1.2.0/icon');
    expect(icon.status).toBe(200);
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['content-security-policy']).toContain('sandbox');
  });

  it('serves the browse page with a nonce-based CSP', async () => {
    const r = await get(server.url, '/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    const csp = r.headers['content-security-policy'] as string;
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    expect(r.body.toString()).toContain(`<script nonce="${nonce}">`);
    expect(r.body.toString()).toContain('id="search"');
  });
});
