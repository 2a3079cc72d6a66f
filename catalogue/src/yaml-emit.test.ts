import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'yaml';
import { scalar, toYamlSorted } from './yaml-emit.js';

describe('YAML emitter', () => {
  it('quotes what YAML 1.1 or 1.2 would read as another type', () => {
    for (const s of [
      'yes',
      'No',
      'on',
      'OFF',
      'y',
      'true',
      'null',
      '~',
      '1.10',
      '1e3',
      '0x1F',
      '2026-01-01',
      '',
      ' lead',
      'a: b',
      '- x',
      '#c',
      '>= 1.25.0-0',
      "it's",
      'tab\there',
    ])
      expect(scalar(s)).toMatch(/^"/);
    expect(scalar('web-probe')).toBe('web-probe');
    expect(scalar('1.2.0')).toMatch(/^"/); // starts with a digit: quoted, always safe
  });

  it('round-trips any string, list and map through YAML 1.1 and 1.2 readers', () => {
    const key = fc.string().filter((k) => !(k in Object.prototype)); // the test's own comparison trips over toString-like keys
    const dict = <T>(v: fc.Arbitrary<T>) => fc.dictionary(key, v, { noNullPrototype: true });
    const value = dict(fc.oneof(fc.string(), fc.array(fc.string()), dict(fc.string()), fc.array(dict(fc.string()))));
    fc.assert(
      fc.property(value, (v) => {
        const text = toYamlSorted({ root: v });
        const expected = JSON.parse(
          JSON.stringify({ root: v }, (_k, x) =>
            Array.isArray(x) || typeof x !== 'object' || x === null ? x : Object.fromEntries(Object.entries(x).sort()),
          ),
        );
        expect(parse(text, { version: '1.1' })).toEqual(expected);
        expect(parse(text)).toEqual(expected);
      }),
      { numRuns: 300, seed: 20_261_209 },
    );
  });
});
