/**
 * Test support: Debian's docker-registry (CNCF Distribution) on 127.0.0.1, with an optional
 * htpasswd file or token-auth settings, in a temporary folder removed by `stop()`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@nmaas/sdk/testing';

export interface TestRegistry {
  address: string;
  dir: string;
  /** The registry process (benches read its peak memory from /proc). */
  pid: number;
  log(): string;
  stop(): Promise<void>;
}

export interface RegistryAuth {
  htpasswd?: string;
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
}

export async function startRegistry(binary: string, auth: RegistryAuth = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nmaas-registry-'));
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log: { level: warn }',
    `storage: { filesystem: { rootdirectory: ${JSON.stringify(path.join(dir, 'data'))} }, delete: { enabled: true } }`,
    `http: { addr: "127.0.0.1:${port}" }`,
  ];
  if (auth.htpasswd) {
    await writeFile(path.join(dir, 'htpasswd'), auth.htpasswd);
    lines.push(`auth: { htpasswd: { realm: nmaas-test, path: ${JSON.stringify(path.join(dir, 'htpasswd'))} } }`);
  } else if (auth.token) {
    const t = auth.token;
    lines.push(
      `auth: { token: { realm: ${JSON.stringify(t.realm)}, service: ${JSON.stringify(t.service)}, issuer: ${JSON.stringify(t.issuer)}, rootcertbundle: ${JSON.stringify(t.rootCertBundle)} } }`,
    );
  }
  await writeFile(path.join(dir, 'config.yml'), lines.join('\n') + '\n');
  let output = '';
  const child = spawn(binary, ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  child.stderr.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = `127.0.0.1:${port}`;
  const stop = async () => {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    await rm(dir, { recursive: true, force: true });
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    const ok = await fetch(`http://${address}/v2/`).then(
      () => true,
      () => false,
    );
    if (ok) return { address, dir, pid: child.pid!, log: () => output, stop };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`docker-registry did not start on ${address}:\n${output}`);
}
