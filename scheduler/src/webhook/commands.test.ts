/**
 * The CLI end to end: `nmaas scheduler serve --dev --nodes nodes.json` in a child process, an
 * admission over HTTPS, `nmaas scheduler nodes --server` showing the booking, a clean SIGTERM stop;
 * plus the argument errors (exit 2) and `scheduler chart`.
 */
import { spawn, execFile, execFileSync } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool, TempDirs } from '@nmaas/sdk/testing';
import { encodePodContract } from '@nmaas/sdk/contract';
import { fakeCluster, lastCaFile as fakeCa } from '../kube/test-api.js';
import { REPO_ROOT, admissionReview, contract, contractPod, measurementNode, post, startDevServe } from './testing.js';

/** Temp folders of this file's tests, removed after them. */
const temp = new TempDirs('cli');
afterAll(() => temp.removeAll());

const run = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'cli', 'dist', 'main.js');
const openssl = tool('openssl', 'apt-get install openssl');

async function nmaas(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('nmaas scheduler serve / nodes / chart', () => {
  beforeAll(() => {
    execFileSync('npx', ['tsc', '-b', 'cli'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }, 600_000);

  it.skipIf(openssl.skip)(
    'serves in dev mode, places a pod, reports it, stops on SIGTERM',
    async () => {
      const dir = await temp.make();
      const nodesFile = path.join(dir, 'nodes.json');
      await writeFile(
        nodesFile,
        JSON.stringify({
          nodes: [
            {
              name: 'lab-1',
              labels: { 'nmaas.io/pool': 'lab' },
              capacity: { cpu: 1000, memory: 2048, bandwidth: 100 },
            },
          ],
        }),
      );
      const { url, ca, stop } = await startDevServe(['--nodes', nodesFile]);
      const review = await post(url, JSON.stringify(admissionReview(contractPod(contract('cli-app')))), {
        ca: await readFile(ca),
      });
      expect(review.json().response.allowed).toBe(true);
      const report = await nmaas('scheduler', 'nodes', '--server', url, '--ca-file', ca, '--format', 'json');
      expect(report.code).toBe(0);
      const json = JSON.parse(report.stdout);
      expect(json.pools[0].pool).toBe('lab');
      expect(json.pools[0].nodes[0].bookings.map((b: { app: string }) => b.app)).toEqual(['cli-app']);
      expect(await stop()).toBe(0);
    },
    60_000,
  );

  it('exits 2 with a message on bad arguments or unreadable input', async () => {
    const noCert = await nmaas('scheduler', 'serve');
    expect(noCert.code).toBe(2);
    expect(noCert.stderr).toMatch(/--cert and --key are required/);
    const badNodes = await nmaas('scheduler', 'nodes', '--nodes', '/nonexistent/nodes.json');
    expect(badNodes.code).toBe(2);
    expect(badNodes.stderr).toMatch(/nodes/);
    const badPort = await nmaas('scheduler', 'serve', '--dev', '--port', 'x');
    expect(badPort.code).toBe(2);
    for (const timeout of ['0', '31', '2.5']) {
      const badTimeout = await nmaas('scheduler', 'serve', '--dev', '--timeout-seconds', timeout);
      expect(badTimeout.code).toBe(2);
      expect(badTimeout.stderr).toMatch(/--timeout-seconds.*whole seconds from 1 to 30/);
    }
  });

  it.skipIf(openssl.skip)(
    'serve --dev reads --nodes before it makes the throwaway certificate: a bad file leaves no key behind',
    async () => {
      const dir = await temp.make();
      const tmp = path.join(dir, 'tmp');
      await mkdir(tmp);
      const invalid = path.join(dir, 'invalid.json');
      await writeFile(invalid, '{"nodes":[{"name":"a"}]}');
      for (const nodes of [invalid, path.join(dir, 'missing.json'), dir]) {
        const r = await run(process.execPath, [CLI, 'scheduler', 'serve', '--dev', '--port', '0', '--nodes', nodes], {
          timeout: 60_000,
          env: { ...process.env, TMPDIR: tmp },
        }).then(
          () => ({ code: 0, stderr: '' }),
          (e: { code: number; stderr: string }) => e,
        );
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(nodes);
        expect(await readdir(tmp)).toEqual([]);
      }
    },
    60_000,
  );

  it.skipIf(openssl.skip)(
    'nodes reads pools, capacity and bookings from a cluster (kubeconfig), and exits 1 on an ignored node',
    async () => {
      const { fake } = await fakeCluster();
      try {
        fake.create('nodes', measurementNode('edge-a', 'edge'));
        fake.create('nodes', {
          metadata: {
            name: 'edge-bad',
            labels: { 'nmaas.io/pool': 'edge' },
            annotations: { 'nmaas.io/capacity': 'cpu=lots' },
          },
        });
        const meta = encodePodContract(contract('web-qos'));
        fake.create('pods', {
          metadata: {
            name: 'web-qos-1',
            namespace: 'm',
            labels: meta.labels,
            annotations: { ...meta.annotations, 'nmaas.io/assigned-node': 'edge-a', 'nmaas.io/phase-seconds': '42' },
          },
        });
        const dir = await temp.make();
        const kubeconfig = path.join(dir, 'config');
        await writeFile(
          kubeconfig,
          `apiVersion: v1\nkind: Config\nclusters: [{name: fake, cluster: {server: "${fake.url}", certificate-authority: "${fakeCa()}"}}]\nusers: [{name: u, user: {token: x}}]\ncontexts: [{name: c, context: {cluster: fake, user: u}}]\ncurrent-context: c\n`,
        );
        const r = await nmaas('scheduler', 'nodes', '--kubeconfig', kubeconfig, '--format', 'json');
        expect(r.code).toBe(1);
        const report = JSON.parse(r.stdout);
        expect(report.pools[0].nodes[0].bookings).toMatchObject([{ app: 'web-qos', phase: 42, pod: 'm/web-qos-1' }]);
        expect(report.ignored[0].name).toBe('edge-bad');
        expect(report.ignored[0].problem).toContain('nmaas.io/capacity');
      } finally {
        await fake.stop();
      }
    },
    60_000,
  );

  it.skipIf(openssl.skip)(
    'serves against a cluster: takes the Lease, then places pods',
    async () => {
      const { fake } = await fakeCluster();
      const child = { proc: undefined as ReturnType<typeof spawn> | undefined };
      try {
        fake.create('nodes', measurementNode('edge-a', 'edge'));
        const dir = await temp.make();
        const kubeconfig = path.join(dir, 'config');
        await writeFile(
          kubeconfig,
          `apiVersion: v1\nkind: Config\nclusters: [{name: fake, cluster: {server: "${fake.url}", certificate-authority: "${fakeCa()}"}}]\nusers: [{name: u, user: {token: x}}]\ncontexts: [{name: c, context: {cluster: fake, user: u}}]\ncurrent-context: c\n`,
        );
        const { generateCertificates } = await import('./certificates.js');
        const certs = await generateCertificates(path.join(dir, 'tls'));
        const proc = spawn(
          process.execPath,
          [
            CLI,
            'scheduler',
            'serve',
            '--kubeconfig',
            kubeconfig,
            '--cert',
            certs.certFile,
            '--key',
            certs.keyFile,
            '--ca-file',
            certs.caFile,
            '--host',
            '127.0.0.1',
            '--port',
            '0',
            '--namespace',
            'nmaas-system',
            '--identity',
            'replica-1',
          ],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        );
        child.proc = proc;
        let stderr = '';
        const url = await new Promise<string>((resolve, reject) => {
          proc.stderr!.on('data', (d: Buffer) => {
            stderr += d.toString();
            const m = /"message":"serving","url":"([^"]+)"/.exec(stderr);
            if (m) resolve(m[1]!);
          });
          proc.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
        });
        const ca = await readFile(certs.caFile);
        let allowed = false;
        const end = Date.now() + 30_000;
        while (!allowed && Date.now() < end) {
          const answer = (
            await post(url, JSON.stringify(admissionReview(contractPod(contract('web-qos')))), { ca })
          ).json();
          allowed = answer.response.allowed;
          if (!allowed) {
            expect(answer.response.status.message).toMatch(/leader election in progress/);
            await new Promise((r) => setTimeout(r, 500));
          }
        }
        expect(allowed).toBe(true);
        expect(
          fake.get<{ spec: { holderIdentity: string } } & never>('leases', 'nmaas-system', 'nmaas-scheduler'),
        ).toMatchObject({ spec: { holderIdentity: 'replica-1' } });
        expect(stderr).toContain('became leader');
      } finally {
        child.proc?.kill('SIGTERM');
        await new Promise((r) => (child.proc && child.proc.exitCode === null ? child.proc.once('exit', r) : r(null)));
        await fake.stop();
      }
    },
    90_000,
  );

  it('writes the chart folder', async () => {
    const out = await temp.make();
    const r = await nmaas(
      'scheduler',
      'chart',
      '-o',
      out,
      '--image',
      'registry.example/nmaas/scheduler:1.2.3',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    const { chartDir } = JSON.parse(r.stdout) as { chartDir: string };
    expect(await readFile(path.join(chartDir, 'values.yaml'), 'utf8')).toContain(
      'repository: registry.example/nmaas/scheduler',
    );
  });
});
