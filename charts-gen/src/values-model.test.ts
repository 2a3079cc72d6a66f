import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { loadApp } from '@nmaas/sdk/model';
import { buildValueSpecs, questionEntries, valuesObject, valuesSchema, QUESTION_GROUPS } from './values-model.js';
import { DASHBOARD_QUESTION_TYPES, fixtureApps } from './testing/chart.js';
import { parse } from 'yaml';
import { chartFiles } from './synthesize.js';

const knownType = (t: string) => DASHBOARD_QUESTION_TYPES.has(t) || /^(array|map|reference)\[.+\]$/.test(t);

function at(values: unknown, dotted: string): { found: boolean; value: unknown } {
  let node: unknown = values;
  for (const key of dotted.split('.')) {
    if (node === null || typeof node !== 'object' || !(key in (node as object)))
      return { found: false, value: undefined };
    node = (node as Record<string, unknown>)[key];
  }
  return { found: true, value: node };
}

describe.each(fixtureApps())('values, schema and questions of $id', ({ dir }) => {
  it('questions.yaml: every variable is in values.yaml with the same typed default and a type Rancher knows', async () => {
    const files = await chartFiles(await loadApp(dir));
    const values = parse(files.get('values.yaml') as string) as Record<string, unknown>;
    const { questions } = parse(files.get('questions.yaml') as string) as {
      questions: {
        variable: string;
        type: string;
        default: unknown;
        options?: string[];
        group: string;
        label: string;
        subquestions?: unknown;
      }[];
    };
    expect(questions.length).toBeGreaterThan(0);
    for (const q of questions) {
      const v = at(values, q.variable);
      expect(v.found, `${q.variable} is missing from values.yaml`).toBe(true);
      expect(q.default, q.variable).toStrictEqual(v.value);
      expect(knownType(q.type), `${q.variable}: type ${q.type}`).toBe(true);
      expect(q.label).toBeTruthy();
      if (q.type === 'enum') expect(q.options).toContain(q.default);
      if (q.type === 'int') expect(Number.isInteger(q.default)).toBe(true);
      if (q.type === 'boolean') expect(typeof q.default).toBe('boolean');
    }
    // show_if conditions name variables of the form, compared with their own kind of value.
    for (const q of questions as { variable: string; show_if?: string }[]) {
      if (q.show_if === undefined) continue;
      const [variable, expected] = q.show_if.split('=');
      const target = questions.find((other) => other.variable === variable);
      expect(target, `${q.variable} show_if names ${variable}`).toBeDefined();
      expect(
        String(
          target!.default === true || target!.default === false ? expected === 'true' || expected === 'false' : true,
        ),
      ).toBe('true');
    }
    for (const group of ['Schedule', 'Resources', 'Placement', 'Monitoring'])
      expect(questions.map((q) => q.group)).toContain(group);
    // Groups come in the documented order.
    const ranks = questions
      .map((q) => (QUESTION_GROUPS as readonly string[]).indexOf(q.group))
      .map((r) => (r < 0 ? QUESTION_GROUPS.length : r));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
  });

  it('values.yaml passes values.schema.json, and the schema covers every key', async () => {
    const files = await chartFiles(await loadApp(dir));
    const values = parse(files.get('values.yaml') as string);
    const schema = JSON.parse(files.get('values.schema.json') as string);
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    expect(validate(values), JSON.stringify(validate.errors)).toBe(true);
    const specs = buildValueSpecs((await loadApp(dir)).manifest);
    expect(valuesObject(specs)).toEqual(values);
    expect(valuesSchema(specs, 'x').properties).toHaveProperty('parameters');
  });
});

describe('bounds', () => {
  it('derives schedule options and resource bounds from the declaration', async () => {
    const { manifest } = await loadApp(path.join(fixtureApps()[1]!.dir));
    const specs = buildValueSpecs(manifest);
    const byPath = new Map(specs.map((s) => [s.path.join('.'), s]));
    expect(byPath.get('schedule.every')!.schema.enum).toEqual([
      '20s',
      '30s',
      '1m',
      '2m',
      '3m',
      '4m',
      '5m',
      '6m',
      '10m',
      '12m',
      '15m',
      '20m',
      '30m',
      '1h',
      '2h',
      '3h',
      '4h',
      '6h',
      '8h',
      '12h',
      '24h',
    ]);
    expect(byPath.get('resources.run.cpuMillicores')!.schema).toMatchObject({
      type: 'integer',
      minimum: 250,
      maximum: 2000,
    });
    expect(byPath.get('parameters.targets')!.schema).toMatchObject({
      type: 'array',
      minItems: 1,
      maxItems: 20,
      items: { pattern: '^https?://' },
    });
    const questions = questionEntries(specs);
    expect(questions.find((q) => q.variable === 'parameters.targets')!.type).toBe('array[string]');
    expect(questions.find((q) => q.variable === 'parameters.weight')!.type).toBe('float');
    expect(await readFile(path.join(fixtureApps()[1]!.dir, 'nmaas.yaml'), 'utf8')).toContain('web-qos-full');
  });
});
