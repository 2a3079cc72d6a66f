import { describe, expect, it } from 'vitest';
import { displayNameOf, nameForms, replaceNames } from './names.js';

describe('name forms', () => {
  it('derives the snake, Pascal and display forms of a kebab name', () => {
    expect(nameForms('my-web-probe')).toEqual({
      kebab: 'my-web-probe',
      snake: 'my_web_probe',
      pascal: 'MyWebProbe',
      display: 'My web probe',
    });
    expect(displayNameOf('probe')).toBe('Probe');
  });

  it('replaces every form in one pass, even when the new name contains the old one', () => {
    const from = nameForms('http-probe', 'HTTP probe');
    const text = '# HTTP probe\nname: http-probe\nmetric: http_probe_up\nalert: HttpProbeDown\n';
    expect(replaceNames(text, from, nameForms('http-probe-2'))).toBe(
      '# Http probe 2\nname: http-probe-2\nmetric: http_probe_2_up\nalert: HttpProbe2Down\n',
    );
    expect(replaceNames(text, from, nameForms('dns'))).toBe('# Dns\nname: dns\nmetric: dns_up\nalert: DnsDown\n');
  });
});
