import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApp } from '@nmaas/sdk/model';
import { run } from './cli.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'create-nmaas-app-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Runs the command in-process with pipes (no terminal), as a script or CI would. */
async function runPiped(argv: string[], cwd = tmp) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await run(argv, { stdin: new PassThrough(), stdout, stderr, cwd });
  return { code, out, err };
}

describe('create-nmaas-app command', () => {
  it('without a terminal writes the defaults and prints the next commands (the real bin)', async () => {
    const cwd = path.join(tmp, 'bin');
    await mkdir(cwd);
    const { stdout } = await promisify(execFile)(process.execPath, [MAIN], { cwd });
    expect(stdout).toContain('Created my-probe (http-probe)');
    expect(stdout).toMatch(/cd my-probe\n\s+npm install\n\s+npm test\n\s+npm run dev/);
    const { manifest } = await loadApp(path.join(cwd, 'my-probe'));
    expect(manifest).toMatchObject({ name: 'my-probe', category: 'qos', schedule: { every: '5m', duration: '30s' } });
  });

  it('takes every answer from flags', async () => {
    const { code, err } = await runPiped([
      'apps/probe',
      '--name',
      'edge-probe',
      '-t',
      'blank',
      '--category',
      'cartography',
      '--every',
      '15m',
      '--duration',
      '2m',
      '--cpu',
      '500m',
      '--memory',
      '256Mi',
      '--bandwidth',
      '50Mbps',
      '--yes',
    ]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const dir = path.join(tmp, 'apps', 'probe');
    const { manifest } = await loadApp(dir);
    expect(manifest).toMatchObject({
      name: 'edge-probe',
      category: 'cartography',
      schedule: { every: '15m', duration: '2m' },
      resources: { run: { cpu: '500m', memory: '256Mi', bandwidth: '50Mbps' } },
    });
    expect(JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')).name).toBe('edge-probe');
  });

  it('fits the default run duration to a short period', async () => {
    expect((await runPiped(['short', '--every', '20s'])).code).toBe(0);
    expect((await loadApp(path.join(tmp, 'short'))).manifest.schedule).toMatchObject({ every: '20s', duration: '10s' });
  });

  it('refuses a non-empty folder (exit 1) unless --force', async () => {
    await mkdir(path.join(tmp, 'taken'));
    await writeFile(path.join(tmp, 'taken', 'keep.md'), 'x');
    const refused = await runPiped(['taken']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/taken is not empty \(keep.md\); .*--force/);
    expect(await readdir(path.join(tmp, 'taken'))).toEqual(['keep.md']);
    expect((await runPiped(['taken', '--force'])).code).toBe(0);
    expect((await loadApp(path.join(tmp, 'taken'))).manifest.name).toBe('taken');
  });

  it('refuses an invalid name with the rule it broke (exit 2), writing nothing', async () => {
    const bad = await runPiped(['Web_QoS']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(`--name: "Web_QoS": name must be a DNS-1123 label: lower-case letters, digits and '-'`);
    expect(bad.err).toContain('pass --name to choose another');
    const long = await runPiped(['--name', `p${'x'.repeat(40)}`]);
    expect(long.code).toBe(2);
    expect(long.err).toMatch(/name is longer than 40 characters/);
    expect(await readdir(tmp)).not.toContain('Web_QoS');
  });

  it('reports wrong flags and bad values with exit 2', async () => {
    expect((await runPiped(['--every'])).err).toMatch(/--every/);
    const bad = await runPiped(['x', '--every', '7s', '--cpu', 'two']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--every: 7s neither divides the scheduling horizon/);
    expect(bad.err).toMatch(/--cpu: cpu must be a Kubernetes CPU quantity/);
    expect((await runPiped(['--colour'])).code).toBe(2);
  });

  it('prints help and version', async () => {
    const help = await runPiped(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--template <name>.*http-probe.*blank/);
    for (const flag of [
      '--name',
      '--category',
      '--every',
      '--duration',
      '--cpu',
      '--memory',
      '--bandwidth',
      '--yes',
      '--force',
    ])
      expect(help.out).toContain(flag);
    expect((await runPiped(['--version'])).out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
