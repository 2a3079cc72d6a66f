import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseChartYamlFast } from './chart-yaml-fast.js';
import { FIXTURES } from './testing/helpers.js';

const full = (text: string): unknown => parse(text, { schema: 'failsafe', uniqueKeys: true });

describe('fast Chart.yaml reader', () => {
  it('reads the usual Chart.yaml shapes exactly as the full parser does', () => {
    for (const dir of ['web-probe', 'dns-timer-1.0.0', 'with-sub', 'with-sub/charts/helper']) {
      const text = readFileSync(path.join(FIXTURES, dir, 'Chart.yaml'), 'utf8');
      const fast = parseChartYamlFast(text);
      expect(fast, dir).not.toBeNull();
      expect(fast).toEqual(full(text));
    }
  });

  it('declines what it does not know instead of guessing', () => {
    for (const text of [
      'a: &x 1\nb: *x\n',
      'description: |\n  multi\n',
      'description: one\n  two\n',
      'a: "esc\\n"\n',
      'a:\n  b:\n    c: 1\n',
      'a: {b: 1}\n',
      'a: 1\na: 2\n',
      'a:\tb\n',
      'a: b: c\n',
      'maintainers:\n  - name: x\n    tags:\n      - y\n',
      // `#` starts a comment only after white space; these are errors, not `[]` or `a`.
      'apiVersion: []#]\n',
      'a: "b"#c\n',
      "a: 'b'#c\n",
    ]) {
      expect(parseChartYamlFast(text), JSON.stringify(text)).toBeNull();
    }
  });

  it('still reads a comment set off by white space after a quote or a flow list', () => {
    for (const text of ['a: [x, y] # c\n', 'a: "b" # c\n', "a: 'b'  #c\n"]) {
      expect(parseChartYamlFast(text), text).toEqual(full(text));
    }
  });

  it('agrees with the full parser on generated documents whenever it answers', () => {
    const word = fc.oneof(
      fc.constantFrom(
        'a',
        'web-probe',
        '1.10',
        '1.2.0',
        'true',
        'yes',
        '~',
        'null',
        '>= 1.25.0-0',
        'x # c',
        "it's",
        'a:b',
        'a: b',
        '#',
        '-',
        '- x',
        '[x]',
        '{x}',
        '"q"',
        "'q'",
        'é',
        ' lead',
        'trail ',
        '',
      ),
      fc.string({ maxLength: 8 }),
    );
    const quoted = fc.oneof(
      word,
      word.map((w) => JSON.stringify(w)),
      word.map((w) => `'${w.replace(/'/g, "''")}'`),
    );
    const key = fc.constantFrom(
      'apiVersion',
      'name',
      'version',
      'description',
      'catalog.cattle.io/display-name',
      'nmaas.io/x',
      'k',
    );
    const line = fc.oneof(
      fc.tuple(key, quoted).map(([k, v]) => `${k}: ${v}`),
      fc.tuple(key, fc.array(word, { maxLength: 3 })).map(([k, vs]) => `${k}: [${vs.join(', ')}]`),
      fc
        .tuple(key, fc.array(quoted, { minLength: 1, maxLength: 3 }))
        .map(([k, vs]) => `${k}:\n${vs.map((v) => `  - ${v}`).join('\n')}`),
      fc
        .tuple(key, fc.array(fc.tuple(key, quoted), { minLength: 1, maxLength: 3 }))
        .map(([k, kv]) => `${k}:\n${kv.map(([a, b]) => `  ${a}: ${b}`).join('\n')}`),
      fc
        .tuple(key, fc.array(fc.tuple(key, quoted), { minLength: 1, maxLength: 3 }))
        .map(([k, kv]) => `${k}:\n${kv.map(([a, b], i) => `  ${i === 0 ? '- ' : '  '}${a}: ${b}`).join('\n')}`),
      fc.constantFrom('# comment', '', '  # indented comment'),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
        const text = `${lines.join('\n')}\n`;
        const fast = parseChartYamlFast(text);
        if (fast === null) return;
        let expected: unknown;
        try {
          expected = full(text);
        } catch {
          throw new Error(`fast reader accepted text the full parser rejects:\n${text}`);
        }
        expect(fast, text).toEqual(expected ?? {});
      }),
      { numRuns: 3000, seed: 20_261_207 },
    );
  });
});
