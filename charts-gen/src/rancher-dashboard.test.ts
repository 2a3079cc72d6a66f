/** Icons Rancher cannot fetch are refused at synthesis, where the author can fix them. */
import { cp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApp } from '@nmaas/sdk/model';
import { REPO_ROOT } from './testing/chart.js';
import { chartFiles } from './synthesize.js';
import { RANCHER_ICON_MAX_BYTES } from './rancher-dashboard.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'nmaas-icon-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('app icons Rancher can load', () => {
  it('refuses an icon above the 1 MiB Rancher reads, and accepts one at the limit', async () => {
    const app = path.join(dir, 'web-qos');
    await cp(path.join(REPO_ROOT, 'examples', 'web-qos'), app, {
      recursive: true,
      filter: (src) => !/node_modules|dist/.test(src),
    });
    const icon = path.join(app, 'icon.svg');
    const svg = (bytes: number) => {
      const head = '<svg xmlns="http://www.w3.org/2000/svg"><!--';
      const tail = '--></svg>';
      return head + 'x'.repeat(bytes - head.length - tail.length) + tail;
    };
    await writeFile(icon, svg(RANCHER_ICON_MAX_BYTES));
    const files = await chartFiles(await loadApp(app));
    expect(files.get('icon.svg')?.length).toBe(RANCHER_ICON_MAX_BYTES);
    await writeFile(icon, svg(RANCHER_ICON_MAX_BYTES + 1));
    await expect(chartFiles(await loadApp(app))).rejects.toThrow(/Rancher reads at most 1048576 \(1 MiB\)/);
  });
});
