import { describe, expect, it } from 'vitest';
import { classifyCdn, parseCdnSuffixes } from './cdn.js';

describe('classifyCdn', () => {
  it('attributes a host by the longest CDN suffix in its names, then by published ranges', () => {
    expect(classifyCdn(['www.example.org', 'www.example.org.edgekey.net', 'e1.a.akamaiedge.net'], ['23.1.2.3'])).toBe(
      'Akamai',
    );
    expect(classifyCdn(['static.example.org', 'example.map.fastly.net'], [])).toBe('Fastly');
    expect(classifyCdn(['notcloudfront.net'], [])).toBeNull(); // a suffix matches at a label boundary only
    expect(classifyCdn(['example.org'], ['104.16.132.229'])).toBe('Cloudflare');
    expect(classifyCdn(['example.org'], ['192.0.2.1', '2001:db8::1'])).toBeNull();
    const extra = parseCdnSuffixes(['cdn.operator.test=Operator CDN', '.edge.cloudfront.net = Custom']);
    expect(classifyCdn(['a.cdn.operator.test'], [], extra)).toBe('Operator CDN');
    expect(classifyCdn(['x.edge.cloudfront.net'], [], extra)).toBe('Custom');
    expect(() => parseCdnSuffixes(['nonsense'])).toThrow(/suffix=Name|cdn.example.net=Example CDN/);
  });
});
