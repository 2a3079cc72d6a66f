import { describe, expect, it } from 'vitest';
import { DEFAULT_IGNORE_RULES, globToRegExp, isIgnored, parseHelmignore } from './helmignore.js';

describe('.helmignore (Helm semantics)', () => {
  it('matches base names for patterns without a slash and full paths otherwise', () => {
    const rules = parseHelmignore('*.bak\nscratch/\n/top.txt\ndocs/*.md\n');
    expect(isIgnored(rules, 'a/b/values.yaml.bak', false)).toBe(true);
    expect(isIgnored(rules, 'scratch', true)).toBe(true);
    expect(isIgnored(rules, 'scratch', false)).toBe(false); // dir-only rule
    expect(isIgnored(rules, 'top.txt', false)).toBe(true);
    expect(isIgnored(rules, 'docs/a.md', false)).toBe(true);
    expect(isIgnored(rules, 'docs/sub/a.md', false)).toBe(false); // * does not cross /
    expect(isIgnored(rules, 'values.yaml', false)).toBe(false);
  });

  it('always hides dot-files in templates/', () => {
    expect(isIgnored(DEFAULT_IGNORE_RULES, 'templates/.hidden.yaml', false)).toBe(true);
    expect(isIgnored(DEFAULT_IGNORE_RULES, 'templates/x.yaml', false)).toBe(false);
  });

  it('refuses ** like Helm, with the line number', () => {
    expect(() => parseHelmignore('# c\nfoo/**/bar\n', 'x/.helmignore')).toThrow(/x\/\.helmignore:2: double-star/);
  });

  it('translates Go glob classes', () => {
    expect(globToRegExp('file[0-9].txt').test('file7.txt')).toBe(true);
    expect(globToRegExp('file[^0-9].txt').test('file7.txt')).toBe(false);
    expect(globToRegExp('a?c').test('a/c')).toBe(false);
  });
});
