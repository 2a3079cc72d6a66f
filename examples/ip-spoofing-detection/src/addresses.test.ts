import { describe, expect, it } from 'vitest';
import { adjacentSource, inPrefix, planProbes, privateSourceFor } from './addresses.js';
import { decodeProbe, encodeProbe } from './probe-format.js';

describe('forged source classes', () => {
  it('adjacent_N shares exactly N leading bits with the sender', () => {
    const sender = '10.77.1.2';
    for (const n of [8, 16, 20, 22, 23, 24, 30]) {
      const forged = adjacentSource(sender, n);
      expect(inPrefix(forged, sender, n)).toBe(true);
      expect(inPrefix(forged, sender, n + 1)).toBe(false);
    }
    expect(adjacentSource(sender, 24)).toBe('10.77.1.130');
    expect(adjacentSource(sender, 23)).toBe('10.77.0.2');
    expect(adjacentSource('192.0.2.0', 16)).toBe('192.0.130.1'); // no .0 host outside the /24
  });

  it('picks a private block the sender is not in, and refuses wrong classes', () => {
    expect(privateSourceFor('10.1.2.3')).toBe('172.31.254.1');
    expect(privateSourceFor('198.51.100.7')).toBe('10.254.254.1');
    const plan = planProbes({
      sender: '198.51.100.7',
      routableSources: ['1.2.3.4'],
      privateSources: [],
      adjacentPrefixes: [23, 24],
    });
    expect(plan.map((p) => `${p.class}=${p.source}`)).toEqual([
      'control=198.51.100.7',
      'private=10.254.254.1',
      'routable=1.2.3.4',
      'adjacent_24=198.51.100.135',
      'adjacent_23=198.51.101.7',
    ]);
    expect(() =>
      planProbes({
        sender: '198.51.100.7',
        routableSources: ['192.168.1.1'],
        privateSources: [],
        adjacentPrefixes: [],
      }),
    ).toThrow(/private/);
    expect(() =>
      planProbes({ sender: '198.51.100.7', routableSources: ['198.51.7.7'], privateSources: [], adjacentPrefixes: [] }),
    ).toThrow(/\/16/);
    expect(() =>
      planProbes({ sender: '198.51.100.7', routableSources: [], privateSources: ['8.8.8.8'], adjacentPrefixes: [] }),
    ).toThrow(/RFC 1918/);
  });
});

describe('probe payload', () => {
  const fields = {
    session: 'abc-1',
    class: 'private' as const,
    claimed: '10.254.254.1',
    from: '198.51.100.7',
    classes: ['control' as const, 'private' as const],
    count: 3,
  };
  it('round-trips, with and without a key', () => {
    expect(decodeProbe(encodeProbe(fields, ''), '')).toEqual(fields);
    expect(decodeProbe(encodeProbe(fields, 'k1'), 'k1')).toEqual(fields);
  });
  it('rejects a wrong key, a missing tag and garbage', () => {
    expect(decodeProbe(encodeProbe(fields, 'k1'), 'k2')).toBeNull();
    expect(decodeProbe(encodeProbe(fields, ''), 'k1')).toBeNull();
    expect(decodeProbe(Buffer.from('GET / HTTP/1.1'), '')).toBeNull();
    expect(
      decodeProbe(Buffer.from('NMAAS-SPOOF/1 session=x class=evil claimed=1 from=2 count=1 classes=control'), ''),
    ).toBeNull();
  });
});
