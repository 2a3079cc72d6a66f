/**
 * Builds the five example apps' images (one shared base layer), unpacks each with umoci and runs
 * it with runc as user 65532 on a read-only root filesystem in a loopback-only network namespace:
 * /healthz and /metrics answer and one scheduled measurement run happens. The containers run side
 * by side so the suite takes as long as the slowest app's run, not the sum.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApp, parseDuration, readImageLock } from '@nmaas/sdk/model';
import { tool } from '@nmaas/sdk/testing';
import { buildImage, type BuiltImage } from './build-image.js';
import { startContainer, unpackImage, type RunningContainer } from './testing/runc-harness.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const umoci = tool('umoci', 'apt-get install umoci');
const runc = tool('runc', 'apt-get install runc');
const ip = tool('ip', 'apt-get install iproute2');
const curl = tool('curl', 'apt-get install curl');
const getcap = tool('getcap', 'apt-get install libcap2-bin');
const missing = umoci.skip || runc.skip || ip.skip || curl.skip || getcap.skip || process.getuid?.() !== 0;

describe.skipIf(missing)('the example images run under runc', () => {
  let work: string;
  const apps: string[] = [];
  const built = new Map<string, BuiltImage>();
  const containers = new Map<string, RunningContainer>();

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'nmaas-image-run-'));
    apps.push(
      ...(await readdir(path.join(repoRoot, 'examples'), { withFileTypes: true }))
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort(),
    );
    for (const app of apps) {
      const image = await buildImage({
        appDir: path.join(repoRoot, 'examples', app),
        outDir: path.join(work, app, 'oci'),
      });
      built.set(app, image);
      const bundle = path.join(work, app, 'bundle');
      await unpackImage(image.layoutDir, image.tag, bundle);
      const { manifest } = await loadApp(path.join(repoRoot, 'examples', app));
      // Put the next scheduled slot a few seconds from now, so one run happens during the test.
      const everySeconds = Math.round(parseDuration(manifest.schedule.every) ?? 3600);
      const phase = (Math.floor(Date.now() / 1000) + 6) % everySeconds;
      containers.set(
        app,
        await startContainer(bundle, `${process.pid}-${app}`, { NMAAS_PHASE_SECONDS: String(phase) }),
      );
    }
  }, 600_000);

  afterAll(async () => {
    for (const container of containers.values()) await container.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('builds all five examples, each to the digest its committed image.lock.json pins', async () => {
    expect(apps).toHaveLength(5);
    for (const app of apps) {
      const lock = await readImageLock(path.join(repoRoot, 'examples', app));
      // A stale lock means the app or the SDK changed: run `nmaas image build examples/<app>` and commit the lock.
      expect(lock?.digest, `examples/${app}/image.lock.json`).toBe(built.get(app)!.manifestDigest);
    }
  });

  it('answers /healthz and /metrics and completes one measurement run in every app', async () => {
    for (const app of apps) {
      const container = containers.get(app)!;
      const { manifest } = await loadApp(path.join(repoRoot, 'examples', app));
      const deadline = Date.now() + (parseDuration(manifest.schedule.duration) ?? 120) * 1000 + 60_000;
      let health = { status: 0, body: '' };
      let runs = 0;
      let metrics = '';
      while (Date.now() < deadline) {
        health = await container.get(9464, '/healthz');
        const m = await container.get(9464, '/metrics');
        metrics = m.body;
        runs = [...metrics.matchAll(/^nmaas_runs_total\{outcome="(?:success|failure|timeout)"\} (\d+)/gm)].reduce(
          (n, x) => n + Number(x[1]),
          0,
        );
        if (health.status === 200 && runs > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      expect(health.status, `${app} /healthz; container output:\n${container.output()}`).toBe(200);
      expect(metrics, `${app} /metrics`).toContain('nmaas_runs_total');
      expect(runs, `${app} completed no run; container output:\n${container.output()}`).toBeGreaterThan(0);
    }
  }, 400_000);

  it('gives ip-spoofing-detection nping with CAP_NET_RAW as a file capability, as its Dockerfile does', async () => {
    const { stdout } = await promisify(execFile)(getcap.path(), [
      path.join(work, 'ip-spoofing-detection', 'bundle', 'rootfs', 'usr', 'bin', 'nping'),
    ]);
    expect(stdout).toMatch(/cap_net_raw[=+]ep/);
  });

  it('runs every app as user 65532 with a read-only root filesystem', async () => {
    for (const app of apps) {
      const image = built.get(app)!;
      expect(image.manifestDigest).toMatch(/^sha256:[a-f0-9]{64}$/);
    }
    // The runtime config is what runc enforced: read back one bundle's settings.
    const { readFile } = await import('node:fs/promises');
    for (const app of apps) {
      const config = JSON.parse(await readFile(path.join(work, app, 'bundle', 'config.json'), 'utf8')) as {
        process: { user: { uid: number; gid: number } };
        root: { readonly: boolean };
      };
      expect(config.process.user).toMatchObject({ uid: 65532, gid: 65532 });
      expect(config.root.readonly).toBe(true);
    }
  });
});
