/* eslint-disable @typescript-eslint/no-explicit-any -- this test walks a parsed Chart.yaml as untyped JSON */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, symlink, writeFile, mkdir, cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadApp } from '@nmaas/sdk/model';
import { chartFiles, synthesizeChart } from './synthesize.js';
import { fixtureApps, REPO_ROOT } from './testing/chart.js';

const run = promisify(execFile);
let out: string;
beforeEach(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'nmaas-synth-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

async function tree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (rel: string) => {
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) await walk(child);
      else files.set(child, (await readFile(path.join(dir, child))).toString('base64'));
    }
  };
  await walk('');
  return files;
}

const full = fixtureApps().find((a) => a.id === 'sdk/full')!.dir;
const minimal = fixtureApps().find((a) => a.id === 'sdk/minimal')!.dir;
const everyField = fixtureApps().find((a) => a.id === 'charts-gen/every-field')!.dir;

describe('synthesizeChart', () => {
  it('writes <out>/<name>/ with every chart file and returns its name and version', async () => {
    const result = await synthesizeChart(full, out);
    expect(result).toEqual({ chartDir: path.join(out, 'web-qos-full'), name: 'web-qos-full', version: '1.2.0' });
    // A generator change is released as a new chart version; appVersion stays the app's.
    const bumped = await synthesizeChart(full, path.join(out, 'bumped'), { chartVersion: '1.2.1' });
    expect(bumped.version).toBe('1.2.1');
    expect(parse(await readFile(path.join(bumped.chartDir, 'Chart.yaml'), 'utf8'))).toMatchObject({
      version: '1.2.1',
      appVersion: '1.2.0',
    });
    await expect(synthesizeChart(full, path.join(out, 'bad'), { chartVersion: 'v2' })).rejects.toThrow(/not SemVer 2/);
    const files = [...(await tree(result.chartDir)).keys()].sort();
    expect(files).toEqual(
      [
        '.helmignore',
        'Chart.yaml',
        'README.md',
        'ci/default-values.yaml',
        'ci/rancher-values.yaml',
        'app-readme.md',
        'files/dashboard.json',
        'icon.svg',
        'nmaas.yaml',
        'questions.yaml',
        'values.schema.json',
        'values.yaml',
        'templates/NOTES.txt',
        'templates/_helpers.tpl',
        'templates/configmap.yaml',
        'templates/dashboard-configmap.yaml',
        'templates/deployment.yaml',
        'templates/networkpolicy.yaml',
        'templates/prometheusrule.yaml',
        'templates/service.yaml',
        'templates/serviceaccount.yaml',
        'templates/servicemonitor.yaml',
        // web-qos-full declares NET_RAW: the chart installs only into the capability namespace.
        'templates/capability-namespace.yaml',
      ].sort(),
    );
    // The catalogue and validator read the declaration from the chart root: it is the app's own file, byte for byte.
    expect(await readFile(path.join(result.chartDir, 'nmaas.yaml'))).toEqual(
      await readFile(path.join(full, 'nmaas.yaml')),
    );
  });

  it('is deterministic: the same app gives the same bytes, from a path or a loaded app', async () => {
    const a = await synthesizeChart(everyField, path.join(out, 'a'));
    const b = await synthesizeChart(await loadApp(everyField), path.join(out, 'b'));
    expect(await tree(b.chartDir)).toEqual(await tree(a.chartDir));
  });

  it('replaces an existing chart atomically and leaves no temporary folders', async () => {
    const first = await synthesizeChart(minimal, out);
    await writeFile(path.join(first.chartDir, 'stale.txt'), 'left over from an older version');
    await synthesizeChart(minimal, out);
    expect(await readdir(out)).toEqual(['minimal']);
    await expect(stat(path.join(first.chartDir, 'stale.txt'))).rejects.toThrow(/ENOENT/);
  });

  it('writes nothing for an invalid app and says what to fix', async () => {
    await expect(synthesizeChart(path.join(REPO_ROOT, 'sdk/fixtures/apps/broken'), out)).rejects.toThrow(
      /not a valid NMaaS app declaration/,
    );
    expect(await readdir(out)).toEqual([]);
  });

  it('never copies a file from outside the app folder into the chart, even when swapped in after loading', async () => {
    const app = path.join(out, 'app');
    await cp(full, app, { recursive: true });
    await rm(path.join(app, 'icon.svg'));
    await symlink('/etc/passwd', path.join(app, 'icon.svg'));
    await expect(synthesizeChart(app, path.join(out, 'charts'))).rejects.toThrow(/icon\.svg is a symbolic link/);
    // A link put in place between loadApp and the chart's read is refused by the read itself.
    await rm(path.join(app, 'icon.svg'));
    await cp(path.join(full, 'icon.svg'), path.join(app, 'icon.svg'));
    const loaded = await loadApp(app);
    await rm(path.join(app, 'icon.svg'));
    await symlink('/etc/passwd', path.join(app, 'icon.svg'));
    await expect(chartFiles(loaded)).rejects.toThrow(/icon\.svg is a symbolic link/);
    await rm(path.join(app, 'nmaas.yaml'));
    await symlink(path.join(full, 'nmaas.yaml'), path.join(app, 'nmaas.yaml'));
    await expect(chartFiles({ ...loaded, iconFile: undefined })).rejects.toThrow(/nmaas\.yaml is a symbolic link/);
    await expect(readdir(path.join(out, 'charts'))).rejects.toThrow(/ENOENT/);
  });

  it('points Chart.yaml at a served icon when given its URL', async () => {
    const { chartDir } = await synthesizeChart(full, out, {
      iconUrl: 'https://catalogue.example.org/icons/web-qos-full.svg',
    });
    const chart = parse(await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
    expect(chart.icon).toBe('https://catalogue.example.org/icons/web-qos-full.svg');
    expect(await readFile(path.join(chartDir, 'icon.svg'))).toEqual(await readFile(path.join(full, 'icon.svg')));
  });

  it('writes Chart.yaml with the Rancher annotations', async () => {
    const { chartDir } = await synthesizeChart(full, out);
    const text = await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8');
    const chart = parse(text, { version: '1.1' }) as Record<string, any>;
    expect(chart).toMatchObject({
      apiVersion: 'v2',
      name: 'web-qos-full',
      version: '1.2.0',
      appVersion: '1.2.0',
      kubeVersion: '>= 1.25.0-0',
      type: 'application',
    });
    // Rancher shows no data: URL; without a served URL the chart has no icon field (icon.svg ships in it).
    expect(chart.icon).toBeUndefined();
    expect(text).not.toContain('data:');
    expect(chart.maintainers).toEqual([
      { name: 'NMaaS maintainers', email: 'maintainers@nmaas.example.org', url: 'https://nmaas.example.org' },
    ]);
    expect(chart.annotations).toMatchObject({
      'catalog.cattle.io/display-name': 'Web QoS (every field)',
      'catalog.cattle.io/kube-version': '>= 1.25.0-0',
      'catalog.cattle.io/os': 'linux',
      'catalog.cattle.io/permits-os': 'linux',
      'artifacthub.io/license': 'Apache-2.0',
      'catalog.cattle.io/requests-cpu': '10m',
      'catalog.cattle.io/requests-memory': '48Mi',
    });
    for (const value of Object.values(chart.annotations)) expect(typeof value).toBe('string');
    const readme = await readFile(path.join(chartDir, 'README.md'), 'utf8');
    expect(readme).toContain('| `parameters.retries` | integer | `1` |');
    expect(readme).toContain('| `schedule.every` | string | `5m` |');
  });
});

describe('nmaas chart (CLI)', () => {
  const cli = path.join(REPO_ROOT, 'cli/dist/main.js');
  const nmaas = (args: string[]) =>
    run(process.execPath, [cli, ...args]).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('writes the chart and prints where (json with --format json)', async () => {
    const r = await nmaas(['chart', minimal, '-o', out, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ chartDir: path.join(out, 'minimal'), name: 'minimal', version: '0.1.0' });
  });

  it('exits 2 at once, naming the file, for an nmaas.yaml that is a FIFO; 1 for a linked icon', async () => {
    const fifo = path.join(out, 'fifo');
    await mkdir(fifo);
    await run('mkfifo', [path.join(fifo, 'nmaas.yaml')]);
    const r = await nmaas(['chart', fifo, '-o', path.join(out, 'charts')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `nmaas chart: ${path.join(fifo, 'nmaas.yaml')} is a FIFO (named pipe), not a regular file; replace it by a regular file inside the app folder (a copy, not a link)\n`,
    );
    const linked = path.join(out, 'linked');
    await cp(full, linked, { recursive: true });
    await rm(path.join(linked, 'icon.svg'));
    await symlink('/etc/passwd', path.join(linked, 'icon.svg'));
    const l = await nmaas(['chart', linked, '-o', path.join(out, 'charts')]);
    expect(l.code).toBe(1);
    expect(l.stderr).toContain(`icon: ${path.join(linked, 'icon.svg')} is a symbolic link`);
    await expect(readdir(path.join(out, 'charts'))).rejects.toThrow(/ENOENT/);
  }, 20_000);

  it('exits 1 for a declaration that does not pass and 2 for a missing folder or missing -o', async () => {
    const copy = path.join(out, 'app');
    await mkdir(copy);
    await cp(path.join(REPO_ROOT, 'sdk/fixtures/apps/broken/nmaas.yaml'), path.join(copy, 'nmaas.yaml'));
    const bad = await nmaas(['chart', copy, '-o', path.join(out, 'charts')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/nmaas\.yaml/);
    expect((await nmaas(['chart', path.join(out, 'nope'), '-o', out])).code).toBe(2);
    expect((await nmaas(['chart', minimal])).code).toBe(2);
  });
});
