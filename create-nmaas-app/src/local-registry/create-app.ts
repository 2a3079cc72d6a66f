/**
 * `npm run create-app -- <dir> [create-nmaas-app flags]` in a clone: the same path a developer
 * takes once NMaaS is on npmjs.com, before it is. The workspace packages are published to a
 * private registry on 127.0.0.1 that lives only while this runs; `npm create nmaas-app@latest`
 * scaffolds <dir> (prompts and all, on a terminal) and `npm install` installs it from there, into
 * the developer's own npm cache. The project's package-lock.json then names the public registry,
 * so it reads as it will after publication, and installs again from that cache meanwhile.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage, InputError, reportError, UsageError, writeFileAtomic } from '@nmaas/sdk/kit';
import { publishWorkspaces } from './npm.js';
import { cleanEnv, startLocalRegistry, upstreamRegistry, type LocalRegistry } from './registry.js';

const USAGE = 'usage: npm run create-app -- <dir> [--yes] [--template http-probe|blank] [other create-nmaas-app flags]';

function runNpm(args: string[], cwd: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd, env: cleanEnv(env), stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`npm ${args.join(' ')} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

/** Points the lock's tarball URLs from the temporary registry to the public one it proxied. */
export function publicLock(lockText: string, localUrl: string, publicUrl: string): string {
  const lock = JSON.parse(lockText) as { packages?: Record<string, { resolved?: string }> };
  const base = publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`;
  for (const entry of Object.values(lock.packages ?? {})) {
    if (entry.resolved?.startsWith(localUrl)) entry.resolved = base + entry.resolved.slice(localUrl.length);
  }
  return `${JSON.stringify(lock, null, 2)}\n`;
}

export async function createApp(argv: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const [dir, ...flags] = argv;
  if (dir === undefined || dir.startsWith('-')) throw new UsageError(`give the folder of the new app first\n${USAGE}`);
  const project = path.resolve(cwd, dir);
  if (existsSync(project)) throw new UsageError(`${project} already exists; give a new folder`);
  // The developer's own npm cache (npm run passes it down), so a later install finds the tarballs.
  const userCache = env.npm_config_cache;
  const work = await mkdtemp(path.join(tmpdir(), 'nmaas-create-app-'));
  let registry: LocalRegistry | undefined;
  try {
    process.stderr.write('create-app: publishing the workspace packages to a private registry on 127.0.0.1…\n');
    registry = await startLocalRegistry(work);
    await publishWorkspaces(registry);
    const { npm_config_cache: registryCache, ...registryEnv } = registry.npmEnv;
    const npmEnv: Record<string, string> = {
      ...registryEnv,
      npm_config_cache: userCache ?? defaultNpmCache(env) ?? registryCache!,
    };
    await runNpm(['create', 'nmaas-app@latest', project, '--', ...flags], cwd, npmEnv);
    await runNpm(['install'], project, npmEnv);
    const lockFile = path.join(project, 'package-lock.json');
    await writeFileAtomic(lockFile, publicLock(await readFile(lockFile, 'utf8'), registry.url, upstreamRegistry()));
    return project;
  } finally {
    await registry?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

export { UsageError };

/** npm's default cache folder (~/.npm), where a later `npm install` of the project looks. */
function defaultNpmCache(env: NodeJS.ProcessEnv): string | undefined {
  return env.HOME ? path.join(env.HOME, '.npm') : undefined;
}

/** Run as a script: `node create-nmaas-app/dist/local-registry/create-app.js <dir> …`. */
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // npm run starts scripts in the repository; the folder is meant relative to where npm was run.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  createApp(process.argv.slice(2), cwd).then(
    (project) => {
      const rel = path.relative(cwd, project) || '.';
      process.stdout.write(
        `\nReady: ${project}\n  cd ${rel}\n  npm test\n  npm run dev -- --once\n  npm run chart\n  npm run validate\n`,
      );
    },
    (error: unknown) => {
      // Bad arguments exit 2; anything else (npm, the local registry) failed on good input: 1.
      reportError('create-app', error instanceof UsageError ? error : new InputError(errorMessage(error)));
    },
  );
}
