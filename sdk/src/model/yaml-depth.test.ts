/** The nesting depth is judged on the lexer's tokens, before the recursive yaml composer runs. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { firstTooDeep, MAX_YAML_DEPTH } from './yaml-depth.js';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));

describe('firstTooDeep', () => {
  it('passes every example nmaas.yaml and fixture-like nesting', () => {
    for (const app of readdirSync(examples, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      const text = readFileSync(`${examples}${app.name}/nmaas.yaml`, 'utf8');
      expect(firstTooDeep(text), app.name).toBeUndefined();
    }
    expect(firstTooDeep('a:\n  b:\n  - c: [1, {d: [2]}]\n    e: |\n      [[[[\n')).toBeUndefined();
  });

  it('counts flow, compact and indented nesting, and where it goes too deep', () => {
    const flow = (n: number) => `a: ${'['.repeat(n)}${']'.repeat(n)}\n`;
    expect(firstTooDeep(flow(MAX_YAML_DEPTH - 1))).toBeUndefined();
    expect(firstTooDeep(flow(5000))).toEqual({ line: 1, column: 3 + MAX_YAML_DEPTH });
    expect(firstTooDeep(`${'- '.repeat(MAX_YAML_DEPTH + 1)}x\n`)).toEqual({ line: 1, column: 2 * MAX_YAML_DEPTH + 1 });
    const staircase = Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}-\n`).join('');
    expect(firstTooDeep(staircase)).toEqual({ line: MAX_YAML_DEPTH + 1, column: MAX_YAML_DEPTH + 1 });
    const maps = Array.from({ length: 200 }, (_, i) => `${'  '.repeat(i)}k${i}:\n`).join('');
    expect(firstTooDeep(maps)?.line).toBe(MAX_YAML_DEPTH + 1);
  });

  it('ignores brackets and dashes inside scalars and comments', () => {
    const text = `a: "${'['.repeat(500)}"\nb: '${'{'.repeat(500)}'\n# ${'- '.repeat(500)}\nc: x${'['.repeat(500)}\n`;
    expect(firstTooDeep(text)).toBeUndefined();
  });

  it('closes block collections when a line goes back left', () => {
    // 200 siblings each 3 deep: never deeper than 3, however long.
    expect(firstTooDeep('- a:\n    - x\n'.repeat(200))).toBeUndefined();
    expect(firstTooDeep('k:\n  - [1, [2]]\n'.repeat(200).replace(/^k/gm, (_, i: number) => `k${i}`))).toBeUndefined();
  });

  it('judges 1 MiB of hostile text: a deep one is found, a long shallow one passes', () => {
    expect(firstTooDeep(`${'- '.repeat(512 * 1024)}x`)).toEqual({ line: 1, column: 2 * MAX_YAML_DEPTH + 1 });
    expect(firstTooDeep('[]\n- '.repeat(256 * 1024))).toBeUndefined();
  });
});
