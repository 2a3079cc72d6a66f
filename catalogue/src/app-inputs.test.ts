/** App folders go through charts-gen and the validator before they enter the catalogue. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildRepository, BuildRefusedError } from './build.js';
import { parseIndex } from './index-file.js';
import { readArchive } from './tgz.js';
import { REPO_ROOT, copyFullApp, tempDir } from './testing/helpers.js';

const SDK_APPS = path.join(REPO_ROOT, 'sdk', 'fixtures', 'apps');
let work: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  work = await tempDir();
});
afterEach(async () => work.cleanup());

describe('app folders', () => {
  it('synthesises, validates and publishes an app folder with its nmaas.yaml inside the chart', async () => {
    const repo = path.join(work.dir, 'repo');
    const full = await copyFullApp(path.join(work.dir, 'full'));
    const result = await buildRepository({ repoDir: repo, inputs: [full], allowWarnings: true });
    const [chart] = result.charts;
    expect(chart).toMatchObject({ name: 'web-qos-full', version: '1.2.0', kind: 'app', status: 'added' });
    expect(chart!.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const index = parseIndex(await readFile(path.join(repo, 'index.yaml'), 'utf8'), 'index.yaml');
    expect(index.entries['web-qos-full']![0]!.version).toBe('1.2.0');
    const files = readArchive(await readFile(path.join(repo, 'web-qos-full-1.2.0.tgz'))).map((f) => f.path);
    expect(files[0]).toBe('web-qos-full/Chart.yaml');
    expect(files).toContain('web-qos-full/nmaas.yaml');
    // the same app again: identical bytes (synthesis and packaging are reproducible), so a no-op
    const again = await buildRepository({ repoDir: repo, inputs: [full], allowWarnings: true });
    expect(again.charts[0]!.status).toBe('unchanged');
  });

  it('refuses an app whose nmaas.yaml is invalid, listing the problems', async () => {
    const build = buildRepository({ repoDir: path.join(work.dir, 'repo'), inputs: [path.join(SDK_APPS, 'broken')] });
    await expect(build).rejects.toThrow(BuildRefusedError);
    await expect(build).rejects.toThrow(/is not a valid NMaaS app/);
  });

  it('refuses an app with validator errors and writes nothing', async () => {
    const app = path.join(work.dir, 'app');
    await copyFullApp(app);
    const text = await readFile(path.join(app, 'nmaas.yaml'), 'utf8');
    // an image from a registry outside the reviewers' allow-list
    await writeFile(
      path.join(app, 'nmaas.yaml'),
      text.replace('repository: ghcr.io/nmaas/web-qos', 'repository: registry.evil.example/nmaas/web-qos'),
    );
    const repo = path.join(work.dir, 'repo');
    const build = buildRepository({ repoDir: repo, inputs: [app], allowWarnings: true });
    await expect(build).rejects.toThrow(/did not pass validation[^]*NMAAS-IMAGE-REGISTRY/);
    await expect(readFile(path.join(repo, 'index.yaml'))).rejects.toThrow();
  });
});
