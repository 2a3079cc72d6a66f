import { describe, expect, it } from 'vitest';
import { ManualClock, flush } from './clock.js';
import { defineMeasurement } from './measurement.js';
import { startRuntime } from './running-app.js';
import { resolveConfig } from './config.js';
import { parseManifest } from '../model/manifest.js';
import { parseGraceSeconds, parseMaxSeries, parsePort, UsageError } from './app-process.js';

const manifest = parseManifest(`
apiVersion: nmaas.io/v1
name: ready-test
version: 1.0.0
displayName: Readiness test
description: Readiness around shutdown.
category: other
maintainers: [{ name: Tests }]
license: MIT
image: { repository: ghcr.io/nmaas/ready-test, tag: "1.0.0", digest: "sha256:${'5'.repeat(64)}" }
schedule: { every: 10s, duration: 5s }
resources: { run: { cpu: 10m, memory: 16Mi }, idle: { cpu: 1m, memory: 16Mi } }
`);

describe('readiness and liveness', () => {
  it('is ready once scheduled, not ready while shutting down, and closes the port after the run ends', async () => {
    const T0 = 1_800_000_000_000;
    const clock = new ManualClock(T0 + 500);
    const runtime = await startRuntime({
      manifest,
      measurement: defineMeasurement(async () => clock.sleepUntil(clock.now() + 2000)),
      config: resolveConfig(manifest, {}),
      phaseSeconds: 1,
      port: 0,
      host: '127.0.0.1',
      clock,
      logSink: () => undefined,
    });
    const url = (p: string) => `http://127.0.0.1:${runtime.port}${p}`;
    expect((await fetch(url('/readyz'))).status).toBe(200);
    expect(await (await fetch(url('/healthz'))).json()).toEqual({ status: 'ok' });
    await clock.set(T0 + 1000); // the run starts and takes 2 s
    expect(runtime.runLoop.running).toBe(true);
    const stopped = runtime.stop(10_000);
    await flush();
    const notReady = await fetch(url('/readyz'));
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not ready', reason: 'shutting down' });
    await clock.set(T0 + 3000);
    expect(await stopped).toEqual({ abortedRun: false, runStillGoing: false });
    await expect(fetch(url('/healthz'))).rejects.toThrow();
    expect((await runtime.metrics.outcomeCounts()).success).toBe(1);
  });
});

describe('entry-point settings', () => {
  it('parses ports, grace periods and the series cap strictly', () => {
    expect(parsePort('9464', '--port')).toBe(9464);
    expect(() => parsePort('70000', '--port')).toThrow(UsageError);
    expect(() => parsePort('80a', 'NMAAS_METRICS_PORT')).toThrow(
      /NMAAS_METRICS_PORT must be a port number from 0 to 65535, not "80a"/,
    );
    expect(parseGraceSeconds({})).toBe(25);
    expect(parseGraceSeconds({ NMAAS_GRACE_SECONDS: '2.5' })).toBe(2.5);
    expect(() => parseGraceSeconds({ NMAAS_GRACE_SECONDS: 'soon' })).toThrow(
      /NMAAS_GRACE_SECONDS must be a number of seconds/,
    );
    expect(parseMaxSeries({})).toBeUndefined();
    expect(parseMaxSeries({ NMAAS_MAX_SERIES_PER_METRIC: '50' })).toBe(50);
    expect(() => parseMaxSeries({ NMAAS_MAX_SERIES_PER_METRIC: '0' })).toThrow(/whole number from 1/);
  });
});
