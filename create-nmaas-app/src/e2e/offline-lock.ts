/**
 * A package-lock.json for a new project that pins every package to what this repository
 * already installed, and the NMaaS packages to tarballs packed from the workspace. With it,
 * `npm ci --offline` installs the project from the local npm cache alone: npm needs no registry
 * metadata, only the tarballs the root `npm ci`/`npm install` put in the cache (by integrity).
 *
 * The layout is the repository's own (node_modules/a/node_modules/b stays where it is), with each
 * workspace folder moved to node_modules/<its name>, so every package resolves its dependencies
 * to the same versions it is tested with here.
 */
import path from 'node:path';

export interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

export interface PackageLock {
  name?: string;
  version?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

export interface PackedWorkspace {
  /** The workspace folder, relative to the repository root (e.g. `sdk`). */
  dir: string;
  /** Its package.json. */
  manifest: { name: string; version: string; dependencies?: Record<string, string>; bin?: unknown; engines?: unknown; license?: string };
  /** Absolute path of the packed tarball. */
  tarball: string;
  integrity: string;
}

export interface ProjectManifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** Where a package at `from` finds `dep`: its own node_modules, then each parent's. */
function lookup(lock: PackageLock, from: string, dep: string): string | null {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${dep}` : `${base}/node_modules/${dep}`;
    if (lock.packages[candidate]) return candidate;
    if (base === '') return null;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/**
 * The registry URL of a package's tarball. The repository's lock omits it
 * (omit-lockfile-registry-resolved), and without it npm would fetch the package's metadata to find
 * it, which is not in the cache after a lockfile install. npm cached the tarball under this URL.
 */
export function registryTarballUrl(registry: string, location: string, entry: LockEntry): string {
  const name = typeof entry.name === 'string' ? entry.name : location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const base = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
  return `${registry.replace(/\/?$/, '/')}${name}/-/${base}-${entry.version}.tgz`;
}

export function offlineLock(rootLock: PackageLock, project: ProjectManifest, packed: PackedWorkspace[], projectDir: string, registry: string): PackageLock {
  const byDir = new Map(packed.map((p) => [p.dir, p]));
  const out: PackageLock = {
    name: project.name,
    version: project.version,
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: project.name, version: project.version, dependencies: project.dependencies, devDependencies: project.devDependencies },
    },
  };
  /** The new location of a repository location: workspace folders move under node_modules. */
  const relocate = (loc: string): string => {
    const ws = [...byDir.values()].find((p) => loc === p.dir || loc.startsWith(`${p.dir}/`));
    return ws ? `node_modules/${ws.manifest.name}${loc.slice(ws.dir.length)}` : loc;
  };
  const visit = (loc: string, newLoc: string): void => {
    if (out.packages[newLoc]) return;
    const ws = byDir.get(loc);
    let entry: LockEntry;
    if (ws) {
      entry = {
        version: ws.manifest.version,
        resolved: `file:${path.relative(projectDir, ws.tarball).split(path.sep).join('/')}`,
        integrity: ws.integrity,
        license: ws.manifest.license,
        dependencies: ws.manifest.dependencies,
        bin: ws.manifest.bin,
        engines: ws.manifest.engines,
      };
    } else {
      const found = rootLock.packages[loc];
      if (!found) throw new Error(`package-lock.json has no ${loc}`);
      // Dependency flags are the repository's; npm recomputes them for the new project.
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...rest } = found;
      entry = rest.resolved === undefined && rest.version !== undefined ? { ...rest, resolved: registryTarballUrl(registry, loc, rest) } : rest;
    }
    out.packages[newLoc] = entry;
    const optionalPeers = new Set(Object.entries(entry.peerDependenciesMeta ?? {}).filter(([, m]) => m.optional).map(([n]) => n));
    const deps: [string, boolean][] = [
      ...Object.keys(entry.dependencies ?? {}).map((d) => [d, false] as [string, boolean]),
      ...Object.keys(entry.optionalDependencies ?? {}).map((d) => [d, true] as [string, boolean]),
      ...Object.keys(entry.peerDependencies ?? {}).map((d) => [d, optionalPeers.has(d)] as [string, boolean]),
    ];
    for (const [dep, optional] of deps) resolveDep(loc, dep, optional);
  };
  const resolveDep = (from: string, dep: string, optional: boolean): void => {
    const found = lookup(rootLock, from, dep);
    if (found === null) {
      if (optional) return;
      throw new Error(`${from || 'the project'} depends on ${dep}, which the repository's package-lock.json does not hold; add it to the workspace that needs it`);
    }
    const target = rootLock.packages[found];
    if (target?.link) {
      const dir = String(target.resolved);
      if (!byDir.has(dir)) throw new Error(`${dep} is the workspace ${dir}, which was not packed`);
      visit(dir, found);
    } else {
      visit(found, relocate(found));
    }
  };
  for (const dep of [...Object.keys(project.dependencies ?? {}), ...Object.keys(project.devDependencies ?? {})]) resolveDep('', dep, false);
  // npm writes packages sorted by location; keep the file as npm would.
  out.packages = Object.fromEntries(Object.entries(out.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
  return out;
}
