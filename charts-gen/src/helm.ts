/**
 * Finds and runs the real helm binary. Order: HELM_BIN (or HELM_BIN_3_17 / HELM_BIN_4_1 for one
 * version), then the project-local copy that `tools/install-helm.mjs` extracts into .tools/helm/,
 * then `helm` on PATH. Both 3.17 and 4.1 can be used side by side.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** The helm binary to run for `version` (any version when omitted: 3.17 first). */
export function resolveHelm(version?: HelmVersion): string {
  const specific = version === undefined ? undefined : process.env[`HELM_BIN_${version.replace('.', '_')}`];
  if (specific) return specific;
  if (process.env.HELM_BIN) return process.env.HELM_BIN;
  const tools = findToolsDir(path.dirname(fileURLToPath(import.meta.url))) ?? findToolsDir(process.cwd());
  if (tools !== null) {
    for (const v of version === undefined ? HELM_VERSIONS : [version]) {
      const bin = path.join(tools, v, 'helm');
      if (existsSync(bin)) return bin;
    }
  }
  if (version !== undefined) {
    throw new Error(
      `helm ${version} not found: set HELM_BIN_${version.replace('.', '_')} or HELM_BIN, or run \`node tools/install-helm.mjs\` after npm install`,
    );
  }
  return 'helm';
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
  const bin = resolveHelm(options.version);
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
