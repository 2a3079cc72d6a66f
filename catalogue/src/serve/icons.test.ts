/**
 * App icons as Rancher and a person see them: the catalogue publishes each app's icon as a file
 * of the repository and Chart.yaml (so index.yaml) names it by a URL Rancher can fetch, never a
 * data: URL — an http(s) URL under the public URL in the HTTP layout, `file://assets/icons/…` in
 * the git layout. Real Chromium then loads the browse page and every icon URL of index.yaml.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool } from '@nmaas/sdk/testing';
import { buildRepository } from '../build.js';
import { parseIndex } from '../index-file.js';
import { REPO_ROOT, tempDir } from '../testing/helpers.js';
import { serveCatalogue, type RunningServer } from './server.js';

const browserTool = tool('chromium', 'apt-get install chromium', ['/usr/bin/chromium']);
const APPS = ['web-qos', 'ip-spoofing-detection'].map((name) => path.join(REPO_ROOT, 'examples', name));

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
      browser = await chromium.launch({
        executablePath: browserTool.path(),
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      });
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
    // Without a public URL the HTTP layout gives no icon URL rather than a data: URL.
    const bare = path.join(work.dir, 'bare');
    await buildRepository({ repoDir: bare, inputs: [APPS[0]!], validate: false });
    const bareIndex = await (await import('node:fs/promises')).readFile(path.join(bare, 'index.yaml'), 'utf8');
    expect(bareIndex).not.toMatch(/icon:|data:/);
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
        for (const name of ['web-qos', 'ip-spoofing-detection']) {
          // What Rancher's dashboard does with the index's icon URL: load it as an image.
          const src = JSON.stringify(index.entries[name]![0]!.icon!);
          const decoded = await page.evaluate<number>(
            `(async () => { const img = new Image(); img.src = ${src}; await img.decode(); return img.naturalWidth; })()`,
          );
          expect(decoded).toBeGreaterThan(0);
        }
      } finally {
        await page.close();
      }
    },
    120_000,
  );
});
