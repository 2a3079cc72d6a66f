/**
 * The browse page in real Chromium (Debian's, driven by playwright-core): it loads from
 * `catalogue serve`, lists every app with its measurement facts, and narrows the list as the
 * user types or picks a category. A screenshot lands in test-artifacts/ (git-ignored).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool } from '@nmaas/sdk/testing';
import { buildRepository } from '../build.js';
import { writeSampleCharts } from '../sample-charts.js';
import { ALL_FIXTURES, launchChromium, REPO_ROOT, tempDir } from '../testing/helpers.js';
import { serveCatalogue, type RunningServer } from './server.js';

const browserTool = tool('chromium', 'apt-get install chromium', ['/usr/bin/chromium']);
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'catalogue');

describe.skipIf(browserTool.skip)('browse page in Chromium', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    work = await tempDir();
    const repo = path.join(work.dir, 'repo');
    const samples = await writeSampleCharts(path.join(work.dir, 'samples'), 6, { prefix: 'extra' });
    await buildRepository({ repoDir: repo, inputs: [...ALL_FIXTURES, ...samples], validate: false });
    server = await serveCatalogue({ repoDir: repo, port: 0 });
    browser = await launchChromium(browserTool.path());
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await work?.cleanup();
  });

  it('lists the apps, narrows the list on search and category, and shows the measurement facts', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]');
    const names = () => page.$$eval('li.app', (items) => items.map((i) => i.getAttribute('data-name')));
    expect((await names()).sort()).toEqual([
      'dns-timer',
      'extra-000',
      'extra-001',
      'extra-002',
      'extra-003',
      'extra-004',
      'extra-005',
      'web-probe',
      'with-sub',
    ]);
    expect(await page.textContent('#repo-add')).toBe(`helm repo add nmaas ${server.url}`);

    await page.fill('#search', 'probe');
    await page.waitForFunction('document.querySelectorAll("li.app").length === 1');
    expect(await names()).toEqual(['web-probe']);
    const card = (await page.textContent('li.app[data-name="web-probe"]')) ?? '';
    expect(card).toContain('every 5m, each run at most 20s, first run within 1m');
    expect(card).toContain('cpu=250m, memory=128Mi, bandwidth=20Mbps');
    expect(card).toContain('nodes with nmaas.io/pool=edge; never with stream-probe; replicas on distinct nodes');
    expect(card).toContain('NET_RAW: Sends ICMP echo requests');
    expect(card).toContain('helm install web-probe nmaas/web-probe --version 1.2.0');
    expect(await page.getAttribute('li.app[data-name="web-probe"] img', 'src')).toBe('api/apps/web-probe/1.2.0/icon');
    expect(
      await page.$eval(
        'li.app[data-name="web-probe"] img',
        (img) => (img as unknown as { naturalWidth: number }).naturalWidth,
      ),
    ).toBeGreaterThan(0);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'browse-search-probe.png'), fullPage: true });

    await page.fill('#search', '');
    await page.selectOption('#category', 'cartography');
    await page.waitForFunction('document.querySelectorAll("li.app").length === 2');
    expect((await names()).sort()).toEqual(['dns-timer', 'extra-002']);
    expect(await page.textContent('#count')).toBe('2 of 9 apps');
    await page.screenshot({ path: path.join(ARTIFACTS, 'browse-category.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});
