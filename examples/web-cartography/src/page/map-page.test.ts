import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolver } from '../hosts/resolver.js';
import {
  startMultiHostSite,
  startTestDnsServer,
  type MultiHostSite,
  type TestDnsServer,
  type Zone,
} from '../testing/index.js';
import { diffMaps } from './changes.js';
import { mapPage } from './map-page.js';

const zone: Zone = {
  'www.site.test': { a: ['127.0.0.1'] },
  'old.site.test': { a: ['127.0.0.1'] },
  'static.site.test': { cname: 'd111abcdef8.cloudfront.net' },
  'd111abcdef8.cloudfront.net': { a: ['127.0.0.2'] },
  'img.shop.test': { cname: 'img.shop.test.edgekey.net' },
  'img.shop.test.edgekey.net': { cname: 'e1234.a.akamaiedge.net' },
  'e1234.a.akamaiedge.net': { a: ['127.0.0.3'] },
  'fonts.partner.test': { a: ['127.0.0.3'] },
};

describe('mapPage on a site spread over several host names', () => {
  let dns: TestDnsServer;
  let site: MultiHostSite;
  let base: (host: string) => string;
  beforeAll(async () => {
    dns = await startTestDnsServer(zone);
    site = await startMultiHostSite(['127.0.0.1', '127.0.0.2', '127.0.0.3'], (req, res, host) => {
      const at = (h: string) => base(h);
      if (host === 'www.site.test' && req.url === '/') {
        res.setHeader('content-type', 'text/html');
        res.end(`<!doctype html><html><head>
          <link rel="stylesheet" href="${at('static.site.test')}/main.css">
          <script src="${at('static.site.test')}/app.js"></script>
          <script src="${at('old.site.test')}/legacy.js"></script>
          <!-- <img src="${at('commented.site.test')}/no.png"> -->
        </head><body><img src="${at('img.shop.test')}/a.png" srcset="${at('img.shop.test')}/a@2x.png 2x">
          <img src="/local.png"><a href="${at('link.only.test')}/">not a resource</a></body></html>`);
      } else if (host === 'static.site.test' && req.url === '/main.css') {
        res.setHeader('content-type', 'text/css');
        res.end(
          `@font-face { src: url("${at('fonts.partner.test')}/f.woff2") format("woff2"); } body { background: url(/bg.png) }`,
        );
      } else if (host === 'old.site.test' && req.url === '/legacy.js') {
        res.writeHead(301, { location: `${at('static.site.test')}/legacy.js` }).end();
      } else {
        res.end('ok');
      }
    });
    base = (host: string) => `http://${host}:${site.port}`;
  });
  afterAll(async () => {
    await site?.close();
    await dns?.close();
  });

  it('finds every host, its CNAME chain, addresses and CDN, as the servers saw them', async () => {
    const resolver = createResolver(dns.address);
    const map = await mapPage(`${base('www.site.test')}/`, { resolver });
    const hosts = Object.fromEntries(map.hosts.map((h) => [h.host, h]));
    expect(Object.keys(hosts).sort()).toEqual([
      'fonts.partner.test',
      'img.shop.test',
      'old.site.test',
      'static.site.test',
      'www.site.test',
    ]);
    expect(hosts['static.site.test']).toMatchObject({
      cnameChain: ['d111abcdef8.cloudfront.net'],
      addresses: ['127.0.0.2'],
      cdn: 'Amazon CloudFront',
      sameSite: true,
    });
    expect(hosts['img.shop.test']).toMatchObject({
      cnameChain: ['img.shop.test.edgekey.net', 'e1234.a.akamaiedge.net'],
      addresses: ['127.0.0.3'],
      cdn: 'Akamai',
      sameSite: false,
    });
    expect(hosts['www.site.test']).toMatchObject({ cnameChain: [], addresses: ['127.0.0.1'], cdn: null });
    expect(hosts['fonts.partner.test']!.roles).toEqual(['font']);
    expect(hosts['old.site.test']!.roles).toEqual(['script']);
    expect(hosts['static.site.test']!.roles).toEqual(['image', 'redirect', 'script', 'stylesheet']);

    // Every resource the map lists was really requested, on the address DNS gave its final host.
    const served = site.requests.filter((r) => r.path !== '/');
    for (const resource of map.resources) {
      const final = new URL(resource.finalUrl ?? resource.url);
      expect(served.some((r) => r.host === final.hostname && r.path === final.pathname)).toBe(true);
    }
    const byAddress = (host: string) => new Set(site.requests.filter((r) => r.host === host).map((r) => r.address));
    expect(byAddress('static.site.test')).toEqual(new Set(['127.0.0.2']));
    expect(byAddress('img.shop.test')).toEqual(new Set(['127.0.0.3']));
    expect(map.resources.find((r) => r.url.endsWith('/legacy.js'))).toMatchObject({
      status: 200,
      redirects: [`${base('static.site.test')}/legacy.js`],
    });
    expect(map.resources.map((r) => r.url)).not.toContain(`${base('commented.site.test')}/no.png`);
    expect(map.graph.edges).toContainEqual({ from: 'old.site.test', to: 'static.site.test', kind: 'redirects' });
    expect(map.graph.edges).toContainEqual({ from: 'img.shop.test', to: 'Akamai', kind: 'served-by' });
    expect(dns.queries).toContain('static.site.test/CNAME');
  });

  it('reports what changed between two runs', async () => {
    const resolver = createResolver(dns.address);
    const first = await mapPage(`${base('www.site.test')}/`, { resolver });
    dns.setZone({
      ...zone,
      'static.site.test': { cname: 'static.site.test.global.fastly.net' },
      'static.site.test.global.fastly.net': { a: ['127.0.0.3'] },
    });
    try {
      const second = await mapPage(`${base('www.site.test')}/`, { resolver });
      const changes = diffMaps(first, second);
      expect(changes.map((c) => c.kind).sort()).toEqual(['addresses_changed', 'cdn_changed', 'cname_changed']);
      expect(changes.find((c) => c.kind === 'cdn_changed')).toMatchObject({
        host: 'static.site.test',
        before: 'Amazon CloudFront',
        after: 'Fastly',
      });
    } finally {
      dns.setZone(zone);
    }
  });
});
