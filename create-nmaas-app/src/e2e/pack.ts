/**
 * Packs the workspace packages a new project installs (`npm pack`, what `npm publish` would
 * upload) and installs a project from those tarballs without network.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { offlineLock, type PackageLock, type PackedWorkspace, type ProjectManifest } from './offline-lock.js';

const execFileAsync = promisify(execFile);

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The workspaces a generated project reaches (the SDK, and the CLI with everything it
 * assembles), and the initializer itself, which `npm create nmaas-app` runs.
 */
export const PACKED_WORKSPACES = ['sdk', 'image', 'charts-gen', 'validator', 'catalogue', 'scheduler', 'cli', 'create-nmaas-app'] as const;

/**
 * The environment of a developer's shell: without what `npm test` and vitest set for this
 * repository (npm_config_*, npm_package_*, VITEST_*, NODE_ENV), which would leak into the new
 * project's own npm and vitest.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|vitest|init_cwd$|node_env$|test$)/i.test(key)));
  return { ...env, ...extra };
}

export async function npm(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync('npm', args, { cwd, env: cleanEnv(env), maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`);
  }
}

/** `npm pack` of every workspace above into `outDir`; they must be built (`npm run build`). */
export async function packWorkspaces(outDir: string): Promise<PackedWorkspace[]> {
  for (const ws of PACKED_WORKSPACES) {
    const manifest = JSON.parse(await readFile(path.join(REPO_ROOT, ws, 'package.json'), 'utf8')) as { main?: string };
    if (manifest.main && !existsSync(path.join(REPO_ROOT, ws, manifest.main))) {
      throw new Error(`${ws} is not built (${manifest.main} is missing); run \`npm run build\` first`);
    }
  }
  const { stdout } = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', outDir, ...PACKED_WORKSPACES.flatMap((ws) => ['-w', ws])], REPO_ROOT);
  const packs = JSON.parse(stdout) as { name: string; filename: string; integrity: string }[];
  return Promise.all(
    PACKED_WORKSPACES.map(async (dir) => {
      const manifest = JSON.parse(await readFile(path.join(REPO_ROOT, dir, 'package.json'), 'utf8')) as PackedWorkspace['manifest'];
      const pack = packs.find((p) => p.name === manifest.name);
      if (!pack) throw new Error(`npm pack did not pack ${manifest.name}`);
      return { dir, manifest, tarball: path.join(outDir, pack.filename), integrity: pack.integrity };
    }),
  );
}

/**
 * Installs `projectDir` with `npm ci --offline`: the NMaaS packages from the tarballs, everything
 * else from the local npm cache at the versions this repository's lock holds.
 */
export async function installOffline(projectDir: string, packed: PackedWorkspace[]): Promise<void> {
  const rootLock = JSON.parse(await readFile(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as PackageLock;
  const project = JSON.parse(await readFile(path.join(projectDir, 'package.json'), 'utf8')) as ProjectManifest;
  const registry = (await npm(['config', 'get', 'registry'], projectDir)).stdout.trim();
  const lock = offlineLock(rootLock, project, packed, projectDir, registry);
  await writeFile(path.join(projectDir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  await npm(['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], projectDir);
}
