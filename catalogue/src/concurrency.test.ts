/**
 * Real processes against one repository: many `nmaas catalogue build` at once must serialise on
 * the lock and lose nothing; a build killed with SIGKILL while writing must leave the previous
 * index (and every file it names) intact, and the next build must take over its stale lock.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRepository } from './build.js';
import { parseIndex, type IndexFile } from './index-file.js';
import { LOCK_FILE } from './repo-lock.js';
import { writeSampleCharts } from './sample-charts.js';
import { sha256Hex } from './tgz.js';
import { fixture, runCli, spawnCli, tempDir } from './testing/helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function checkRepo(repo: string): Promise<IndexFile> {
  const index = parseIndex(await readFile(path.join(repo, 'index.yaml'), 'utf8'), 'index.yaml');
  for (const list of Object.values(index.entries)) {
    for (const e of list) expect(sha256Hex(await readFile(path.join(repo, e.urls[0]!))), e.urls[0]).toBe(e.digest);
  }
  return index;
}

describe('concurrent and interrupted builds (child processes)', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    work = await tempDir();
  });
  afterAll(async () => work?.cleanup());

  it('serialises 12 builds into one repository without losing or corrupting an entry', async () => {
    const repo = path.join(work.dir, 'shared');
    const builds = 12;
    const perBuild = 4;
    const inputs: string[][] = [];
    for (let i = 0; i < builds; i++) {
      const charts = await writeSampleCharts(path.join(work.dir, `in-${i}`), perBuild, { prefix: `c${i}` });
      inputs.push([...charts, fixture('web-probe')]); // every build also publishes the same shared chart
    }
    const results = await Promise.all(
      inputs.map((list) => runCli(['catalogue', 'build', ...list, '-o', repo, '--no-validate', '--format', 'json'])),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const added = results.flatMap((r) =>
      (JSON.parse(r.stdout) as { charts: { name: string; status: string }[] }).charts
        .filter((c) => c.status === 'added')
        .map((c) => c.name),
    );
    expect(added.filter((n) => n === 'web-probe')).toHaveLength(1); // published once, a no-op for the other 11
    const index = await checkRepo(repo);
    expect(Object.keys(index.entries)).toHaveLength(builds * perBuild + 1);
    for (let i = 0; i < builds; i++)
      for (let k = 0; k < perBuild; k++) expect(index.entries[`c${i}-00${k}`]?.[0]?.version).toBe('1.0.0');
    const leftovers = (await readdir(repo)).filter((f) => f.startsWith('.'));
    expect(leftovers).toEqual([]);
  });

  it('leaves the previous index intact when a build is killed midway, and recovers on the next build', async () => {
    const repo = path.join(work.dir, 'killed');
    await buildRepository({
      repoDir: repo,
      inputs: [fixture('dns-timer-1.0.0'), fixture('web-probe')],
      validate: false,
    });
    const before = await readFile(path.join(repo, 'index.yaml'));
    const many = await writeSampleCharts(path.join(work.dir, 'many'), 300, { prefix: 'k' });
    const child = spawnCli(['catalogue', 'build', ...many, '-o', repo, '--no-validate']);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    // Kill as soon as the child holds the lock and has started writing packages: their temps (written
    // together, then renamed together just before the index) or the packages themselves.
    let killedMidway = false;
    for (let i = 0; i < 30_000 && child.exitCode === null; i++) {
      if (existsSync(path.join(repo, LOCK_FILE)) && (await readdir(repo)).some((f) => /^\.?k-/.test(f))) {
        child.kill('SIGKILL');
        killedMidway = true;
        break;
      }
      await sleep(2);
    }
    expect(await exited).toBe('SIGKILL');
    expect(killedMidway).toBe(true);
    expect((await readFile(path.join(repo, 'index.yaml'))).equals(before)).toBe(true);
    const index = await checkRepo(repo);
    expect(Object.keys(index.entries).sort()).toEqual(['dns-timer', 'web-probe']);
    expect(existsSync(path.join(repo, LOCK_FILE))).toBe(true); // the dead build's lock is still there

    const again = await runCli(['catalogue', 'build', ...many.slice(0, 20), '-o', repo, '--no-validate']);
    expect(again.code, again.stderr).toBe(0);
    const after = await checkRepo(repo);
    expect(Object.keys(after.entries)).toHaveLength(22);
    expect(existsSync(path.join(repo, LOCK_FILE))).toBe(false);
    expect((await readdir(repo)).filter((f) => f.includes('.nmaas-tmp-'))).toEqual([]);
    expect((await stat(path.join(repo, 'index.yaml'))).isFile()).toBe(true);
  });
});
