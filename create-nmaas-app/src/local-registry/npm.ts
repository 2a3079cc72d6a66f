/**
 * Runs npm the way a developer's shell would (see cleanEnv), and publishes the workspace packages
 * with a real `npm publish`.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { cleanEnv, PUBLISHED_WORKSPACES, REPO_ROOT, type LocalRegistry } from './registry.js';

export interface NpmResult {
  stdout: string;
  stderr: string;
}

/** `npm <args>` in `cwd`; rejects with npm's output when it fails or outlives `timeoutMs`. */
export function npm(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  timeoutMs = 300_000,
): Promise<NpmResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'npm',
      args,
      { cwd, env: cleanEnv(env), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const log = stderr.trim() === '' ? lastNpmLog(env.npm_config_cache) : '';
          reject(
            new Error(
              `npm ${args.join(' ')} failed in ${cwd} (${error.code ?? error.signal}):\n${stdout}\n${stderr}${log}`,
            ),
          );
        } else resolve({ stdout, stderr });
      },
    );
  });
}

/** The end of npm's newest debug log in `cache`, for a failure that printed nothing. */
function lastNpmLog(cache: string | undefined): string {
  if (cache === undefined) return '';
  try {
    const dir = path.join(cache, '_logs');
    const newest = readdirSync(dir).sort().at(-1);
    if (newest === undefined) return '';
    return `\n${newest}:\n${readFileSync(path.join(dir, newest), 'utf8').trim().split('\n').slice(-25).join('\n')}`;
  } catch {
    return '';
  }
}

/** Publishes every package a developer installs to `registry`; they must be built (`npm run build`). */
export async function publishWorkspaces(registry: LocalRegistry): Promise<void> {
  for (const ws of PUBLISHED_WORKSPACES) {
    const manifest = JSON.parse(await readFile(path.join(REPO_ROOT, ws, 'package.json'), 'utf8')) as { main?: string };
    if (manifest.main && !existsSync(path.join(REPO_ROOT, ws, manifest.main))) {
      throw new Error(`${ws} is not built (${manifest.main} is missing); run \`npm run build\` first`);
    }
  }
  await npm(['publish', ...PUBLISHED_WORKSPACES.flatMap((ws) => ['-w', ws])], REPO_ROOT, registry.npmEnv);
}
