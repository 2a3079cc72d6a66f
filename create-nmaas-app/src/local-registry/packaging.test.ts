/**
 * What `npm publish` would upload for each package a developer installs: built entry points and
 * bins present, no tests, fakes or fixtures, no dependency only this repository can resolve, and
 * the fields npm and provenance need.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, PUBLISHED_WORKSPACES, REPO_ROOT } from './registry.js';

interface Manifest {
  name: string;
  private?: boolean;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
  engines?: { node?: string };
  repository?: { type: string; url: string; directory: string };
  license?: string;
  publishConfig?: { access?: string };
  dependencies?: Record<string, string>;
}

/**
 * Every package keeps its test helpers in src/testing/, and dist/testing stays out of the tarball.
 * The `/testing` subpaths below serve the repository's own tests only (temp folders and tool
 * checks, a real registry and a runc runner, the validator's corpus, the scheduler's fake API
 * server), so they are not shipped either.
 */
const REPOSITORY_ONLY_EXPORTS: Record<string, string[]> = {
  '@nmaas/sdk': ['./testing'],
  '@nmaas/image': ['./testing'],
  '@nmaas/validator': ['./testing'],
  '@nmaas/scheduler': ['./testing'],
};

let packs: Map<string, string[]>;

beforeAll(async () => {
  const { stdout } = await promisify(execFile)(
    'npm',
    ['pack', '--dry-run', '--json', '--ignore-scripts', ...PUBLISHED_WORKSPACES.flatMap((ws) => ['-w', ws])],
    { cwd: REPO_ROOT, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024 },
  );
  const listed = JSON.parse(stdout) as { name: string; files: { path: string }[] }[];
  packs = new Map(listed.map((p) => [p.name, p.files.map((f) => f.path)]));
}, 60_000);

describe.each(PUBLISHED_WORKSPACES)('the published package in %s/', (ws) => {
  let manifest: Manifest;
  let files: string[];
  beforeAll(async () => {
    manifest = JSON.parse(await readFile(path.join(REPO_ROOT, ws, 'package.json'), 'utf8')) as Manifest;
    files = packs.get(manifest.name) ?? [];
  });

  it('is public, with engines, license and a repository entry that names its folder', () => {
    expect(manifest.private).toBeUndefined();
    expect(manifest.engines?.node).toBe('>=20.19');
    expect(manifest.license).toBe('Apache-2.0');
    expect(manifest.repository).toEqual({ type: 'git', url: 'git+https://github.com/nmaas/nmaas.git', directory: ws });
    expect(manifest.publishConfig?.access).toBe('public');
    expect(files).toContain('README.md');
  });

  it('ships every file its main, types, exports and bins point at', () => {
    const targets = [
      manifest.main,
      manifest.types,
      ...Object.values(manifest.bin ?? {}),
      ...Object.entries(manifest.exports ?? {})
        .filter(([subpath]) => !(REPOSITORY_ONLY_EXPORTS[manifest.name] ?? []).includes(subpath))
        .flatMap(([, e]) => (typeof e === 'string' ? [e] : Object.values(e))),
    ].filter((t): t is string => t !== undefined);
    for (const target of targets) expect(files, target).toContain(path.posix.normalize(target));
  });

  it('ships no tests, fakes, fixtures or build state', () => {
    const unwanted = files.filter(
      (f) => !f.startsWith('templates/') && /(\.test\.|test-|testing|fake|fixture|e2e|tsbuildinfo|(^|\/)src\/)/.test(f),
    );
    expect(unwanted).toEqual([]);
  });

  it('depends only on what a registry can serve', () => {
    for (const [name, spec] of Object.entries(manifest.dependencies ?? {})) {
      expect(spec, name).toMatch(/^[\^~]?\d+\.\d+\.\d+(-[\w.]+)?$/);
    }
  });
});
