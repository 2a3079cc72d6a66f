/**
 * Hostile values.schema.json: a tiny schema that asks for four billion items, and one nested
 * 20,000 deep, are findings (and only the defaults are rendered), never an out-of-memory crash or
 * a stack overflow. Their benign twins, schemas with `$ref`/`allOf`/`oneOf` within the limits,
 * have their form bounds explored.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from './engine.js';
import { boundValueSets } from './render/bounds.js';
import { schemaProblems } from './render/schema-limits.js';
import { buildCase, tempDir } from './testing/index.js';

let work: string;
beforeAll(async () => {
  work = await tempDir('nmaas-hostile-schema-');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function chartWithSchema(id: string, schema: string, extraValues = ''): Promise<string> {
  const dir = await buildCase(
    { id, description: id, expect: [], add: { 'values.schema.json': schema } },
    path.join(work, id),
  );
  if (extraValues)
    await writeFile(
      path.join(dir, 'values.yaml'),
      `${await readFile(path.join(dir, 'values.yaml'), 'utf8')}\n${extraValues}\n`,
    );
  return dir;
}

const deep = (depth: number) =>
  `${'{"type":"object","properties":{"x":'.repeat(depth)}{"type":"integer","minimum":1}${'}}'.repeat(depth)}`;

describe('hostile values.schema.json', () => {
  it('minItems 4294967296 in a 100-byte schema is a finding, not an out-of-memory crash', async () => {
    const schema = '{"type":"object","properties":{"a":{"type":"array","minItems":4294967296}}}';
    expect(schema.length).toBeLessThan(100);
    const report = await validate(await chartWithSchema('min-items', schema, 'a: [1]'));
    const f = report.findings.filter((x) => x.ruleId === 'NMAAS-CHART-VALUES-SCHEMA');
    expect(f.map((x) => x.message)).toEqual([expect.stringContaining('minItems: 4294967296 at /properties/a')]);
    expect(report.valueSets.filter((s) => s.includes('bounds'))).toEqual([]);
  });

  it('a schema nested 20,000 deep is a finding, not a stack overflow', async () => {
    const report = await validate(await chartWithSchema('deep', deep(20_000)));
    expect(report.findings.filter((x) => x.ruleId === 'NMAAS-CHART-VALUES-SCHEMA').map((x) => x.message)).toEqual([
      expect.stringContaining('nests deeper than 64 levels'),
    ]);
    expect(report.valueSets.filter((s) => s.includes('bounds'))).toEqual([]);
  });

  it('a chart that refuses every combination of its 60 values cannot make helm run more than 40 times', async () => {
    const dir = path.join(work, 'refuser');
    await mkdir(path.join(dir, 'templates'), { recursive: true });
    const keys = Array.from({ length: 60 }, (_, i) => `k${i}`);
    await writeFile(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: refuser\nversion: 0.1.0\n');
    await writeFile(path.join(dir, 'values.yaml'), keys.map((k) => `${k}: 5`).join('\n'));
    const properties = Object.fromEntries(keys.map((k) => [k, { type: 'integer', minimum: 1, maximum: 9 }]));
    await writeFile(path.join(dir, 'values.schema.json'), JSON.stringify({ type: 'object', properties }));
    await writeFile(
      path.join(dir, 'templates', 'refuse.yaml'),
      '{{- range $k, $v := .Values }}{{ if ne (int $v) 5 }}{{ fail "every value must stay 5" }}{{ end }}{{ end }}\n',
    );
    const report = await validate(dir);
    expect(report.renderCount).toBe(40);
    expect(
      report.findings.some((f) => f.ruleId === 'NMAAS-CHART-RENDER' && /already ran helm 40 times/.test(f.message)),
    ).toBe(true);
  });

  it('the limits are checked without recursion, on any depth JSON.parse accepts', () => {
    expect(schemaProblems(JSON.parse(deep(100_000)))).toEqual([
      { message: 'values.schema.json nests deeper than 64 levels' },
    ]);
    expect(schemaProblems(JSON.parse(deep(10)))).toEqual([]);
  });

  it('benign twin: $ref, allOf and oneOf within the limits are explored at their bounds', () => {
    const schema = {
      type: 'object',
      $defs: { count: { type: 'integer', minimum: 1, maximum: 9 } },
      properties: {
        replicas: { $ref: '#/$defs/count' },
        probe: { allOf: [{ type: 'object', properties: { timeout: { type: 'integer', minimum: 2, maximum: 30 } } }] },
        mode: { oneOf: [{ enum: ['icmp'] }, { enum: ['tcp', 'udp'] }] },
      },
    };
    const [, lower, upper] = boundValueSets(schema, { replicas: 3, probe: { timeout: 5 }, mode: 'tcp' });
    expect(lower).toEqual({ name: 'lower-bounds', values: { replicas: 1, probe: { timeout: 2 }, mode: 'icmp' } });
    expect(upper).toEqual({ name: 'upper-bounds', values: { replicas: 9, probe: { timeout: 30 }, mode: 'udp' } });
  });
});
