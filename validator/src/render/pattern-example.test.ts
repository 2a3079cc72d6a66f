import { describe, expect, it } from 'vitest';
import { matchesPattern, patternExample } from './pattern-example.js';
import { boundValueSets } from './bounds.js';

describe('patternExample', () => {
  it.each([
    ['^(safe|fast|debug)$', 'safe'],
    ['^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$', '10s'],
    ['^https?://', ''],
    ['^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', 'abc'],
    ['^(sha256:[a-f0-9]{64})?$', ''],
    ['^\\d{3}-[A-Z]{2}$', '123-AB'],
    ['^[^\\s]+$', 'x'],
    ['^(?:v\\d+)(\\.\\d+){0,2}$', 'v1'],
  ])('gives %s a value other than %j that JavaScript also matches', (pattern, current) => {
    const value = patternExample({ pattern }, current);
    expect(value).toBeDefined();
    expect(value).not.toBe(current);
    expect(new RegExp(pattern, 'u').test(value!)).toBe(true);
    expect(matchesPattern(pattern, value!)).toBe(true);
  });

  it('keeps a value close to the default where the pattern allows (a template range check still passes)', () => {
    expect(patternExample({ pattern: '^([0-9]+(ms|s|m|h))+$' }, '30s')).toBe('31s');
  });

  it('respects the lengths, and gives none for lookarounds, back-references or contradictions', () => {
    expect(patternExample({ minLength: 3, maxLength: 3 }, 'xxx')).toBe('xxy');
    expect(patternExample({ minLength: 2 }, '')).toBe('xx');
    expect(patternExample({ pattern: '(?=a)a' }, '')).toBeUndefined();
    expect(patternExample({ pattern: '^(a)\\1$' }, '')).toBeUndefined();
    expect(patternExample({ pattern: '^a$' }, 'a')).toBeUndefined();
  });

  it('decides matches of a catastrophic pattern without backtracking', () => {
    expect(matchesPattern('^(a+)+$', `${'a'.repeat(60)}b`)).toBe(false);
    expect(matchesPattern('^(a|aa)+$', 'a'.repeat(200))).toBe(true);
    expect(matchesPattern('^https?://', 'ftp://x')).toBe(false);
    expect(matchesPattern('[0-9]{3}$', 'ab123')).toBe(true);
    expect(matchesPattern('^b', 'abc')).toBe(false);
  });
});

describe('the other-strings value set', () => {
  it('sets constrained strings (not image fields) to another accepted value and names those it cannot', () => {
    const schema = {
      type: 'object',
      properties: {
        mode: { type: 'string', pattern: '^(safe|fast)$' },
        when: { type: 'string', format: 'date' },
        odd: { type: 'string', pattern: '^(?=x)x$' },
        free: { type: 'string' },
        image: { type: 'object', properties: { digest: { type: 'string', pattern: '^sha256:[a-f0-9]{64}$' } } },
      },
    };
    const unexplored: string[] = [];
    const sets = boundValueSets(schema, { mode: 'safe', free: 'x' }, unexplored);
    expect(sets.find((s) => s.name === 'other-strings')?.values).toEqual({ mode: 'fast', when: '2024-01-01' });
    expect(unexplored).toEqual(['odd']);
  });
});
