import { execFileSync } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMeasurementOnce } from '@nmaas/sdk';
import { tool } from '@nmaas/sdk/testing';
import { sampleValue, startTestDnsServer, type TestDnsServer } from '@nmaas/example-web-cartography/testing';
import measurement from './index.js';
import type { ProbeResult } from './probe.js';

import { makeTestPki, type TestPki } from './testing/pki.js';

const openssl = tool('openssl', 'apt-get install openssl');
const promtool = tool('promtool', 'apt-get install prometheus');
const appDir = fileURLToPath(new URL('..', import.meta.url));

describe.skipIf(openssl.skip || promtool.skip)('web-qos through the SDK runtime (runMeasurementOnce)', () => {
  let pki: TestPki;
  let servers: http.Server[] = [];
  let dns: TestDnsServer;
  let httpUrl: string;
  let httpsUrl: string;
  let missingUrl: string;
  let firstByteDelay = 0;

  beforeAll(async () => {
    pki = makeTestPki(openssl.path(), { dns: ['secure.qos.test'], ip: [] }, { ca: 100, server: 20 });
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const arrived = performance.now();
      if (req.url === '/missing') return void res.writeHead(404).end();
      setTimeout(() => {
        firstByteDelay = (performance.now() - arrived) / 1000;
        res.end('hello');
      }, 200);
    };
    servers = [http.createServer(handler), https.createServer({ cert: pki.cert, key: pki.key }, handler)];
    const ports: number[] = [];
    for (const s of servers) {
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
      ports.push((s.address() as AddressInfo).port);
    }
    dns = await startTestDnsServer({
      'plain.qos.test': { a: ['127.0.0.1'] },
      'secure.qos.test': { cname: 'edge.qos.test' },
      'edge.qos.test': { a: ['127.0.0.1'] },
    });
    httpUrl = `http://plain.qos.test:${ports[0]}/`;
    httpsUrl = `https://secure.qos.test:${ports[1]}/`;
    missingUrl = `http://plain.qos.test:${ports[0]}/missing`;
  });
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    await dns?.close();
  });

  it('probes every target and exports the declared metrics with the measured values', async () => {
    const run = await runMeasurementOnce(measurement, {
      appDir,
      parameters: {
        targets: [httpsUrl, httpUrl, missingUrl],
        resolver: dns.address,
        caCertificates: pki.caCert,
        ipFamily: 'ipv4',
        timeout: '5s',
      },
    });
    expect(run.error).toBeUndefined();
    expect(run.outcome).toBe('success');
    const probes = (run.result as { probes: ProbeResult[] }).probes;
    expect(probes.map((p) => [p.target, p.success, p.status])).toEqual([
      [httpsUrl, true, 200],
      [httpUrl, true, 200],
      [missingUrl, false, 404],
    ]);
    const text = run.metricsText;
    expect(sampleValue(text, 'web_qos_probe_success', { target: httpsUrl })).toBe(1);
    expect(sampleValue(text, 'web_qos_probe_success', { target: missingUrl })).toBe(0);
    expect(sampleValue(text, 'web_qos_http_status_code', { target: missingUrl })).toBe(404);
    expect(sampleValue(text, 'web_qos_http_body_size_bytes', { target: httpUrl })).toBe(5);
    expect(sampleValue(text, 'web_qos_http_ssl', { target: httpsUrl })).toBe(1);
    expect(sampleValue(text, 'web_qos_probes_total', { target: missingUrl, result: 'failure' })).toBe(1);
    const ttfb = sampleValue(text, 'web_qos_http_duration_seconds', { target: httpsUrl, phase: 'processing' })!;
    expect(ttfb).toBeGreaterThanOrEqual(0.2 - 0.001);
    // Seconds, not milliseconds, and the probed value; the ±20 ms accuracy is probe.test.ts's job (three
    // concurrent probes on a shared CI machine make this run's timing noisier).
    expect(ttfb).toBeLessThan(1);
    const expiry = sampleValue(text, 'web_qos_tls_earliest_cert_expiry_timestamp_seconds', { target: httpsUrl })!;
    const days = (expiry - Date.now() / 1000) / 86400;
    expect(days).toBeGreaterThan(19);
    expect(days).toBeLessThanOrEqual(20);
    // The blackbox metrics dashboards expect, under the app's prefix.
    const chainExpiry = sampleValue(text, 'web_qos_tls_last_chain_expiry_timestamp_seconds', { target: httpsUrl })!;
    expect(chainExpiry).toBeLessThanOrEqual(expiry);
    expect(sampleValue(text, 'web_qos_tls_version', { target: httpsUrl, version: 'TLS 1.3' })).toBe(1);
    expect(sampleValue(text, 'web_qos_ip_protocol', { target: httpsUrl })).toBe(4);
    expect(sampleValue(text, 'web_qos_http_content_length', { target: missingUrl })).not.toBeUndefined();
    expect(firstByteDelay).toBeGreaterThan(0);
    // The exposition passes Prometheus' own linter.
    execFileSync(promtool.path(), ['check', 'metrics'], { input: text });
  });

  it('fails the run with a clear message when a parameter is wrong', async () => {
    await expect(runMeasurementOnce(measurement, { appDir, parameters: { targets: ['ftp://x'] } })).rejects.toThrow(
      /targets/,
    );
  });
});
