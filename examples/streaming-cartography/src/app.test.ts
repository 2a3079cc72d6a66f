import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMeasurementOnce } from '@nmaas/sdk';
import { tool } from '@nmaas/sdk/testing';
import { sampleValue, startTestDnsServer, type TestDnsServer, type Zone } from '@nmaas/example-web-cartography/testing';
import { startStreamServer, type TestStreamServer } from '@nmaas/example-streaming-qos/testing';
import type { StreamChange } from './changes.js';
import measurement from './index.js';
import type { StreamMap } from './map-stream.js';

const promtool = tool('promtool', 'apt-get install prometheus');
const appDir = fileURLToPath(new URL('..', import.meta.url));
const zone: Zone = {
  'live.example.test': { a: ['127.0.0.1'] },
  'cdn1.example.test': { cname: 'example.cdn77.org' },
  'example.cdn77.org': { a: ['127.0.0.2'] },
};

describe.skipIf(promtool.skip)('streaming-cartography through the SDK runtime (runMeasurementOnce)', () => {
  let dns: TestDnsServer;
  let server: TestStreamServer;
  beforeAll(async () => {
    dns = await startTestDnsServer(zone);
    server = await startStreamServer({
      addresses: ['127.0.0.1', '127.0.0.2', '127.0.0.3'],
      renditions: [
        { id: 'r1', bandwidth: 500_000 },
        { id: 'r2', bandwidth: 1_000_000 },
      ],
      segmentSeconds: 2,
      segmentCount: 5,
      segmentBase: (id) => `http://cdn1.example.test:${server.port}/hls/${id}/`,
    });
  });
  afterAll(async () => {
    await server?.close();
    await dns?.close();
  });

  it('publishes the map and metrics, and counts an edge moving between runs', async () => {
    const stream = server.hlsUrl('live.example.test');
    const parameters = { streams: [stream], resolver: dns.address, segmentsPerRendition: 2 };
    const first = await runMeasurementOnce(measurement, { appDir, parameters });
    expect(first.error).toBeUndefined();
    const map = (first.result as { streams: { map: StreamMap }[] }).streams[0]!.map;
    expect(map.hosts.map((h) => `${h.host}:${h.cdn}:${h.connectedAddresses.join()}`)).toEqual([
      'cdn1.example.test:CDN77:127.0.0.2',
      'live.example.test:null:127.0.0.1',
    ]);
    const text = first.metricsText;
    expect(sampleValue(text, 'streaming_cartography_hosts', { stream })).toBe(2);
    expect(sampleValue(text, 'streaming_cartography_edge_hosts', { stream })).toBe(1);
    expect(sampleValue(text, 'streaming_cartography_edge_addresses', { stream })).toBe(1);
    expect(sampleValue(text, 'streaming_cartography_cdn_hosts', { stream, cdn: 'CDN77' })).toBe(1);
    const served = server.log.filter((e) => e.kind === 'segment' && e.host === 'cdn1.example.test');
    expect(served).toHaveLength(4);
    expect(
      sampleValue(text, 'streaming_cartography_host_downloaded_bytes_total', { stream, host: 'cdn1.example.test' }),
    ).toBe(served.reduce((s, e) => s + e.bytes, 0));
    expect(
      sampleValue(text, 'streaming_cartography_host_throughput_bytes_per_second', {
        stream,
        host: 'cdn1.example.test',
      }),
    ).toBeGreaterThan(0);
    execFileSync(promtool.path(), ['check', 'metrics'], { input: text });

    dns.setZone({ ...zone, 'cdn1.example.test': { a: ['127.0.0.3'] } });
    const second = await runMeasurementOnce(measurement, { appDir, parameters });
    const changes = (second.result as { streams: { changes: StreamChange[] }[] }).streams[0]!.changes;
    expect(changes.map((c) => `${c.kind}:${c.host}`).sort()).toEqual([
      'addresses_changed:cdn1.example.test',
      'cdn_changed:cdn1.example.test',
    ]);
    expect(
      sampleValue(second.metricsText, 'streaming_cartography_changes_total', { stream, kind: 'cdn_changed' }),
    ).toBe(1);
    expect(sampleValue(second.metricsText, 'streaming_cartography_cdn_hosts', { stream, cdn: 'CDN77' })).toBe(0);
  }, 60_000);

  it('fails the run when no stream can be mapped', async () => {
    const run = await runMeasurementOnce(measurement, {
      appDir,
      parameters: { streams: [`http://nowhere.example.test:${server.port}/x.m3u8`], resolver: dns.address },
    });
    expect(run.outcome).toBe('failure');
    expect(run.error).toMatch(/nowhere\.example\.test/);
  });
});
