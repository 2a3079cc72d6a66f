import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMeasurementOnce } from '@nmaas/sdk';
import { tool } from '@nmaas/sdk/testing';
import measurement from './index.js';
import type { Change } from './page/changes.js';
import type { PageMap } from './page/map-page.js';
import {
  sampleValue,
  startMultiHostSite,
  startTestDnsServer,
  type MultiHostSite,
  type TestDnsServer,
  type Zone,
} from './testing/index.js';

const promtool = tool('promtool', 'apt-get install prometheus');
const appDir = fileURLToPath(new URL('..', import.meta.url));

const zone: Zone = {
  'news.example.test': { a: ['127.0.0.1'] },
  'assets.example.test': { cname: 'example.b-cdn.net' },
  'example.b-cdn.net': { a: ['127.0.0.2'] },
  'ads.tracker.test': { cname: 'ads.edge.operator.test' },
  'ads.edge.operator.test': { a: ['127.0.0.3'] },
};

describe.skipIf(promtool.skip)('web-cartography through the SDK runtime (runMeasurementOnce)', () => {
  let dns: TestDnsServer;
  let site: MultiHostSite;
  let page: string;
  beforeAll(async () => {
    dns = await startTestDnsServer(zone);
    site = await startMultiHostSite(['127.0.0.1', '127.0.0.2', '127.0.0.3'], (req, res, host) => {
      const port = site.port;
      if (host === 'news.example.test') {
        res.setHeader('content-type', 'text/html');
        res.end(`<html><head><script src="http://assets.example.test:${port}/a.js"></script></head>
          <body><img src="http://assets.example.test:${port}/b.png"><iframe src="http://ads.tracker.test:${port}/ad"></iframe></body></html>`);
      } else res.end('x');
    });
    page = `http://news.example.test:${site.port}/`;
  });
  afterAll(async () => {
    await site?.close();
    await dns?.close();
  });

  it('publishes the graph as the result, the counts as metrics, and counts changes on the next run', async () => {
    const parameters = { pages: [page], resolver: dns.address, cdnSuffixes: ['edge.operator.test=Operator CDN'] };
    const first = await runMeasurementOnce(measurement, { appDir, parameters });
    expect(first.error).toBeUndefined();
    expect(first.outcome).toBe('success');
    const map = (first.result as { pages: { map: PageMap }[] }).pages[0]!.map;
    expect(map.hosts.map((h) => [h.host, h.cdn, h.addresses.join()])).toEqual([
      ['ads.tracker.test', 'Operator CDN', '127.0.0.3'],
      ['assets.example.test', 'Bunny CDN', '127.0.0.2'],
      ['news.example.test', null, '127.0.0.1'],
    ]);
    // What the servers saw matches the map: every host was reached on the address DNS gave.
    expect(new Set(site.requests.map((r) => `${r.host}@${r.address}`))).toEqual(
      new Set(['news.example.test@127.0.0.1', 'assets.example.test@127.0.0.2', 'ads.tracker.test@127.0.0.3']),
    );
    const text = first.metricsText;
    expect(sampleValue(text, 'web_cartography_hosts', { page })).toBe(3);
    expect(sampleValue(text, 'web_cartography_third_party_hosts', { page })).toBe(1);
    expect(sampleValue(text, 'web_cartography_addresses', { page })).toBe(3);
    expect(sampleValue(text, 'web_cartography_resources', { page, type: 'script' })).toBe(1);
    expect(sampleValue(text, 'web_cartography_resources', { page, type: 'frame' })).toBe(1);
    expect(sampleValue(text, 'web_cartography_cdn_hosts', { page, cdn: 'Bunny CDN' })).toBe(1);
    expect(sampleValue(text, 'web_cartography_cdn_hosts', { page, cdn: 'none' })).toBe(1);
    expect(sampleValue(text, 'web_cartography_cname_chain_max_hops', { page })).toBe(1);
    execFileSync(promtool.path(), ['check', 'metrics'], { input: text });

    dns.setZone({ ...zone, 'assets.example.test': { a: ['127.0.0.1'] } });
    const second = await runMeasurementOnce(measurement, { appDir, parameters });
    const changes = (second.result as { pages: { changes: Change[] }[] }).pages[0]!.changes;
    expect(changes.map((c) => `${c.kind}:${c.host}`).sort()).toEqual([
      'addresses_changed:assets.example.test',
      'cdn_changed:assets.example.test',
      'cname_changed:assets.example.test',
    ]);
    expect(sampleValue(second.metricsText, 'web_cartography_changes_total', { page, kind: 'cdn_changed' })).toBe(1);
    expect(sampleValue(second.metricsText, 'web_cartography_cdn_hosts', { page, cdn: 'Bunny CDN' })).toBe(0);
  });

  it('fails the run, saying why, when no page can be mapped', async () => {
    const run = await runMeasurementOnce(measurement, {
      appDir,
      parameters: { pages: [`http://unknown.example.test:${site.port}/`], resolver: dns.address },
    });
    expect(run.outcome).toBe('failure');
    expect(run.error).toMatch(/unknown\.example\.test/);
  });
});
