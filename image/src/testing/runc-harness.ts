/**
 * Test support: unpacks an OCI layout with umoci and runs it with runc as the image's user, on a
 * read-only root filesystem, inside a network namespace of its own that only has loopback. The
 * host reaches the container's ports through `ip netns exec`. Used by the image tests and the bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../exec.js';

export interface RunningContainer {
  id: string;
  netns: string;
  output(): string;
  /** GET http://127.0.0.1:<port><urlPath> from inside the container's network namespace. */
  get(port: number, urlPath: string): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

interface RuncConfig {
  process: { terminal: boolean; user: { uid: number; gid: number }; args: string[]; env: string[] };
  root: { path: string; readonly: boolean };
  linux: { namespaces: Array<{ type: string; path?: string }> };
}

export async function unpackImage(layoutDir: string, tag: string, bundleDir: string): Promise<void> {
  await run('umoci', ['unpack', '--image', `${layoutDir}:${tag}`, bundleDir], { timeoutMs: 120_000 });
}

/** Starts the unpacked bundle. `env` adds to the image's environment. */
export async function startContainer(
  bundleDir: string,
  id: string,
  env: Record<string, string>,
): Promise<RunningContainer> {
  const configFile = path.join(bundleDir, 'config.json');
  const config = JSON.parse(await readFile(configFile, 'utf8')) as RuncConfig;
  const netns = `nmaas-img-${id}`;
  await run('ip', ['netns', 'add', netns]);
  await run('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
  config.process.terminal = false;
  config.process.env.push(...Object.entries(env).map(([k, v]) => `${k}=${v}`));
  config.root.readonly = true;
  config.linux.namespaces = config.linux.namespaces.map((ns) =>
    ns.type === 'network' ? { type: 'network', path: `/var/run/netns/${netns}` } : ns,
  );
  await writeFile(configFile, JSON.stringify(config));
  let log = '';
  const child: ChildProcess = spawn('runc', ['run', '--bundle', bundleDir, id], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-20_000)));
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    id,
    netns,
    output: () => log,
    async get(port, urlPath) {
      const { stdout } = await run('ip', [
        'netns',
        'exec',
        netns,
        'curl',
        '-s',
        '-m',
        '5',
        '-w',
        '\n%{http_code}',
        `http://127.0.0.1:${port}${urlPath}`,
      ]).catch(() => ({ stdout: '\n0' }));
      const cut = stdout.lastIndexOf('\n');
      return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
    },
    async stop() {
      await run('runc', ['kill', id, 'KILL']).catch(() => undefined);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      await run('runc', ['delete', '--force', id]).catch(() => undefined);
      await run('ip', ['netns', 'delete', netns]).catch(() => undefined);
    },
  };
}
