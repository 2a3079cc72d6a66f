/**
 * A private npm registry on 127.0.0.1 (Verdaccio), for trying the developer's path before the
 * packages are on npmjs.com: the workspace packages are published to it with `npm publish`, and
 * everything else is proxied from the registry npm is configured for. Everything it writes
 * (storage, npm cache, npm config) lives in one folder the caller owns and removes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The packages a developer installs, in dependency order: the SDK, the `nmaas` CLI with what it
 * assembles, and the initializer `npm create nmaas-app` runs.
 */
export const PUBLISHED_WORKSPACES = [
  'sdk',
  'image',
  'charts-gen',
  'validator',
  'catalogue',
  'scheduler',
  'policy',
  'cli',
  'create-nmaas-app',
] as const;
/** The names those workspaces publish: served only from the local registry, never proxied. */
const LOCAL_PACKAGES = ['@nmaas/*', 'nmaas', 'create-nmaas-app'];

export interface LocalRegistry {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** npm environment that uses this registry only: its own userconfig, global config and cache. */
  npmEnv: Record<string, string>;
  /** Stops the registry process (its files stay in the folder given to startLocalRegistry). */
  stop(): Promise<void>;
}

/**
 * The environment of a developer's shell: without what `npm test`, `npm run` and vitest set for
 * this repository (npm_config_*, npm_package_*, VITEST_*, NODE_ENV), which would leak into the
 * new project's own npm and vitest.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_|vitest|init_cwd$|node_env$|test$|helm_bin)/i.test(key)),
  );
  return { ...env, ...extra };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('could not find a free port on 127.0.0.1');
  return address.port;
}

function verdaccioConfig(dir: string, uplink: string): string {
  const local = LOCAL_PACKAGES.map(
    (name) => `  '${name}':\n    access: $all\n    publish: $authenticated\n    unpublish: $authenticated\n`,
  ).join('');
  return [
    `storage: ${JSON.stringify(path.join(dir, 'storage'))}`,
    'auth:',
    '  htpasswd:',
    `    file: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
    '    max_users: 10',
    // Signed tokens: a legacy token makes every request re-check the password with bcrypt, which
    // costs more CPU than the rest of an install.
    'security:',
    '  api:',
    '    legacy: false',
    '    jwt:',
    '      sign:',
    '        expiresIn: 1d',
    'uplinks:',
    '  upstream:',
    `    url: ${JSON.stringify(uplink)}`,
    '    timeout: 120s',
    '    max_fails: 5',
    // One install outlasts the default 2 minutes: without this, metadata is fetched again mid-way.
    '    maxage: 30m',
    // Tarballs are streamed through, not stored: npm keeps its own copy in its cache.
    '    cache: false',
    '    agent_options: { keepAlive: true, maxSockets: 64, maxFreeSockets: 16 }',
    'packages:',
    local.trimEnd(),
    "  '**':",
    '    access: $all',
    '    publish: $authenticated',
    '    proxy: upstream',
    'web:',
    '  enable: false',
    // Keep-alive sockets that the registry closes under npm cause EINTEGRITY on big installs.
    'server:',
    '  keepAliveTimeout: 0',
    'log: { type: stdout, format: json, level: warn }',
    '',
  ].join('\n');
}

/** The registry this machine's npm uses (what the local registry proxies), from the user's npm. */
export function upstreamRegistry(): string {
  const configured = process.env.npm_config_registry;
  return configured && !/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(configured)
    ? configured
    : 'https://registry.npmjs.org/';
}

/** Starts Verdaccio on 127.0.0.1 with its storage, npm cache and npm config under `dir`. */
export async function startLocalRegistry(dir: string, options: { uplink?: string } = {}): Promise<LocalRegistry> {
  await mkdir(dir, { recursive: true });
  const configFile = path.join(dir, 'verdaccio.yaml');
  await writeFile(configFile, verdaccioConfig(dir, options.uplink ?? upstreamRegistry()));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const bin = createRequire(path.join(REPO_ROOT, 'package.json')).resolve('verdaccio/bin/verdaccio');
  const child = spawn(process.execPath, [bin, '--config', configFile, '--listen', `127.0.0.1:${port}`], {
    cwd: dir,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-8000)));
  const stop = () => stopChild(child);
  try {
    await waitForPing(url, child, () => output);
    const token = await addUser(url);
    const userconfig = path.join(dir, 'npmrc');
    await writeFile(userconfig, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`, { mode: 0o600 });
    const npmEnv = {
      npm_config_userconfig: userconfig,
      npm_config_globalconfig: path.join(dir, 'global-npmrc'),
      npm_config_cache: path.join(dir, 'npm-cache'),
      npm_config_registry: url,
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    };
    return { url, npmEnv, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForPing(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited (${child.exitCode}) before answering:\n${output()}`);
    try {
      const res = await fetch(`${url}-/ping`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`verdaccio did not answer ${url}-/ping within 60 s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** What `npm adduser` does: creates the publishing user and returns its token. */
async function addUser(url: string): Promise<string> {
  const name = 'nmaas-publisher';
  const res = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: `local-${process.pid}-${Date.now()}`, type: 'user', roles: [] }),
  });
  const body = (await res.json()) as { token?: string; error?: string };
  if (!res.ok || !body.token) throw new Error(`could not create a user on ${url}: ${res.status} ${body.error ?? ''}`);
  return body.token;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
