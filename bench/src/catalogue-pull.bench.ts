/**
 * Image layer pulls from `catalogue serve` against Debian's docker-registry (CNCF Distribution), the
 * real peer, in one run: the same 40 MiB layer, pulled by N clients at once over loopback
 * (`GET /v2/<name>/blobs/<digest>`, as containerd fetches a layer when a DaemonSet starts on many
 * nodes), N = 1, 10 and 50. Each server is a fresh process per N, started the way an operator starts
 * it, and its peak RSS (VmHWM in /proc) is started over once the blob is in place (the registry's
 * copy arrives by a push), so the peak is that of N's pulls. Reported per N: the median wall time of ROUNDS
 * rounds (servers alternating), each server's peak RSS, and ratios registry / ours (> 1: ours
 * faster or smaller). The clients run in this process and only count the bytes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRegistry } from '@nmaas/image/testing';
import { findTool, freePort } from '@nmaas/sdk/testing';
import type { Bench } from './index.js';

const LAYER_BYTES = 40 * 2 ** 20;
const CLIENTS = [1, 10, 50];
const ROUNDS = 3;
const REPOSITORY = 'bench/layer';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CATALOGUE_CLI = path.join(ROOT, 'catalogue', 'dist', 'main.js');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Starts a process's peak resident memory over from its present size (Linux clear_refs 5). */
function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** Peak resident memory of a running process, in MiB (Linux /proc). */
function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmHWM for process ${pid}`);
  return Math.round(Number(m[1]) / 1024);
}

/** n clients GET the same URL at once; resolves with the wall time once every body is complete. */
async function pullAll(address: string, blobPath: string, n: number): Promise<number> {
  const [host, port] = address.split(':') as [string, string];
  const started = performance.now();
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<void>((resolve, reject) => {
          const req = request({ host, port: Number(port), path: blobPath }, (res) => {
            let bytes = 0;
            res.on('data', (c: Buffer) => (bytes += c.length));
            res.on('end', () =>
              res.statusCode === 200 && bytes === LAYER_BYTES
                ? resolve()
                : reject(new Error(`GET ${address}${blobPath}: ${res.statusCode}, ${bytes} bytes`)),
            );
          });
          req.on('error', reject);
          req.end();
        }),
    ),
  );
  return performance.now() - started;
}

/** `nmaas catalogue serve <repo>` through the catalogue's own entry point, once it listens. */
async function startCatalogueServe(repo: string): Promise<{ address: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [CATALOGUE_CLI, 'catalogue', 'serve', repo, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
      if (output.includes('serving')) resolve();
    });
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => reject(new Error(`catalogue serve exited (${code}): ${output}`)));
  });
  return { address: `127.0.0.1:${port}`, child };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Uploads the blob in one request (POST, then PUT with its digest), as a monolithic push does. */
async function pushBlob(address: string, blob: Buffer, digest: string): Promise<void> {
  const started = await fetch(`http://${address}/v2/${REPOSITORY}/blobs/uploads/`, { method: 'POST' });
  const location = started.headers.get('location');
  if (started.status !== 202 || !location) throw new Error(`docker-registry refused the upload: ${started.status}`);
  const url = new URL(location, `http://${address}`);
  url.searchParams.set('digest', digest);
  const put = await fetch(url, {
    method: 'PUT',
    body: blob,
    headers: { 'Content-Type': 'application/octet-stream' },
  });
  if (put.status !== 201) throw new Error(`docker-registry did not store the blob: ${put.status}`);
}

const bench: Bench = async () => {
  const registryBin = findTool('docker-registry');
  if (!registryBin) return { skipped: 'docker-registry missing (apt-get install docker-registry)' };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nmaas-bench-pull-'));
  try {
    // Random bytes: neither side can compress them, both send what is on disk.
    const blob = randomBytes(LAYER_BYTES);
    const hex = createHash('sha256').update(blob).digest('hex');
    const digest = `sha256:${hex}`;
    const blobPath = `/v2/${REPOSITORY}/blobs/${digest}`;
    // The repository's OCI folder, as `catalogue build` lays it out: oci/<name>/{index.json,blobs/}.
    const repo = path.join(dir, 'repo');
    const layout = path.join(repo, 'oci', ...REPOSITORY.split('/'));
    await mkdir(path.join(layout, 'blobs', 'sha256'), { recursive: true });
    await writeFile(path.join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [] }));
    await writeFile(path.join(layout, 'blobs', 'sha256', hex), blob);
    const sizes: Record<string, unknown>[] = [];
    for (const n of CLIENTS) {
      const ours = await startCatalogueServe(repo);
      const registry = await startRegistry(registryBin);
      try {
        await pushBlob(registry.address, blob, digest);
        // What the upload and start-up took is not the pulls' memory.
        resetPeakRss(ours.child.pid!);
        resetPeakRss(registry.pid);
        const wall = { ours: [] as number[], registry: [] as number[] };
        for (let round = 0; round < ROUNDS; round++) {
          // Alternate who goes first, so neither always meets a cold or a warm page cache.
          const order = round % 2 === 0 ? (['ours', 'registry'] as const) : (['registry', 'ours'] as const);
          for (const who of order)
            wall[who].push(await pullAll(who === 'ours' ? ours.address : registry.address, blobPath, n));
        }
        const oursMs = Math.round(median(wall.ours));
        const registryMs = Math.round(median(wall.registry));
        const oursRss = peakRssMiB(ours.child.pid!);
        const registryRss = peakRssMiB(registry.pid);
        sizes.push({
          clients: n,
          ours: { wallMs: oursMs, runsWallMs: wall.ours.map(Math.round), peakRssMiB: oursRss },
          registry: { wallMs: registryMs, runsWallMs: wall.registry.map(Math.round), peakRssMiB: registryRss },
          ratios: {
            wall: Math.round((registryMs / Math.max(1, oursMs)) * 100) / 100,
            peakRss: Math.round((registryRss / Math.max(1, oursRss)) * 100) / 100,
          },
        });
      } finally {
        await stopChild(ours.child);
        await registry.stop();
      }
    }
    return {
      what: `${LAYER_BYTES / 2 ** 20} MiB layer blob pulled by N clients at once over loopback: nmaas catalogue serve vs docker-registry (Distribution, filesystem storage); medians of ${ROUNDS} rounds; ratios registry / ours`,
      loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
      sizes,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

export default bench;
