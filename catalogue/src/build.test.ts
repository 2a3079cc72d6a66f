import { cp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildRepository, BuildRefusedError } from './build.js';
import { IndexError, parseIndex } from './index-file.js';
import { sha256Hex } from './tgz.js';
import { ALL_FIXTURES, fixture, tempDir } from './testing/helpers.js';

const now = new Date('2026-01-02T03:04:05.000Z');
let work: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  work = await tempDir();
});
afterEach(async () => work.cleanup());

describe('catalogue build', () => {
  it('writes packages and an index with only Helm fields, newest first, digests of the exact bytes', async () => {
    const repo = path.join(work.dir, 'repo');
    const result = await buildRepository({ repoDir: repo, inputs: ALL_FIXTURES, validate: false, now });
    expect(result.charts.map((c) => `${c.name}@${c.version}:${c.status}`).sort()).toEqual([
      'dns-timer@1.0.0:added',
      'dns-timer@1.1.0:added',
      'web-probe@1.2.0:added',
      'with-sub@0.3.0:added',
    ]);
    const text = await readFile(path.join(repo, 'index.yaml'), 'utf8');
    const raw = parse(text) as {
      apiVersion: string;
      generated: string;
      entries: Record<string, Record<string, unknown>[]>;
    };
    expect(Object.keys(raw)).toEqual(['apiVersion', 'entries', 'generated']);
    expect(raw.apiVersion).toBe('v1');
    expect(raw.generated).toBe(now.toISOString());
    expect(raw.entries['dns-timer']!.map((e) => e.version)).toEqual(['1.1.0', '1.0.0']);
    const allowed = new Set([
      'name',
      'home',
      'sources',
      'version',
      'description',
      'keywords',
      'maintainers',
      'icon',
      'apiVersion',
      'condition',
      'tags',
      'appVersion',
      'deprecated',
      'annotations',
      'kubeVersion',
      'dependencies',
      'type',
      'urls',
      'created',
      'digest',
    ]);
    for (const [name, list] of Object.entries(raw.entries)) {
      for (const e of list) {
        for (const k of Object.keys(e)) expect(allowed.has(k), `${name}: ${k}`).toBe(true);
        const urls = e.urls as string[];
        expect(urls).toEqual([`${name}-${e.version as string}.tgz`]);
        expect(sha256Hex(await readFile(path.join(repo, urls[0]!)))).toBe(e.digest);
      }
    }
    expect(
      parseIndex(text, 'index.yaml').entries['web-probe']![0]!.annotations?.['catalog.cattle.io/display-name'],
    ).toBe('Web probe');
  });

  it('rebuilds byte-identically (packages and index) in another folder', async () => {
    const a = path.join(work.dir, 'a');
    const b = path.join(work.dir, 'b');
    await buildRepository({ repoDir: a, inputs: ALL_FIXTURES, validate: false, now });
    await buildRepository({ repoDir: b, inputs: [...ALL_FIXTURES].reverse(), validate: false, now });
    const files = (await readdir(a)).sort();
    expect(files).toEqual((await readdir(b)).sort());
    for (const f of files)
      expect((await readFile(path.join(a, f))).equals(await readFile(path.join(b, f))), f).toBe(true);
  });

  it('keeps published versions, adds new ones, and treats the same bytes as a no-op', async () => {
    const repo = path.join(work.dir, 'repo');
    await buildRepository({ repoDir: repo, inputs: [fixture('dns-timer-1.0.0')], validate: false, now });
    const first = await readFile(path.join(repo, 'index.yaml'), 'utf8');
    const again = await buildRepository({
      repoDir: repo,
      inputs: [fixture('dns-timer-1.0.0')],
      validate: false,
      now: new Date(),
    });
    expect(again.indexChanged).toBe(false);
    expect(again.charts[0]!.status).toBe('unchanged');
    expect(await readFile(path.join(repo, 'index.yaml'), 'utf8')).toBe(first);
    await buildRepository({
      repoDir: repo,
      inputs: [fixture('dns-timer-1.1.0')],
      validate: false,
      now: new Date('2026-02-01T00:00:00Z'),
    });
    const index = parseIndex(await readFile(path.join(repo, 'index.yaml'), 'utf8'), 'index.yaml');
    expect(index.entries['dns-timer']!.map((e) => [e.version, e.created])).toEqual([
      ['1.1.0', '2026-02-01T00:00:00.000Z'],
      ['1.0.0', now.toISOString()],
    ]);
  });

  it('refuses to re-publish a version with different bytes and writes nothing', async () => {
    const repo = path.join(work.dir, 'repo');
    await buildRepository({ repoDir: repo, inputs: [fixture('dns-timer-1.0.0')], validate: false, now });
    const before = await readFile(path.join(repo, 'index.yaml'));
    const tgzBefore = await readFile(path.join(repo, 'dns-timer-1.0.0.tgz'));
    const changed = path.join(work.dir, 'changed');
    await cp(fixture('dns-timer-1.0.0'), changed, { recursive: true });
    await writeFile(path.join(changed, 'values.yaml'), 'names: [example.net]\n');
    const build = buildRepository({
      repoDir: repo,
      inputs: [changed, fixture('dns-timer-1.1.0')],
      validate: false,
      now,
    });
    await expect(build).rejects.toThrow(BuildRefusedError);
    await expect(build).rejects.toThrow(/dns-timer 1\.0\.0 is already published .* bump the version in Chart\.yaml/);
    expect((await readFile(path.join(repo, 'index.yaml'))).equals(before)).toBe(true);
    expect((await readFile(path.join(repo, 'dns-timer-1.0.0.tgz'))).equals(tgzBefore)).toBe(true);
    await expect(stat(path.join(repo, 'dns-timer-1.1.0.tgz'))).rejects.toThrow(); // nothing of the refused build
    await expect(stat(path.join(repo, '.nmaas-catalogue.lock'))).rejects.toThrow(); // lock released
  });

  it('refuses two different inputs with one name and version', async () => {
    const changed = path.join(work.dir, 'changed');
    await cp(fixture('dns-timer-1.0.0'), changed, { recursive: true });
    await writeFile(path.join(changed, 'values.yaml'), 'names: [example.net]\n');
    await expect(
      buildRepository({
        repoDir: path.join(work.dir, 'r'),
        inputs: [fixture('dns-timer-1.0.0'), changed],
        validate: false,
      }),
    ).rejects.toThrow(/both dns-timer 1\.0\.0 with different contents/);
  });

  it('restores a published package that went missing from identical bytes', async () => {
    const repo = path.join(work.dir, 'repo');
    await buildRepository({ repoDir: repo, inputs: [fixture('web-probe')], validate: false, now });
    const original = await readFile(path.join(repo, 'web-probe-1.2.0.tgz'));
    await rm(path.join(repo, 'web-probe-1.2.0.tgz'));
    await buildRepository({ repoDir: repo, inputs: [fixture('web-probe')], validate: false });
    expect((await readFile(path.join(repo, 'web-probe-1.2.0.tgz'))).equals(original)).toBe(true);
  });

  it('refuses a damaged index.yaml or one with fields Helm does not know', async () => {
    const repo = path.join(work.dir, 'repo');
    await buildRepository({ repoDir: repo, inputs: [fixture('dns-timer-1.0.0')], validate: false, now });
    const text = await readFile(path.join(repo, 'index.yaml'), 'utf8');
    await writeFile(path.join(repo, 'index.yaml'), text.replace('      digest:', '      color: red\n      digest:'));
    await expect(
      buildRepository({ repoDir: repo, inputs: [fixture('dns-timer-1.1.0')], validate: false }),
    ).rejects.toThrow(IndexError);
    await writeFile(path.join(repo, 'index.yaml'), 'entries: [\n');
    await expect(
      buildRepository({ repoDir: repo, inputs: [fixture('dns-timer-1.1.0')], validate: false }),
    ).rejects.toThrow(/is not valid YAML/);
  });

  it('lays out a rancher-git repository: assets/, unpacked charts/<name>/<version>/, relative urls', async () => {
    const repo = path.join(work.dir, 'git');
    await buildRepository({ repoDir: repo, inputs: ALL_FIXTURES, layout: 'rancher-git', validate: false, now });
    const index = parseIndex(await readFile(path.join(repo, 'index.yaml'), 'utf8'), 'index.yaml');
    expect(index.entries['web-probe']![0]!.urls).toEqual(['assets/web-probe/web-probe-1.2.0.tgz']);
    expect(sha256Hex(await readFile(path.join(repo, 'assets/web-probe/web-probe-1.2.0.tgz')))).toBe(
      index.entries['web-probe']![0]!.digest,
    );
    expect((await readdir(path.join(repo, 'charts/dns-timer'))).sort()).toEqual(['1.0.0', '1.1.0']);
    expect(await readFile(path.join(repo, 'charts/web-probe/1.2.0/Chart.yaml'), 'utf8')).toBe(
      await readFile(fixture('web-probe/Chart.yaml'), 'utf8'),
    );
    expect((await stat(path.join(repo, 'charts/with-sub/0.3.0/charts/helper/templates/cm.yaml'))).isFile()).toBe(true);
    await expect(stat(path.join(repo, 'charts/web-probe/1.2.0/values.yaml.bak'))).rejects.toThrow();
  });

  it('accepts packaged charts (.tgz) and repackages them to the same reproducible bytes', async () => {
    const first = await buildRepository({
      repoDir: path.join(work.dir, 'a'),
      inputs: [fixture('with-sub')],
      validate: false,
      now,
    });
    const fromArchive = await buildRepository({
      repoDir: path.join(work.dir, 'b'),
      inputs: [first.charts[0]!.file],
      validate: false,
      now,
    });
    expect(fromArchive.charts[0]).toMatchObject({
      kind: 'archive',
      name: 'with-sub',
      version: '0.3.0',
      digest: first.charts[0]!.digest,
    });
  });

  it('says where a broken chart is and how to fix it', async () => {
    const bad = path.join(work.dir, 'bad');
    await cp(fixture('dns-timer-1.0.0'), bad, { recursive: true });
    await writeFile(path.join(bad, 'Chart.yaml'), 'apiVersion: v2\nname: bad\nversion: one\n');
    await expect(
      buildRepository({ repoDir: path.join(work.dir, 'r'), inputs: [bad], validate: false }),
    ).rejects.toThrow(/Chart\.yaml: version one is not a semantic version/);
    await expect(
      buildRepository({ repoDir: path.join(work.dir, 'r'), inputs: [path.join(work.dir, 'missing')], validate: false }),
    ).rejects.toThrow(/does not exist/);
  });
});
