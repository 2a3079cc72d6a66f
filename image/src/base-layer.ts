/**
 * Assembles the base layer (Node.js runtime + the Debian libraries it links against + passwd/group
 * for the unprivileged user) and caches it: the inputs are downloaded once into the cache
 * directory, checked against the hashes their registries publish, and the built layer is
 * reused by every app built in the same process or later with the same inputs.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { APP_UID, DEBIAN_EXCLUDED_PREFIXES, DEBIAN_PACKAGES, NODE_PACKAGE, NODE_PATH } from './base-inputs.js';
import { run } from './exec.js';
import { buildLayer, type Layer } from './layer.js';
import type { TarEntry } from './tar.js';
import { treeEntries } from './tree-entries.js';
import { InputError, writeFileAtomic } from '@nmaas/sdk/kit';

/** One input of the base layer, as the SBOM records it. */
export interface BaseComponent {
  kind: 'npm' | 'deb';
  name: string;
  version: string;
  architecture: string;
  sha256: string;
  /** Where it came from (registry tarball name or Debian archive file name). */
  source: string;
  license?: string;
}

export interface BaseLayer {
  layer: Layer;
  components: BaseComponent[];
}

// An input error (exit 1): the app was read, but its image cannot be built from what is at hand.
export class BaseLayerUnavailable extends InputError {
  override name = 'BaseLayerUnavailable';
  constructor(
    message: string,
    readonly remedy: string,
  ) {
    super(`${message}. ${remedy}`);
  }
}

export function defaultCacheDir(): string {
  return (
    process.env.NMAAS_IMAGE_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'nmaas', 'image')
  );
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function fetchNode(cacheDir: string): Promise<{ file: string; component: BaseComponent }> {
  const fileName = `${NODE_PACKAGE.name}-${NODE_PACKAGE.version}.tgz`;
  const file = path.join(cacheDir, fileName);
  let integrity: string | undefined;
  if (!existsSync(file)) {
    const staging = await mkdtemp(path.join(cacheDir, 'npm-'));
    try {
      const { stdout } = await run(
        'npm',
        ['pack', `${NODE_PACKAGE.name}@${NODE_PACKAGE.version}`, '--json', '--pack-destination', staging],
        {
          cwd: staging,
        },
      );
      integrity = (JSON.parse(stdout) as Array<{ integrity?: string }>)[0]?.integrity;
      await rename(path.join(staging, fileName), file);
    } catch (error) {
      throw new BaseLayerUnavailable(
        `cannot download the Node.js runtime (${NODE_PACKAGE.name}@${NODE_PACKAGE.version}) from the npm registry: ${(error as Error).message}`,
        'Check that npm reaches its registry (npm ping), or set NMAAS_IMAGE_CACHE to a folder that already holds the file',
      );
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
  const data = await readFile(file);
  if (integrity) {
    const [algorithm, expected] = integrity.split('-', 2);
    const actual = createHash(algorithm ?? 'sha512')
      .update(data)
      .digest('base64');
    if (actual !== expected) {
      await rm(file, { force: true });
      throw new BaseLayerUnavailable(
        `${fileName} does not match the registry's integrity ${integrity}`,
        'Run the build again',
      );
    }
  }
  return {
    file,
    component: {
      kind: 'npm',
      name: NODE_PACKAGE.name,
      version: NODE_PACKAGE.version,
      architecture: 'amd64',
      sha256: sha256(data),
      source: fileName,
      license: 'MIT',
    },
  };
}

interface DebianCandidate {
  version: string;
  architecture: string;
  sha256: string;
  filename: string;
}

async function debianCandidate(name: string, pinned: string): Promise<DebianCandidate> {
  const { stdout } = await run('apt-cache', ['show', `${name}=${pinned}`]);
  const field = (key: string) => new RegExp(`^${key}: (.+)$`, 'm').exec(stdout)?.[1]?.trim();
  const version = field('Version');
  const architecture = field('Architecture');
  const hash = field('SHA256');
  const filename = field('Filename');
  if (!version || !architecture || !hash || !filename)
    throw new Error(`apt-cache show ${name} gave no version, architecture, SHA256 or Filename`);
  return { version, architecture, sha256: hash, filename: path.posix.basename(filename) };
}

export async function fetchDeb(
  cacheDir: string,
  name: string,
  version: string,
): Promise<{ file: string; component: BaseComponent }> {
  let candidate: DebianCandidate;
  try {
    candidate = await debianCandidate(name, version);
  } catch (error) {
    throw new BaseLayerUnavailable(
      `cannot look up the Debian package ${name}=${version}: ${(error as Error).message}`,
      'Build on Debian 12 with apt working (apt-get update); if the archive no longer has this version, bump the pin in image/src/base-inputs.ts',
    );
  }
  const file = path.join(cacheDir, candidate.filename);
  if (!existsSync(file)) {
    const staging = await mkdtemp(path.join(cacheDir, 'deb-'));
    try {
      await run('apt-get', ['download', `${name}=${candidate.version}`], { cwd: staging });
      const [downloaded] = (await readdir(staging)).filter((f) => f.endsWith('.deb'));
      if (!downloaded) throw new Error('apt-get download wrote no .deb');
      await rename(path.join(staging, downloaded), file);
    } catch (error) {
      throw new BaseLayerUnavailable(
        `cannot download the Debian package ${name}=${candidate.version}: ${(error as Error).message}`,
        'Check that apt reaches the Debian archive (apt-get update)',
      );
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
  const data = await readFile(file);
  if (sha256(data) !== candidate.sha256) {
    await rm(file, { force: true });
    throw new BaseLayerUnavailable(
      `${candidate.filename} does not match the archive's SHA256 ${candidate.sha256}`,
      'Run the build again',
    );
  }
  return {
    file,
    component: {
      kind: 'deb',
      name,
      version: candidate.version,
      architecture: candidate.architecture,
      sha256: candidate.sha256,
      source: candidate.filename,
    },
  };
}

/** The files of a .deb as root-owned layer entries, without documentation and other run-time dead weight. */
export async function debEntries(
  file: string,
  label: string,
  scratchDir: string,
  only?: readonly string[],
): Promise<TarEntry[]> {
  try {
    await run('dpkg-deb', ['-x', file, scratchDir]);
  } catch (error) {
    throw new BaseLayerUnavailable(
      `cannot unpack ${label}: ${(error as Error).message}`,
      'Install dpkg (apt-get install dpkg)',
    );
  }
  return treeEntries(scratchDir, '/', {
    uid: 0,
    gid: 0,
    exclude: (relative, isDir) => {
      const key = isDir ? `${relative}/` : relative;
      if (DEBIAN_EXCLUDED_PREFIXES.some((p) => key.startsWith(p))) return true;
      // With a file list, keep those files and the folders on the way to them.
      return only !== undefined && !only.some((wanted) => (isDir ? wanted.startsWith(key) : wanted === relative));
    },
  });
}

function accountFiles(): TarEntry[] {
  const own = { uid: 0, gid: 0, mode: 0o644 } as const;
  return [
    {
      type: 'file',
      path: 'etc/passwd',
      ...own,
      data: Buffer.from(
        `root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:${APP_UID}:${APP_UID}:nonroot:/home/nonroot:/sbin/nologin\n`,
      ),
    },
    { type: 'file', path: 'etc/group', ...own, data: Buffer.from(`root:x:0:\nnonroot:x:${APP_UID}:\n`) },
    { type: 'dir', path: 'home/nonroot', mode: 0o700, uid: APP_UID, gid: APP_UID },
    { type: 'dir', path: 'root', mode: 0o700, uid: 0, gid: 0 },
    { type: 'dir', path: 'tmp', mode: 0o1777, uid: 0, gid: 0 },
  ];
}

const memo = new Map<string, Promise<BaseLayer>>();

/** The base layer; built once per cache directory and process, then read from the cache. */
export function baseLayer(cacheDir = defaultCacheDir()): Promise<BaseLayer> {
  let pending = memo.get(cacheDir);
  if (!pending) {
    pending = assemble(cacheDir);
    pending.catch(() => memo.delete(cacheDir));
    memo.set(cacheDir, pending);
  }
  return pending;
}

async function assemble(cacheDir: string): Promise<BaseLayer> {
  await mkdir(cacheDir, { recursive: true });
  const node = await fetchNode(cacheDir);
  const debs = [];
  for (const { name, version } of DEBIAN_PACKAGES) debs.push(await fetchDeb(cacheDir, name, version));
  const components = [node.component, ...debs.map((d) => d.component)];
  const key = sha256(Buffer.from(JSON.stringify({ format: 1, components, NODE_PATH, APP_UID })));
  const cachedLayer = path.join(cacheDir, `base-${key}.tar.gz`);
  const cachedMeta = path.join(cacheDir, `base-${key}.json`);
  if (existsSync(cachedLayer) && existsSync(cachedMeta)) {
    const blob = await readFile(cachedLayer);
    const meta = JSON.parse(await readFile(cachedMeta, 'utf8')) as { digest: string; diffId: string };
    if (`sha256:${sha256(blob)}` === meta.digest) {
      return {
        layer: {
          blob,
          digest: meta.digest,
          diffId: meta.diffId,
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        },
        components,
      };
    }
  }
  const work = await mkdtemp(path.join(os.tmpdir(), 'nmaas-base-'));
  try {
    const entries: TarEntry[] = [];
    for (const deb of debs)
      entries.push(...(await debEntries(deb.file, deb.component.source, path.join(work, deb.component.name))));
    const nodeDir = path.join(work, 'node');
    await mkdir(nodeDir);
    await run('tar', ['-xzf', node.file, '-C', nodeDir, 'package/bin/node', 'package/LICENSE']);
    const nodeRoot = path.posix.dirname(path.posix.dirname(NODE_PATH)).slice(1);
    entries.push(
      {
        type: 'file',
        path: NODE_PATH.slice(1),
        mode: 0o755,
        uid: 0,
        gid: 0,
        data: await readFile(path.join(nodeDir, 'package/bin/node')),
      },
      {
        type: 'file',
        path: `${nodeRoot}/LICENSE`,
        mode: 0o644,
        uid: 0,
        gid: 0,
        data: await readFile(path.join(nodeDir, 'package/LICENSE')),
      },
      ...accountFiles(),
    );
    const layer = buildLayer(entries);
    // The layer first: metadata beside it is what says the cached layer is complete.
    await writeFileAtomic(cachedLayer, layer.blob);
    await writeFileAtomic(cachedMeta, JSON.stringify({ digest: layer.digest, diffId: layer.diffId }));
    return { layer, components };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
