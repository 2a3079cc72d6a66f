/**
 * Many value sets in one helm process must render exactly what each set renders alone; a chart
 * that renders differently as a subchart is rendered one set at a time instead.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundValueSets } from './bounds.js';
import { batchable, renderBatch, sameRender } from './batch.js';
import { RENDER_NAMESPACE, RENDER_RELEASE, renderChart, type RenderResult } from './render.js';
import { validate } from '../engine.js';
import { BASE_CHART, buildCase, tempDir } from '../testing/index.js';

const review = { release: RENDER_RELEASE, namespace: RENDER_NAMESPACE };
let work: string;
beforeAll(async () => {
  work = await tempDir();
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('rendering value sets in one helm process', () => {
  it('renders every value set of the base chart exactly as it renders alone', async () => {
    const schema = JSON.parse(await readFile(path.join(BASE_CHART, 'values.schema.json'), 'utf8')) as unknown;
    const defaults = parse(await readFile(path.join(BASE_CHART, 'values.yaml'), 'utf8')) as unknown;
    const sets = boundValueSets(schema, defaults);
    expect(sets.length).toBeGreaterThan(5);
    const batch = await renderBatch({
      chartDir: BASE_CHART,
      chartName: 'web-qos-full',
      sets,
      workDir: work,
      context: review,
    });
    if (!(batch instanceof Map)) throw new Error(batch.error);
    const alone = new Map<string, RenderResult>();
    for (const set of sets) alone.set(set.name, await renderChart(BASE_CHART, 'web-qos-full', set, work));
    for (const set of sets) {
      const a = alone.get(set.name)!;
      expect(a.error, set.name).toBeUndefined();
      expect(sameRender(batch.get(set.name)!, a), set.name).toBe(true);
      // The chart's name is back where helm printed the alias, and sources are the chart's own paths.
      expect(batch.get(set.name)!.objects.map((o) => o.object.metadata?.name)).toEqual(
        a.objects.map((o) => o.object.metadata?.name),
      );
      expect(batch.get(set.name)!.objects.every((o) => o.source?.startsWith('templates/'))).toBe(true);
    }
  });

  it('reports an error for the whole batch when the chart refuses one set', async () => {
    const result = await renderBatch({
      chartDir: BASE_CHART,
      chartName: 'web-qos-full',
      sets: [
        { name: 'defaults', values: {} },
        { name: 'bad', values: { replicaCount: 'many' } },
      ],
      workDir: work,
      context: review,
    });
    expect(result instanceof Map).toBe(false);
  });

  it('validates a chart that branches on its own name one set at a time, and still sees the branch', async () => {
    // Privileged only when the chart is called by its own name and the user picks the largest replica count.
    const dir = await buildCase(
      {
        id: 'chart-name-branch',
        description: '',
        expect: [],
        edits: [
          {
            file: 'templates/deployment.yaml',
            replace: 'privileged: false',
            with: 'privileged: {{ and (eq .Chart.Name "web-qos-full") (ge (int .Values.replicaCount) 1000) }}',
          },
        ],
      },
      path.join(work, 'name-branch'),
    );
    const report = await validate(dir);
    const privileged = report.findings.filter((f) => f.ruleId === 'NMAAS-PSS-PRIVILEGED');
    expect(privileged.flatMap((f) => f.valueSets ?? [])).toContain('upper-bounds');
  });

  it('renders one set at a time a chart whose defaults render differently as a subchart', async () => {
    const dir = await buildCase(
      {
        id: 'template-path',
        description: '',
        expect: [],
        add: {
          'templates/where.yaml':
            'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: where }\ndata: { at: "{{ .Template.BasePath }}" }\n',
        },
      },
      path.join(work, 'template-path'),
    );
    const report = await validate(dir);
    expect(report.helmProcesses).toBeGreaterThan(report.renderCount! - 1);
    expect(report.valueSets).toContain('upper-bounds');
    expect(report.findings.filter((f) => f.ruleId === 'NMAAS-CHART-RENDER')).toEqual([]);
  });

  it('uses one process for the value sets of a chart that renders the same as a subchart', async () => {
    const report = await validate(BASE_CHART);
    // The defaults alone, the batch, and the install contexts (upgrade, oldest and newest Kubernetes).
    expect(report.helmProcesses).toBeLessThanOrEqual(5);
    expect(report.renderCount).toBeGreaterThan(report.helmProcesses!);
  });
});

describe('batchable', () => {
  it('keeps a set with a global block (which would reach every copy in the wrapper) out of the batch', () => {
    expect(batchable({ name: 'x', values: { global: { a: 1 } } })).toBe(false);
    expect(batchable({ name: 'y', values: { replicaCount: 2 } })).toBe(true);
  });
});
