/**
 * The app layer: the built app (package.json, nmaas.yaml, dist/) under /app and its production
 * dependencies under /app/node_modules, resolved the way Node resolves them from the app's own
 * folder (so workspace packages and registry packages both work). A dependency that is itself a
 * workspace package contributes only what it would publish (its `files`); a registry package
 * contributes its installed folder. Source maps, tests and build info never go in.
 */
import { existsSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { APP_UID } from './base-inputs.js';
import type { TarEntry } from './tar.js';
import { treeEntries } from './tree-entries.js';

export const APP_DIR = '/app';

export interface AppPackage {
  name: string;
  version: string;
  license?: string;
  /** Where in the image the package lives. */
  imagePath: string;
}

interface PackageJson {
  name?: string;
  version?: string;
  license?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  bin?: string | Record<string, string>;
  files?: string[];
}

async function readPackageJson(dir: string): Promise<PackageJson> {
  return JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** Node's lookup: the nearest node_modules/<name> from `fromDir` upwards. */
function findPackage(fromDir: string, name: string): string | null {
  let dir = fromDir;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

const NEVER = (relative: string) =>
  /(^|\/)node_modules$/.test(relative) ||
  /\.map$/.test(relative) ||
  /\.test\./.test(relative) ||
  /\.tsbuildinfo$/.test(relative);

/**
 * The folders a package's `files` leaves out by plain name (`!dist/testing`): its test helpers,
 * which no app runs. Patterns with wildcards are left to NEVER, which covers the ones in use.
 */
function leftOutFolders(files: readonly string[] | undefined): (relative: string) => boolean {
  const folders = (files ?? [])
    .filter((f) => f.startsWith('!') && !/[*?[\]{}]/.test(f))
    .map((f) => f.slice(1).replace(/^\.\//, '').replace(/\/$/, ''));
  return (relative) => folders.some((f) => relative === f || relative.startsWith(`${f}/`));
}

/** True for what a workspace package publishes: package.json plus the top-level entries in `files`. */
function publishedFilter(files: readonly string[] | undefined): (relative: string, isDir: boolean) => boolean {
  const top = new Set(
    (files ?? []).filter((f) => !f.startsWith('!')).map((f) => f.replace(/^\.\//, '').split('/')[0]!),
  );
  const leftOut = leftOutFolders(files);
  return (relative) => {
    if (NEVER(relative) || leftOut(relative)) return true;
    const first = relative.split('/')[0]!;
    return !(first === 'package.json' || top.has(first));
  };
}

function isInsideNodeModules(dir: string): boolean {
  return dir.split(path.sep).includes('node_modules');
}

export interface AppLayerInput {
  entries: TarEntry[];
  packages: AppPackage[];
  manifest: PackageJson;
}

/** Collects the app and its production dependency closure as layer entries owned by the app user. */
export async function appLayerEntries(appDir: string): Promise<AppLayerInput> {
  // The real folder: node_modules are looked up from where the app actually lives.
  const root = await realpath(path.resolve(appDir));
  const manifest = await readPackageJson(root);
  const owner = { uid: APP_UID, gid: APP_UID };
  const appFiles = new Set(['package.json', 'nmaas.yaml', 'dist']);
  const leftOut = leftOutFolders(manifest.files);
  const entries: TarEntry[] = await treeEntries(root, APP_DIR, {
    ...owner,
    exclude: (relative) => NEVER(relative) || leftOut(relative) || !appFiles.has(relative.split('/')[0]!),
  });
  if (!existsSync(path.join(root, 'dist')))
    throw new Error(`${appDir} has no dist/ folder: build the app first (npx tsc -b ${appDir})`);

  // Placement: a package goes flat under /app/node_modules unless another version holds that name,
  // then it nests under the package that needs it, as npm would.
  const placedAt = new Map<string, string>(); // image path -> real source folder
  const packages: AppPackage[] = [];
  const bins: Array<{ name: string; target: string }> = [];

  // Breadth first, so the app's own dependencies claim the flat places before anything deeper.
  const queue: Array<{
    fromSource: string;
    fromImage: string;
    deps: Record<string, string>;
    optional: Set<string>;
    isTop: boolean;
  }> = [{ fromSource: root, fromImage: APP_DIR, deps: manifest.dependencies ?? {}, optional: new Set(), isTop: true }];
  while (queue.length > 0) {
    const { fromSource, fromImage, deps, optional, isTop } = queue.shift()!;
    for (const name of Object.keys(deps).sort()) {
      const found = findPackage(fromSource, name);
      if (!found && optional.has(name)) continue; // an optional dependency for another platform
      if (!found) throw new Error(`${name}, a dependency of ${fromSource}, is not installed: run npm ci`);
      const source = await realpath(found);
      const flat = `${APP_DIR}/node_modules/${name}`;
      const nested = `${fromImage}/node_modules/${name}`;
      if (placedAt.get(flat) === source || placedAt.get(nested) === source) continue;
      const imagePath = placedAt.has(flat) ? nested : flat;
      placedAt.set(imagePath, source);
      const pkg = await readPackageJson(source);
      packages.push({ name, version: pkg.version ?? '0.0.0', license: pkg.license, imagePath });
      const exclude = isInsideNodeModules(source) ? (relative: string) => NEVER(relative) : publishedFilter(pkg.files);
      entries.push(...(await treeEntries(source, imagePath, { ...owner, exclude })));
      if (isTop && pkg.bin) {
        const binMap = typeof pkg.bin === 'string' ? { [name.split('/').pop()!]: pkg.bin } : pkg.bin;
        for (const [bin, file] of Object.entries(binMap))
          bins.push({ name: bin, target: `../${name}/${file.replace(/^\.\//, '')}` });
      }
      const optionalNames = new Set(Object.keys(pkg.optionalDependencies ?? {}));
      queue.push({
        fromSource: source,
        fromImage: imagePath,
        deps: { ...pkg.dependencies, ...pkg.optionalDependencies },
        optional: optionalNames,
        isTop: false,
      });
    }
  }
  for (const bin of bins) {
    entries.push({ type: 'symlink', path: `${APP_DIR}/node_modules/.bin/${bin.name}`, target: bin.target, ...owner });
  }
  return { entries, packages: packages.sort((a, b) => (a.imagePath < b.imagePath ? -1 : 1)), manifest };
}
