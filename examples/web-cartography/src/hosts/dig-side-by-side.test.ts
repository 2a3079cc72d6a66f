/**
 * web-cartography's name resolution side by side with the reference tool, `dig` (bind9-dnsutils),
 * through the same resolver: a DNS server on loopback serving direct names, CNAME chains of one to
 * four hops ending on CDN names, an IPv6-only name, a dangling chain, an unknown name and a CNAME
 * loop. For every name, the CNAME chain and the address set web-cartography reports must be the
 * ones dig's answers give (A and AAAA questions), and a name dig gets no address for must be
 * reported unresolved.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool } from '@nmaas/sdk/testing';
import { startTestDnsServer, type TestDnsServer, type Zone } from '../testing/index.js';
import { createResolver, resolveChain } from './resolver.js';

const dig = tool('dig', 'apt-get install bind9-dnsutils');
const exec = promisify(execFile);

const ZONE: Zone = {
  'direct.carto.test': { a: ['192.0.2.10', '192.0.2.11'] },
  'dual.carto.test': { a: ['192.0.2.12'], aaaa: ['2001:db8::12'] },
  'v6only.carto.test': { aaaa: ['2001:db8::13'] },
  'www.carto.test': { cname: 'www.carto.test.edgekey.net' },
  'www.carto.test.edgekey.net': { cname: 'e1234.a.akamaiedge.net' },
  'e1234.a.akamaiedge.net': { a: ['192.0.2.20'] },
  'static.carto.test': { cname: 'd111.cloudfront.net' },
  'd111.cloudfront.net': { a: ['192.0.2.30', '192.0.2.31'], aaaa: ['2001:db8::30'] },
  'img.carto.test': { cname: 'img.alias1.carto.test' },
  'img.alias1.carto.test': { cname: 'img.alias2.carto.test' },
  'img.alias2.carto.test': { cname: 'img.alias3.carto.test' },
  'img.alias3.carto.test': { cname: 'carto.map.fastly.net' },
  'carto.map.fastly.net': { a: ['192.0.2.40'] },
  'dangling.carto.test': { cname: 'gone.carto.test' },
  'loop1.carto.test': { cname: 'loop2.carto.test' },
  'loop2.carto.test': { cname: 'loop1.carto.test' },
};
const NAMES = [
  ...Object.keys(ZONE).filter((n) => n.endsWith('carto.test') && !n.includes('alias') && n !== 'loop2.carto.test'),
  'unknown.carto.test',
];

interface DigView {
  chain: string[];
  addresses: string[];
}

/** dig's answer section for one question: the CNAME targets in order and the addresses at the end. */
async function digAnswer(server: TestDnsServer, name: string, type: 'A' | 'AAAA'): Promise<DigView> {
  const { stdout } = await exec(dig.path(), [
    '@127.0.0.1',
    '-p',
    String(server.port),
    '+noall',
    '+answer',
    '+tries=1',
    '+time=2',
    name,
    type,
  ]);
  const chain: string[] = [];
  const addresses: string[] = [];
  for (const line of stdout.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5) continue;
    const [, , , rtype, data] = fields;
    if (rtype === 'CNAME') chain.push(data!.replace(/\.$/, ''));
    if (rtype === type) addresses.push(data!);
  }
  return { chain, addresses };
}

describe.skipIf(dig.skip)('web-cartography name resolution side by side with dig through the same resolver', () => {
  let dns: TestDnsServer;
  beforeAll(async () => {
    dns = await startTestDnsServer(ZONE);
  });
  afterAll(async () => {
    await dns?.close();
  });

  it('reports the CNAME chain and the addresses dig gets, name by name', async () => {
    const handle = createResolver(dns.address);
    const rows: string[] = [];
    for (const name of NAMES) {
      const [a, aaaa] = [await digAnswer(dns, name, 'A'), await digAnswer(dns, name, 'AAAA')];
      const ours = await resolveChain(handle, name, 'auto');
      const digAddresses = [...a.addresses, ...aaaa.addresses].sort();
      const loop = new Set(a.chain).size < a.chain.length;
      rows.push(
        `${name}: dig chain [${a.chain.join(' → ')}] ${digAddresses.join(' ') || '(no address)'}; ours [${ours.cnameChain.join(' → ')}] ${ours.addresses.join(' ') || ours.error}`,
      );
      if (loop) {
        // dig prints the loop as the server unrolls it; cartography stops at the first repeated name.
        expect(ours.error).toMatch(/CNAME loop/);
        expect(a.chain.slice(0, ours.cnameChain.length)).toEqual(ours.cnameChain);
        continue;
      }
      expect({ name, chain: ours.cnameChain }).toEqual({ name, chain: a.chain });
      expect({ name, addresses: [...ours.addresses].sort() }).toEqual({ name, addresses: digAddresses });
      if (digAddresses.length === 0) expect(ours.error, name).toBeDefined();
    }
    process.stderr.write(`[web-cartography vs dig]\n${rows.join('\n')}\n`);
  });
});
