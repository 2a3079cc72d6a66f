import { describe, expect, it } from 'vitest';
import { offlineLock, registryTarballUrl, type PackageLock, type PackedWorkspace } from './offline-lock.js';

const REGISTRY = 'https://registry.example.org/';

/** A repository lock: the workspace `lib` (@org/lib) needs b@2, nested under it; the root has b@1. */
const rootLock: PackageLock = {
  lockfileVersion: 3,
  packages: {
    '': { name: 'repo', workspaces: ['lib'] },
    lib: { name: '@org/lib', version: '1.0.0', dependencies: { a: '^1.0.0', b: '^2.0.0' } },
    'lib/node_modules/b': { version: '2.0.0', integrity: 'sha512-b2' },
    'node_modules/@org/lib': { resolved: 'lib', link: true },
    'node_modules/a': { version: '1.2.0', integrity: 'sha512-a', dev: true, dependencies: { '@s/c': '^3.0.0', b: '^1.0.0' }, peerDependencies: { gone: '*' }, peerDependenciesMeta: { gone: { optional: true } } },
    'node_modules/@s/c': { version: '3.1.0', integrity: 'sha512-c' },
    'node_modules/b': { version: '1.0.0', integrity: 'sha512-b1' },
    'node_modules/unrelated': { version: '9.9.9', integrity: 'sha512-u' },
  },
};

const packed: PackedWorkspace[] = [{ dir: 'lib', manifest: { name: '@org/lib', version: '1.0.0', dependencies: { a: '^1.0.0', b: '^2.0.0' } }, tarball: '/tmp/packs/org-lib-1.0.0.tgz', integrity: 'sha512-lib' }];

describe('offlineLock', () => {
  it('keeps the repository layout, moves the workspace under node_modules and pins it to its tarball', () => {
    const lock = offlineLock(rootLock, { name: 'app', version: '0.1.0', dependencies: { '@org/lib': '^1.0.0' } }, packed, '/tmp/work/app', REGISTRY);
    expect(Object.keys(lock.packages)).toEqual(['', 'node_modules/@org/lib', 'node_modules/@org/lib/node_modules/b', 'node_modules/@s/c', 'node_modules/a', 'node_modules/b']);
    expect(lock.packages['node_modules/@org/lib']).toMatchObject({ version: '1.0.0', resolved: 'file:../../packs/org-lib-1.0.0.tgz', integrity: 'sha512-lib' });
    expect(lock.packages['node_modules/@org/lib/node_modules/b']).toMatchObject({ version: '2.0.0', resolved: 'https://registry.example.org/b/-/b-2.0.0.tgz' });
    expect(lock.packages['node_modules/@s/c']?.resolved).toBe('https://registry.example.org/@s/c/-/c-3.1.0.tgz');
    // The repository's dependency flags do not describe the new project.
    expect(lock.packages['node_modules/a']?.dev).toBeUndefined();
    expect(lock.packages['']).toEqual({ name: 'app', version: '0.1.0', dependencies: { '@org/lib': '^1.0.0' }, devDependencies: undefined });
  });

  it('says which dependency the repository does not hold', () => {
    expect(() => offlineLock(rootLock, { name: 'app', version: '0.1.0', dependencies: { missing: '1' } }, packed, '/tmp/app', REGISTRY)).toThrow(/the project depends on missing/);
  });

  it('builds registry tarball URLs like npm', () => {
    expect(registryTarballUrl('https://r.example/', 'node_modules/x/node_modules/@a/b', { version: '1.0.0' })).toBe('https://r.example/@a/b/-/b-1.0.0.tgz');
    expect(registryTarballUrl('https://r.example', 'node_modules/alias', { name: 'real', version: '2.0.0' })).toBe('https://r.example/real/-/real-2.0.0.tgz');
  });
});
