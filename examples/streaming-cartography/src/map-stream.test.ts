import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolver } from '@nmaas/example-web-cartography/hosts';
import { startTestDnsServer, type TestDnsServer, type Zone } from '@nmaas/example-web-cartography/testing';
import { startStreamServer, type TestStreamServer } from '@nmaas/example-streaming-qos/testing';
import { mapStream, sample } from './map-stream.js';

/**
 * One stream, several servers: the manifest host redirects to an origin; the low rendition's
 * segments live on edge-a (a Bunny CDN alias), the high one's on edge-b (a CloudFront alias),
 * which redirects odd segments to edge-c. Hosts resolve to three loopback addresses through the
 * test's DNS server, and each edge is paced to its own rate.
 */
const zone: Zone = {
  'tv.example.test': { a: ['127.0.0.1'] },
  'origin.tv.test': { a: ['127.0.0.1'] },
  'edge-a.tv.test': { cname: 'tvexample.b-cdn.net' },
  'tvexample.b-cdn.net': { a: ['127.0.0.2'] },
  'edge-b.tv.test': { cname: 'd2abc.cloudfront.net' },
  'd2abc.cloudfront.net': { a: ['127.0.0.3'] },
  'edge-c.tv.test': { a: ['127.0.0.3'] },
};
const RATE: Record<string, number> = {
  'edge-a.tv.test': 150_000,
  'edge-b.tv.test': 400_000,
  'edge-c.tv.test': 400_000,
};

describe('mapStream on a stream spread over several hosts', () => {
  let dns: TestDnsServer;
  let server: TestStreamServer;
  beforeAll(async () => {
    dns = await startTestDnsServer(zone);
    server = await startStreamServer({
      addresses: ['127.0.0.1', '127.0.0.2', '127.0.0.3'],
      renditions: [
        { id: 'low', bandwidth: 600_000 },
        { id: 'high', bandwidth: 2_400_000 },
      ],
      segmentSeconds: 1,
      segmentCount: 9,
      // HLS segment URIs are relative to this base; DASH's SegmentTemplate adds $RepresentationID$/ itself.
      segmentBase: (id, format) =>
        `http://${id === 'low' ? 'edge-a' : 'edge-b'}.tv.test:${server.port}/${format}/${format === 'hls' ? `${id}/` : ''}`,
      redirect: (info) => {
        if (info.kind === 'manifest' && info.host === 'tv.example.test')
          return `http://origin.tv.test:${server.port}${info.path}`;
        if (info.kind === 'segment' && info.host === 'edge-b.tv.test' && info.index! % 2 === 1)
          return `http://edge-c.tv.test:${server.port}${info.path}`;
        return undefined;
      },
      rate: (info) => (info.kind === 'segment' ? RATE[info.host] : undefined),
    });
  });
  afterAll(async () => {
    await server?.close();
    await dns?.close();
  });

  for (const format of ['hls', 'dash'] as const) {
    it(`${format}: finds redirects, edge hosts and addresses per rendition, and per-host throughput as served`, async () => {
      const entry = format === 'hls' ? server.hlsUrl('tv.example.test') : server.dashUrl('tv.example.test');
      const before = server.log.length;
      const map = await mapStream(entry, { resolver: createResolver(dns.address), segmentsPerRendition: 4 });
      const log = server.log.slice(before);
      expect(map.format).toBe(format);
      expect(map.manifestRedirects).toEqual([entry.replace('tv.example.test', 'origin.tv.test')]);
      const renditions = Object.fromEntries(map.renditions.map((r) => [r.id.replace('/playlist.m3u8', ''), r]));
      // Samples 0, 3, 5, 8: segments 3 and 5 of "high" are redirected to edge-c.
      expect(renditions.low).toMatchObject({
        edgeHosts: ['edge-a.tv.test'],
        edgeAddresses: ['127.0.0.2'],
        segmentsSampled: 4,
        redirects: 0,
      });
      expect(renditions.high).toMatchObject({
        edgeHosts: ['edge-b.tv.test', 'edge-c.tv.test'],
        edgeAddresses: ['127.0.0.3'],
        segmentsSampled: 4,
        redirects: 2,
      });
      expect(
        log
          .filter((e) => e.kind === 'segment' && e.bytes > 0)
          .map((e) => `${e.rendition}:${e.index}@${e.host}`)
          .sort(),
      ).toEqual(
        [
          'low:0@edge-a.tv.test',
          'low:3@edge-a.tv.test',
          'low:5@edge-a.tv.test',
          'low:8@edge-a.tv.test',
          'high:0@edge-b.tv.test',
          'high:3@edge-c.tv.test',
          'high:5@edge-c.tv.test',
          'high:8@edge-b.tv.test',
        ].sort(),
      );

      const hosts = Object.fromEntries(map.hosts.map((h) => [h.host, h]));
      expect(Object.keys(hosts).sort()).toEqual([
        'edge-a.tv.test',
        'edge-b.tv.test',
        'edge-c.tv.test',
        'origin.tv.test',
        'tv.example.test',
      ]);
      expect(hosts['tv.example.test']).toMatchObject({ roles: ['redirect'], redirectsIssued: 1, bytes: 0 });
      expect(hosts['edge-a.tv.test']).toMatchObject({
        cdn: 'Bunny CDN',
        cnameChain: ['tvexample.b-cdn.net'],
        resolvedAddresses: ['127.0.0.2'],
        connectedAddresses: ['127.0.0.2'],
      });
      expect(hosts['edge-b.tv.test']).toMatchObject({
        cdn: 'Amazon CloudFront',
        redirectsIssued: 2,
        renditions: [renditions.high!.id],
      });
      expect(hosts['edge-c.tv.test']!.cdn).toBeNull();
      // Per-host throughput against what the server did for that host (bytes over its own request times).
      for (const host of ['edge-a.tv.test', 'edge-c.tv.test']) {
        const served = log.filter((e) => e.kind === 'segment' && e.host === host && e.bytes > 0);
        const serverRate =
          served.reduce((s, e) => s + e.bytes, 0) / (served.reduce((s, e) => s + e.finished - e.arrived, 0) / 1000);
        expect(Math.abs(hosts[host]!.throughput - serverRate) / serverRate).toBeLessThan(0.15);
        const delivered = log.filter((e) => (e.kind === 'segment' || e.kind === 'init') && e.host === host);
        expect(hosts[host]!.bytes).toBe(delivered.reduce((s, e) => s + e.bytes, 0));
      }
      expect(hosts['edge-a.tv.test']!.throughput).toBeLessThan(hosts['edge-c.tv.test']!.throughput);
    }, 60_000);
  }

  it('samples first, last and evenly between', () => {
    const segments = Array.from({ length: 10 }, (_, i) => ({ url: `s${i}`, duration: 1 }));
    expect(sample(segments, 3).map((s) => s.url)).toEqual(['s0', 's5', 's9']);
    expect(sample(segments, 1).map((s) => s.url)).toEqual(['s0']);
    expect(sample(segments.slice(0, 2), 5)).toHaveLength(2);
  });
});
