/**
 * Runs the measurement once against a web server started by the test on 127.0.0.1, so the test
 * needs no network and always gives the same answer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMeasurementOnce } from '@nmaas/sdk';
import measurement, { type ProbeResult } from '../src/index.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));
let server: Server;
let base: string;
/** A loopback address where nothing listens: connecting is refused at once. */
let closed: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'text/plain' });
    res.end('hello from the test server\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const spare = createServer();
  await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
  closed = `http://127.0.0.1:${(spare.address() as AddressInfo).port}/`;
  await new Promise((resolve) => spare.close(resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** The value of the sample `name{labels…}` in Prometheus text output (other labels may be present). */
function sample(metricsText: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of metricsText.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe('http-probe', () => {
  it('times a target that answers and exports the declared metrics', async () => {
    const run = await runMeasurementOnce(measurement, { appDir, parameters: { targets: [`${base}/`], timeout: '5s' } });
    expect(run.error).toBeUndefined();
    expect(run.outcome).toBe('success');
    const [probe] = (run.result as { probes: ProbeResult[] }).probes;
    expect(probe).toMatchObject({ target: `${base}/`, status: 200 });
    expect(probe?.seconds).toBeGreaterThan(0);
    const target = `${base}/`;
    expect(sample(run.metricsText, 'http_probe_requests_total', { target, result: 'ok' })).toBe(1);
    expect(sample(run.metricsText, 'http_probe_up', { target })).toBe(1);
    expect(sample(run.metricsText, 'http_probe_duration_seconds_count', { target })).toBe(1);
  });

  it('records an error answer and a target that does not answer without failing the run', async () => {
    const run = await runMeasurementOnce(measurement, {
      appDir,
      parameters: { targets: [`${base}/missing`, closed], timeout: '5s' },
    });
    expect(run.outcome).toBe('success');
    const probes = (run.result as { probes: ProbeResult[] }).probes;
    expect(probes[0]).toMatchObject({ status: 404 });
    expect(probes[1]?.error).toMatch(/ECONNREFUSED/);
    expect(
      sample(run.metricsText, 'http_probe_requests_total', { target: `${base}/missing`, result: 'http_error' }),
    ).toBe(1);
    expect(sample(run.metricsText, 'http_probe_requests_total', { target: closed, result: 'error' })).toBe(1);
    expect(sample(run.metricsText, 'http_probe_up', { target: closed })).toBe(0);
  });
});
