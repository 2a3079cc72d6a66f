/**
 * Which CDN serves a host, told from the names in its CNAME chain (the way CDNs are onboarded:
 * the customer's name is an alias of the CDN's) and, for CDNs reached by anycast without aliases,
 * from published address ranges. The table holds widely documented suffixes; operators add their
 * own with the `cdnSuffixes` parameter (`suffix=Name`).
 */
import net from 'node:net';

export const KNOWN_CDN_SUFFIXES: Record<string, string> = {
  'cloudfront.net': 'Amazon CloudFront',
  'akamai.net': 'Akamai',
  'akamaiedge.net': 'Akamai',
  'akamaihd.net': 'Akamai',
  'akamaized.net': 'Akamai',
  'edgekey.net': 'Akamai',
  'edgesuite.net': 'Akamai',
  'fastly.net': 'Fastly',
  'fastlylb.net': 'Fastly',
  'cdn.cloudflare.net': 'Cloudflare',
  'azureedge.net': 'Azure Front Door',
  'azurefd.net': 'Azure Front Door',
  'b-cdn.net': 'Bunny CDN',
  'cdn77.org': 'CDN77',
  'edgecastcdn.net': 'Edgio',
  'llnwd.net': 'Edgio',
  'footprint.net': 'Lumen',
  'kxcdn.com': 'KeyCDN',
  'stackpathdns.com': 'StackPath',
  'hwcdn.net': 'Highwinds',
  'gcdn.co': 'G-Core Labs',
  'googlehosted.com': 'Google',
  'googleusercontent.com': 'Google',
  'gvt1.com': 'Google',
  'alicdn.com': 'Alibaba Cloud CDN',
  'kunlunaq.com': 'Alibaba Cloud CDN',
  'chinacache.net': 'ChinaCache',
  'cdngc.net': 'CDNetworks',
};

/** Cloudflare's published IPv4 ranges (cloudflare.com/ips-v4): its customers' names point straight at them. */
const CLOUDFLARE_V4 = [
  '173.245.48.0/20',
  '103.21.244.0/22',
  '103.22.200.0/22',
  '103.31.4.0/22',
  '141.101.64.0/18',
  '108.162.192.0/18',
  '190.93.240.0/20',
  '188.114.96.0/20',
  '197.234.240.0/22',
  '198.41.128.0/17',
  '162.158.0.0/15',
  '104.16.0.0/13',
  '104.24.0.0/14',
  '172.64.0.0/13',
  '131.0.72.0/22',
];

/** Parses `suffix=Name` entries from the parameter; throws with the entry at fault. */
export function parseCdnSuffixes(entries: string[]): Record<string, string> {
  const table: Record<string, string> = {};
  for (const entry of entries) {
    const match = /^\s*\.?([a-z0-9.-]+\.[a-z0-9-]+)\s*=\s*(\S.*?)\s*$/i.exec(entry);
    if (!match) throw new Error(`cdnSuffixes entry "${entry}" must look like cdn.example.net=Example CDN`);
    table[match[1]!.toLowerCase()] = match[2]!;
  }
  return table;
}

/** The CDN behind a host, or null: the longest matching suffix among the host and its aliases wins. */
export function classifyCdn(names: string[], addresses: string[], extra: Record<string, string> = {}): string | null {
  const table = { ...KNOWN_CDN_SUFFIXES, ...extra };
  let best: { suffix: string; cdn: string } | null = null;
  for (const name of names.map((n) => n.toLowerCase().replace(/\.$/, ''))) {
    for (const [suffix, cdn] of Object.entries(table)) {
      if ((name === suffix || name.endsWith(`.${suffix}`)) && (!best || suffix.length > best.suffix.length))
        best = { suffix, cdn };
    }
  }
  if (best) return best.cdn;
  if (addresses.some((a) => CLOUDFLARE_V4.some((range) => inRange(a, range)))) return 'Cloudflare';
  return null;
}

function inRange(address: string, cidr: string): boolean {
  if (!net.isIPv4(address)) return false;
  const [base = '', bits = '32'] = cidr.split('/');
  const list = new net.BlockList();
  list.addSubnet(base, Number(bits), 'ipv4');
  return list.check(address, 'ipv4');
}
