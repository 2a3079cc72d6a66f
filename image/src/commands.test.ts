/**
 * The two commands as a user runs them (the built CLI): build with JSON output, push with a
 * password on standard input to an htpasswd registry, and the exit codes of the failures.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool } from '@nmaas/sdk/testing';
import { startRegistry, type TestRegistry } from './testing/registry-process.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const cli = path.join(repoRoot, 'cli', 'dist', 'main.js');
const registryBin = tool('docker-registry', 'apt-get install docker-registry');
const apt = tool('apt-get', 'a Debian system with apt');
// bcrypt (cost 4) of "cli-password".
const HTPASSWD = 'ci:$2b$04$SADXDq6eFHGWp2KKGZdD3.2yl94wHGra6QHWCBOxg2WYb/UdytqfC\n';

function nmaas(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(stdin);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe.skipIf(registryBin.skip || apt.skip)('nmaas image build / push', () => {
  let work: string;
  let registry: TestRegistry;
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'nmaas-image-cli-'));
    registry = await startRegistry(registryBin.path());
  });
  afterAll(async () => {
    await registry?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('builds an example and pushes it, reporting the same digest', async () => {
    const layout = path.join(work, 'web-qos');
    const build = await nmaas([
      'image',
      'build',
      path.join(repoRoot, 'examples', 'web-qos'),
      '-o',
      layout,
      '--no-lock',
      '--format',
      'json',
    ]);
    expect(build.code, build.stderr).toBe(0);
    const built = JSON.parse(build.stdout) as { manifestDigest: string; lockFile?: string };
    expect(built.lockFile).toBeUndefined();
    const push = await nmaas(['image', 'push', layout, `${registry.address}/nmaas/web-qos:0.1.0`, '--format', 'json']);
    expect(push.code, push.stderr).toBe(0);
    expect((JSON.parse(push.stdout) as { digest: string }).digest).toBe(built.manifestDigest);
  });

  it('refuses to replace a file or a folder of other files, and a --sbom with no folder, before building', async () => {
    const app = path.join(repoRoot, 'examples', 'web-qos');
    const file = path.join(work, 'notes.txt');
    const folder = path.join(work, 'photos');
    await writeFile(file, 'keep me');
    await mkdir(folder);
    await writeFile(path.join(folder, 'a.jpg'), 'keep me too');
    const onFile = await nmaas(['image', 'build', app, '-o', file, '--no-lock']);
    expect(onFile.code).toBe(2);
    expect(onFile.stderr).toMatch(/is not a folder/);
    const onFolder = await nmaas(['image', 'build', app, '-o', folder, '--no-lock']);
    expect(onFolder.code).toBe(2);
    expect(onFolder.stderr).toMatch(/holds other files \(a\.jpg\) and is not an OCI layout/);
    expect(await readFile(file, 'utf8')).toBe('keep me');
    expect(await readdir(folder)).toEqual(['a.jpg']);
    const fresh = path.join(work, 'fresh');
    const sbom = await nmaas([
      'image',
      'build',
      app,
      '-o',
      fresh,
      '--sbom',
      path.join(work, 'nx', 's.json'),
      '--no-lock',
    ]);
    expect(sbom.code).toBe(2);
    expect(sbom.stderr).toMatch(/--sbom .* is not an existing folder/);
    await expect(readdir(fresh)).rejects.toThrow(/ENOENT/);
  });

  it('exits 2 for a missing layout or a bad reference, 1 for a registry that cannot be reached', async () => {
    expect((await nmaas(['image', 'push', path.join(work, 'none'), `${registry.address}/x:1`])).code).toBe(2);
    expect((await nmaas(['image', 'push', path.join(work, 'web-qos'), 'no-registry-named'])).code).toBe(2);
    const unreachable = await nmaas(['image', 'push', path.join(work, 'web-qos'), '127.0.0.1:1/x:1']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach registry');
    expect(
      (await nmaas(['image', 'push', path.join(work, 'web-qos'), `${registry.address}/x:1`, '-u', 'ci'])).code,
    ).toBe(2);
  });

  it('reads the password from standard input', async () => {
    const locked = await startRegistry(registryBin.path(), { htpasswd: HTPASSWD });
    try {
      const wrong = await nmaas(
        [
          'image',
          'push',
          path.join(work, 'web-qos'),
          `${locked.address}/nmaas/web-qos:0.1.0`,
          '-u',
          'ci',
          '--password-stdin',
        ],
        'nope\n',
      );
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('rejected the credentials');
      const right = await nmaas(
        [
          'image',
          'push',
          path.join(work, 'web-qos'),
          `${locked.address}/nmaas/web-qos:0.1.0`,
          '-u',
          'ci',
          '--password-stdin',
        ],
        'cli-password\n',
      );
      expect(right.code, right.stderr).toBe(0);
    } finally {
      await locked.stop();
    }
  });
});
