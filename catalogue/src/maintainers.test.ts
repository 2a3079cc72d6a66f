/**
 * Placeholder maintainers never reach the published index: the check itself, a build that refuses
 * the placeholder the examples used to carry, and the charts the catalogue publishes by default
 * (the example apps, the scheduler and the policy chart) naming the real project, and no false
 * alarm on the published charts of the real-charts corpus.
 */
import { existsSync, readdirSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildRepository, BuildRefusedError } from './build.js';
import { placeholderMaintainerProblems } from './maintainers.js';
import { REPO_ROOT, fixture, tempDir } from './testing/helpers.js';

/** The project's identity as its package.json files spell it (`bugs`). */
const PROJECT = { name: 'NMaaS project', url: 'https://github.com/nmaas/nmaas/issues' };

describe('placeholderMaintainerProblems', () => {
  it('refuses reserved example domains and dummy names, accepts real ones', () => {
    expect(placeholderMaintainerProblems([PROJECT])).toEqual([]);
    expect(placeholderMaintainerProblems([{ name: 'Ada Lovelace', email: 'ada@geant.org' }])).toEqual([]);
    expect(placeholderMaintainerProblems(undefined)).toEqual([]);
    for (const email of ['maintainers@nmaas.example.org', 'a@example.com', 'x@lab.example', 'x@ci.test', 'nobody'])
      expect(placeholderMaintainerProblems([{ name: 'Ada', email }]), email).toEqual([
        expect.stringMatching(/^maintainers\[0\]\.email .* reserved example address/),
      ]);
    for (const url of ['https://nmaas.example.org', 'http://example.net/x', 'not a url'])
      expect(placeholderMaintainerProblems([{ name: 'Ada', url }]), url).toEqual([
        expect.stringMatching(/^maintainers\[0\]\.url .* not a real page/),
      ]);
    for (const name of ['', 'Your Name', 'maintainers', 'TODO', '<name>'])
      expect(placeholderMaintainerProblems([{ name }]), name).toEqual([
        expect.stringMatching(/^maintainers\[0\]\.name .* placeholder/),
      ]);
  });
});

describe('real published charts (../shared/corpus/real-charts)', () => {
  it('none is taken for a placeholder: every Chart.yaml, subcharts included, passes', async () => {
    const root = path.resolve(REPO_ROOT, '../shared/corpus/real-charts');
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => path.basename(f) === 'Chart.yaml');
    expect(files.length).toBeGreaterThanOrEqual(28);
    for (const file of files) {
      const chart = parse(await readFile(path.join(root, file), 'utf8')) as { maintainers?: { name?: string }[] };
      expect(placeholderMaintainerProblems(chart.maintainers), file).toEqual([]);
    }
  });
});

describe('catalogue build and placeholder maintainers', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    work = await tempDir();
  });
  afterEach(async () => work.cleanup());

  it('refuses a chart that names the old placeholder, even with --no-validate, and writes nothing', async () => {
    const chart = path.join(work.dir, 'web-probe');
    await cp(fixture('web-probe'), chart, { recursive: true });
    const text = await readFile(path.join(chart, 'Chart.yaml'), 'utf8');
    await writeFile(
      path.join(chart, 'Chart.yaml'),
      text.replace(
        /maintainers:\n(  .*\n)+/,
        'maintainers:\n  - name: NMaaS maintainers\n    email: maintainers@nmaas.example.org\n',
      ),
    );
    const repo = path.join(work.dir, 'repo');
    const build = buildRepository({ repoDir: repo, inputs: [chart], validate: false });
    await expect(build).rejects.toThrow(BuildRefusedError);
    await expect(build).rejects.toThrow(/placeholder maintainers[^]*"maintainers@nmaas.example.org"/);
    expect(existsSync(path.join(repo, 'index.yaml'))).toBe(false);
  });

  it('the examples, the scheduler and the policy chart name the real project', async () => {
    const examples = path.join(REPO_ROOT, 'examples');
    const apps = readdirSync(examples).filter((d) => existsSync(path.join(examples, d, 'nmaas.yaml')));
    expect(apps.length).toBe(5);
    for (const app of apps) {
      const manifest = parse(await readFile(path.join(examples, app, 'nmaas.yaml'), 'utf8')) as {
        maintainers: { name?: string }[];
      };
      expect(manifest.maintainers, app).toEqual([PROJECT]);
    }
    for (const source of ['scheduler/src/chart/render.ts', 'policy/src/chart.ts']) {
      const text = await readFile(path.join(REPO_ROOT, source), 'utf8');
      const chartYaml = /maintainers:\n((?: {2}.*\n)+)/.exec(text);
      expect(chartYaml, source).not.toBeNull();
      const maintainers = parse(`m:\n${chartYaml![1]}`) as { m: { name: string }[] };
      expect(maintainers.m, source).toEqual([PROJECT]);
      expect(placeholderMaintainerProblems(maintainers.m)).toEqual([]);
    }
  });
});
