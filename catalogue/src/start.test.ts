/** What `npm start` runs: examples/* built into .catalogue/ and served, with the helm repo add line printed. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIndex } from './index-file.js';
import { startCatalogue } from './start.js';
import { REPO_ROOT, copyFullApp, runCli, tempDir } from './testing/helpers.js';

describe('startCatalogue', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    work = await tempDir();
    await writeFile(path.join(work.dir, 'package.json'), '{}');
    await mkdir(path.join(work.dir, 'examples'));
    await copyFullApp(path.join(work.dir, 'examples', 'web-qos-full'));
    await mkdir(path.join(work.dir, 'examples', 'not-an-app'));
  });
  afterAll(async () => work?.cleanup());

  it('builds the example apps into .catalogue/ and serves them, printing the URL and helm repo add line', async () => {
    const lines: string[] = [];
    const { server, build } = await startCatalogue({ rootDir: work.dir, port: 0, log: (l) => lines.push(l) });
    try {
      expect(build?.charts.map((c) => c.name)).toEqual(['web-qos-full']);
      expect(lines).toContain(`  helm repo add nmaas ${server.url}`);
      const index = parseIndex(await (await fetch(`${server.url}index.yaml`)).text(), 'served index');
      expect(Object.keys(index.entries)).toEqual(['web-qos-full']);
      expect(await readFile(path.join(work.dir, '.catalogue', 'index.yaml'), 'utf8')).toContain('web-qos-full');
      const apps = (await (await fetch(`${server.url}api/apps`)).json()) as { apps: { name: string }[] };
      expect(apps.apps.map((a) => a.name)).toEqual(['web-qos-full']);
    } finally {
      await server.close();
    }
  });

  it('rebuilds the local preview from scratch when an example changed without a version bump', async () => {
    const app = path.join(work.dir, 'examples', 'web-qos-full', 'nmaas.yaml');
    await writeFile(
      app,
      (await readFile(app, 'utf8')).replace('Probes HTTP(S) targets', 'Probes HTTP and HTTPS targets'),
    );
    const lines: string[] = [];
    const { server, build } = await startCatalogue({ rootDir: work.dir, port: 0, log: (l) => lines.push(l) });
    await server.close();
    expect(lines.join('\n')).toMatch(/changed without a version bump; rebuilding/);
    expect(build?.charts[0]?.status).toBe('added');
  });

  it("publishes included chart folders beside the examples, validated under the reviewers' policy", async () => {
    // The scheduler's chart comes from the nmaas CLI, as `npm start` makes it (catalogue does not depend on the scheduler).
    const charts = path.join(work.dir, 'sources');
    const made = await runCli(['scheduler', 'chart', '-o', charts]);
    expect(made.code, made.stderr).toBe(0);
    const include = [path.join(charts, 'nmaas-scheduler')];
    // Without the policy, the scheduler's cluster-wide webhook objects are findings that refuse it.
    await expect(startCatalogue({ rootDir: work.dir, port: 0, include, log: () => undefined })).rejects.toThrow(
      /nmaas-scheduler|did not pass/,
    );
    const { server, build } = await startCatalogue({
      rootDir: work.dir,
      port: 0,
      include,
      policy: path.join(REPO_ROOT, 'catalogue-policy.yaml'),
      log: () => undefined,
    });
    await server.close();
    expect(build?.charts.map((c) => c.name).sort()).toEqual(['nmaas-scheduler', 'web-qos-full']);
    // A folder that is neither is named before any image is built.
    const lines: string[] = [];
    const missing = path.join(work.dir, 'no-such-chart');
    await expect(
      startCatalogue({ rootDir: work.dir, port: 0, include: [missing], log: (l) => lines.push(l) }),
    ).rejects.toThrow(`--include ${missing} is not a chart or app folder`);
    expect(lines).toEqual([]);
  });
});
