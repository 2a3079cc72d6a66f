/**
 * App icons as Rancher and a person see them: the catalogue publishes each app's icon as a file
 * of the repository and Chart.yaml (so index.yaml) names it by a URL Rancher can fetch, never a
 * data: URL — an http(s) URL under the public URL in the HTTP layout, relative to index.yaml
 * without one, `file://assets/icons/…` in the git layout. Each is fetched the way Rancher's catalog
 * API fetches it (resolved against the repository URL, at most 1 MiB, typed by its extension; see
 * charts-gen's rancher-dashboard.ts for the Rancher source), and real Chromium decodes it as
 * Rancher serves it to the dashboard (its proxy's headers) and on the browse page.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool } from '@nmaas/sdk/testing';
import { RANCHER_ICON_MAX_BYTES } from '@nmaas/charts-gen';
import { buildRepository } from '../build.js';
import { parseIndex } from '../index-file.js';
import { launchChromium, REPO_ROOT, tempDir } from '../testing/helpers.js';
import { serveCatalogue, type RunningServer } from './server.js';

const browserTool = tool('chromium', 'apt-get install chromium', ['/usr/bin/chromium']);
const APPS = ['web-qos', 'ip-spoofing-detection'].map((name) => path.join(REPO_ROOT, 'examples', name));

/**
 * What Rancher's catalog API does with an HTTP repository's icon: a relative URL is resolved
 * against the repository URL with a trailing slash, the body is read up to 1 MiB, and the answer
 * it gives the dashboard is typed by the URL path's extension (only `.svg` gets a type).
 */
async function fetchLikeRancher(repoUrl: string, icon: string): Promise<{ body: Buffer; ext: string }> {
  const base = new URL(repoUrl);
  base.pathname = `${base.pathname.replace(/\/$/, '')}/`;
  const url = new URL(icon, base);
  const res = await fetch(url);
  expect(res.status, url.href).toBe(200);
  const body = Buffer.from(await res.arrayBuffer());
  expect(body.length, url.href).toBeLessThanOrEqual(RANCHER_ICON_MAX_BYTES);
  return { body, ext: path.posix.extname(url.pathname) };
}

/**
 * Rancher's server as the dashboard sees it: a page, and on the same origin the catalog API's
 * icon link answering with the fetched bytes and Rancher's headers (setIconHeaders).
 */
async function rancherIconProxy(icons: Map<string, { body: Buffer; ext: string }>): Promise<http.Server> {
  const proxy = http.createServer((req, res) => {
    if (req.url === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html>');
    const icon = icons.get(new URL(req.url ?? '/', 'http://proxy').searchParams.get('chartName') ?? '');
    if (icon === undefined) return void res.writeHead(404).end();
    if (icon.ext === '.svg') res.setHeader('Content-Type', 'image/svg+xml');
    res.setHeader('Cache-Control', 'max-age=31536000, public');
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(icon.body);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return proxy;
}

describe('published icons', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer;
  let browser: Browser | undefined;
  let repo: string;

  beforeAll(async () => {
    work = await tempDir();
    repo = path.join(work.dir, 'repo');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(repo);
    // The server first, so the build knows the URL the charts' icons are served at.
    server = await serveCatalogue({ repoDir: repo, port: 0 });
    await buildRepository({ repoDir: repo, inputs: APPS, validate: false, publicUrl: server.url });
    if (!browserTool.skip) {
      browser = await launchChromium(browserTool.path());
    }
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await work?.cleanup();
  });

  it('index.yaml names every app icon by a served URL, and the git layout by file://assets/icons', async () => {
    const index = parseIndex(await (await fetch(`${server.url}index.yaml`)).text(), 'served index');
    for (const name of ['web-qos', 'ip-spoofing-detection']) {
      const icon = index.entries[name]![0]!.icon!;
      expect(icon).toBe(`${server.url}icons/${name}-0.1.0.svg`);
      const res = await fetch(icon);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/svg+xml');
      expect(await res.text()).toMatch(/^<svg /);
    }
    const git = path.join(work.dir, 'git');
    await buildRepository({ repoDir: git, inputs: [APPS[0]!], validate: false, layout: 'rancher-git' });
    const gitIndex = parseIndex(
      await (await import('node:fs/promises')).readFile(path.join(git, 'index.yaml'), 'utf8'),
      'git index',
    );
    expect(gitIndex.entries['web-qos']![0]!.icon).toBe('file://assets/icons/web-qos-0.1.0.svg');
    expect(existsSync(path.join(git, 'assets', 'icons', 'web-qos-0.1.0.svg'))).toBe(true);
    // Rancher reads a git repository's icon from its clone: the path without file://, inside it.
    const fromClone = path.join(git, gitIndex.entries['web-qos']![0]!.icon!.replace(/^file:\/\//, ''));
    expect(path.relative(git, fromClone).startsWith('..')).toBe(false);
    expect((await readFile(fromClone)).toString('utf8')).toMatch(/^<svg /);
    // Without a public URL the HTTP layout names the icon relative to index.yaml, never a data: URL.
    const bare = path.join(work.dir, 'bare');
    await buildRepository({ repoDir: bare, inputs: [APPS[0]!], validate: false });
    const bareIndex = parseIndex(await readFile(path.join(bare, 'index.yaml'), 'utf8'), 'bare index');
    expect(bareIndex.entries['web-qos']![0]!.icon).toBe('icons/web-qos-0.1.0.svg');
    const bareServer = await serveCatalogue({ repoDir: bare, port: 0 });
    try {
      // Served under a path, as behind a proxy: Rancher resolves against the repository URL.
      const { body, ext } = await fetchLikeRancher(bareServer.url.replace(/\/$/, ''), 'icons/web-qos-0.1.0.svg');
      expect(ext).toBe('.svg');
      expect(body.toString('utf8')).toMatch(/^<svg /);
    } finally {
      await bareServer.close();
    }
  }, 300_000);

  it.skipIf(browserTool.skip)(
    'Chromium shows the icons on the browse page and decodes each served icon',
    async () => {
      const page = await browser!.newPage();
      try {
        await page.goto(server.url);
        await page.waitForSelector('img');
        const sizes = await page.$$eval('img', (imgs) =>
          imgs.map((img) => ({ src: img.getAttribute('src'), ok: img.complete && img.naturalWidth > 0 })),
        );
        expect(sizes.length).toBe(2);
        for (const s of sizes) expect(s.ok, String(s.src)).toBe(true);
        const index = parseIndex(await (await fetch(`${server.url}index.yaml`)).text(), 'served index');
        const fetched = new Map<string, { body: Buffer; ext: string }>();
        for (const name of ['web-qos', 'ip-spoofing-detection'])
          fetched.set(name, await fetchLikeRancher(server.url, index.entries[name]![0]!.icon!));
        const proxy = await rancherIconProxy(fetched);
        try {
          const { port } = proxy.address() as { port: number };
          await page.goto(`http://127.0.0.1:${port}/`);
          for (const name of fetched.keys()) {
            // What the dashboard does: an <img> whose src is Rancher's link=icon URL.
            const src = JSON.stringify(
              `http://127.0.0.1:${port}/v1/catalog.cattle.io.clusterrepos/nmaas?chartName=${name}&link=icon&version=0.1.0`,
            );
            const decoded = await page.evaluate<number>(
              `(async () => { const img = new Image(); img.src = ${src}; await img.decode(); return img.naturalWidth; })()`,
            );
            expect(decoded, name).toBeGreaterThan(0);
          }
        } finally {
          await new Promise((resolve) => proxy.close(resolve));
        }
      } finally {
        await page.close();
      }
    },
    120_000,
  );
});
