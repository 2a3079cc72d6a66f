/**
 * End to end on loopback: the probe fixture app runs in this process on its real schedule, a real
 * Prometheus scrapes it, and its HTTP API must show the SDK's run counters and the app's own metric.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, tool } from '../testing/index.js';
import { loadRunnableApp } from './load-app.js';
import { resolveConfig } from './config.js';
import { startRuntime, type Runtime } from './running-app.js';
import { memorySink } from './logger.js';

const probeDir = fileURLToPath(new URL('../../fixtures/apps/probe', import.meta.url));
const prometheus = tool('prometheus', 'apt-get install prometheus');
const promtool = tool('promtool', 'apt-get install prometheus');

async function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string | null; body: string }> {
  const res = await fetch(url, { headers });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

describe('the runtime on loopback', () => {
  let runtime: Runtime;
  let base: string;
  const logs = memorySink();

  beforeAll(async () => {
    const app = await loadRunnableApp(probeDir);
    runtime = await startRuntime({
      manifest: app.manifest,
      measurement: app.measurement,
      config: resolveConfig(app.manifest, { params: { source: 'test', values: { target: 'loopback.test' } } }),
      phaseSeconds: 0,
      port: 0,
      host: '127.0.0.1',
      logSink: logs.sink,
    });
    base = `http://127.0.0.1:${runtime.port}`;
    await until('two runs', 10_000, async () =>
      (await runtime.metrics.outcomeCounts()).success >= 2 ? true : undefined,
    );
  });

  afterAll(async () => {
    await runtime?.stop(1000);
  });

  it('serves /healthz, /readyz and /results', async () => {
    expect(await get(`${base}/healthz`)).toMatchObject({ status: 200, body: '{"status":"ok"}\n' });
    expect(await get(`${base}/readyz`)).toMatchObject({ status: 200 });
    const results = JSON.parse((await get(`${base}/results`)).body) as {
      app: string;
      nextRunAt: string;
      results: { outcome: string; result: { target: string } }[];
    };
    expect(results.app).toBe('probe');
    expect(results.results.length).toBeGreaterThanOrEqual(2);
    expect(results.results.at(-1)).toMatchObject({ outcome: 'success', result: { target: 'loopback.test' } });
    expect(Date.parse(results.nextRunAt) % 1000).toBe(0);
    expect((await get(`${base}/nothing`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('serves Prometheus text by default and OpenMetrics when asked', async () => {
    const text = await get(`${base}/metrics`);
    expect(text.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text.body).toContain('probe_checks_total{target="loopback.test"}');
    const om = await get(`${base}/metrics`, {
      Accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5',
    });
    expect(om.type).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(om.body.endsWith('# EOF\n')).toBe(true);
  });

  describe.skipIf(promtool.skip)('promtool', () => {
    it('reports nothing on /metrics', async () => {
      const { body } = await get(`${base}/metrics`);
      const check = spawnSync(promtool.path(), ['check', 'metrics'], { input: body, encoding: 'utf8' });
      expect(check.stdout + check.stderr).toBe('');
      expect(check.status).toBe(0);
    });
  });

  describe.skipIf(prometheus.skip)('a real Prometheus scraping the app', () => {
    let server: ChildProcess | undefined;
    let dir = '';
    let api = '';
    let serverLog = '';

    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'nmaas-prometheus-'));
      const port = await freePort();
      api = `http://127.0.0.1:${port}`;
      await writeFile(
        path.join(dir, 'prometheus.yml'),
        `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n  - job_name: probe\n    static_configs: [{ targets: ['127.0.0.1:${runtime.port}'] }]\n`,
      );
      server = spawn(
        prometheus.path(),
        [
          `--config.file=${path.join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      server.stdout?.on('data', (d: Buffer) => (serverLog += d.toString()));
      server.stderr?.on('data', (d: Buffer) => (serverLog += d.toString()));
      await until(`Prometheus ready on ${api}`, 30_000, async () =>
        (await get(`${api}/-/ready`)).status === 200 ? true : undefined,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${serverLog}`);
      });
    });

    afterAll(async () => {
      if (server && server.exitCode === null) {
        const exited = new Promise((r) => server!.once('exit', r));
        server.kill('SIGTERM');
        await exited;
      }
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    const query = async (promql: string) => {
      const res = JSON.parse((await get(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`)).body) as {
        status: string;
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      expect(res.status).toBe('success');
      return res.data.result;
    };

    it('finds the run counters and the app metric through the query API', async () => {
      const up = await until('a successful scrape', 30_000, async () => {
        const r = await query('up{job="probe"}');
        return r[0]?.value[1] === '1' ? r : undefined;
      });
      expect(up).toHaveLength(1);
      const runs = await until('nmaas_runs_total{outcome="success"} >= 2', 30_000, async () => {
        const r = await query('nmaas_runs_total{job="probe",outcome="success"}');
        return Number(r[0]?.value[1]) >= 2 ? r : undefined;
      });
      expect(runs[0]!.metric).toMatchObject({ outcome: 'success', instance: `127.0.0.1:${runtime.port}` });
      const outcomes = (await query('nmaas_runs_total{job="probe"}')).map((s) => s.metric.outcome).sort();
      expect(outcomes).toEqual(['failure', 'skipped', 'success', 'timeout']);
      const checks = await query('probe_checks_total{job="probe"}');
      expect(checks[0]!.metric.target).toBe('loopback.test');
      expect(Number(checks[0]!.value[1])).toBeGreaterThanOrEqual(2);
      const info = await query('nmaas_app_info');
      expect(info[0]!.metric).toMatchObject({ app: 'probe', version: '0.3.0' });
      const lateness = await query('histogram_quantile(0.99, nmaas_start_lateness_seconds_bucket{job="probe"})');
      expect(Number(lateness[0]!.value[1])).toBeLessThan(1);
    });
  });
});
