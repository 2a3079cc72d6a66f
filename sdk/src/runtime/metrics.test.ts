import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { tool } from '../testing/index.js';
import { AppMetrics, wantsOpenMetrics } from './metrics.js';
import type { MetricDeclaration } from '../model/schema.js';

const decl = (d: Partial<MetricDeclaration> & Pick<MetricDeclaration, 'name' | 'type'>): MetricDeclaration => ({
  help: `help of ${d.name}`,
  labels: [],
  ...d,
});

const declarations: MetricDeclaration[] = [
  decl({ name: 'app_probes_total', type: 'counter', labels: ['target'] }),
  decl({ name: 'app_size_bytes', type: 'gauge', labels: ['target'] }),
  decl({ name: 'app_latency_seconds', type: 'histogram', labels: ['phase'], buckets: [0.1, 1] }),
  decl({ name: 'app_rtt_seconds', type: 'summary' }),
];

function populated(cap = 1000, onCapReached?: (m: string, c: number) => void): AppMetrics {
  const m = new AppMetrics({ app: 'demo', version: '1.0.0', declarations, maxSeriesPerMetric: cap, onCapReached });
  m.declared.counter('app_probes_total').inc({ target: 'a' });
  m.declared.gauge('app_size_bytes').set({ target: 'a' }, 512);
  m.declared.histogram('app_latency_seconds').observe({ phase: 'connect' }, 0.05);
  m.declared.summary('app_rtt_seconds').observe(0.02);
  m.recordRun('success', 0.2, 1_800_000_000_000);
  m.recordRun('failure', 0.1, 1_800_000_005_000);
  m.recordSkip(2);
  m.lateness.observe(0.0004);
  m.setSchedule(300, 42, 20);
  return m;
}

describe('AppMetrics', () => {
  it('exposes the standard metrics with base-unit names and the nmaas_ prefix', async () => {
    const { body, contentType } = await populated().render(false);
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    for (const outcome of ['success', 'failure', 'timeout'])
      expect(body).toMatch(new RegExp(`nmaas_runs_total\\{outcome="${outcome}"\\} \\d`));
    expect(body).toContain('nmaas_runs_total{outcome="skipped"} 2');
    expect(body).toContain('# TYPE nmaas_run_duration_seconds histogram');
    expect(body).toContain('nmaas_start_lateness_seconds_bucket{le="0.0005"} 1');
    expect(body).toContain('nmaas_last_run_timestamp_seconds 1800000005');
    expect(body).toContain('nmaas_last_success_timestamp_seconds 1800000000');
    expect(body).toContain('nmaas_app_info{app="demo",version="1.0.0"} 1');
    expect(body).toContain('nmaas_schedule_phase_seconds 42');
    expect(body).toContain('app_probes_total{target="a"} 1');
    expect(body).toMatch(/process_resident_memory_bytes \d+/);
  });

  it('renders OpenMetrics on request and keeps counter names intact for later text renders', async () => {
    const m = populated();
    const om = await m.render(true);
    expect(om.contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(om.body.endsWith('# EOF\n')).toBe(true);
    expect(om.body).toContain('# TYPE nmaas_runs counter');
    expect(om.body).toContain('nmaas_runs_total{outcome="success"} 1');
    const text = await m.render(false);
    expect(text.body).toContain('# TYPE nmaas_runs_total counter');
    expect(text.body).toContain('app_probes_total{target="a"} 1');
    // Concurrent renders in both formats do not corrupt each other.
    const both = await Promise.all([m.render(true), m.render(false), m.render(true), m.render(false)]);
    const stable = (body: string) => body.replace(/^(process_\w+) .*$/gm, '$1');
    expect(stable(both[1]!.body)).toBe(stable(text.body));
    expect(stable(both[2]!.body)).toBe(stable(om.body));
    expect(both[3]!.body).toContain('# TYPE app_probes_total counter');
  });

  it('caps label sets per declared metric and counts what it drops', async () => {
    const reached: string[] = [];
    const m = new AppMetrics({
      app: 'demo',
      version: '1.0.0',
      declarations,
      maxSeriesPerMetric: 3,
      onCapReached: (name, cap) => reached.push(`${name}:${cap}`),
    });
    const probes = m.declared.counter('app_probes_total');
    for (const target of ['a', 'b', 'c', 'd', 'e']) probes.inc({ target });
    probes.inc({ target: 'a' }, 2); // an existing series still counts
    probes.labels('f').inc(); // positional labels go through the cap too
    probes.labels({ target: 'b' }).inc();
    const body = (await m.render(false)).body;
    expect(body.match(/^app_probes_total\{/gm)).toHaveLength(3);
    expect(body).toContain('app_probes_total{target="a"} 3');
    expect(body).toContain('app_probes_total{target="b"} 2');
    expect(body).not.toContain('target="d"');
    expect(body).toContain('nmaas_series_dropped_total{metric="app_probes_total"} 3');
    expect(reached).toEqual(['app_probes_total:3']);
    // Removing a series frees its slot.
    probes.remove({ target: 'c' });
    probes.inc({ target: 'z' });
    expect((await m.render(false)).body).toContain('app_probes_total{target="z"} 1');
    // Timers of a capped histogram observe through the cap as well.
    const hist = m.declared.histogram('app_latency_seconds');
    const end = hist.startTimer({ phase: 'dns' });
    expect(end()).toBeGreaterThanOrEqual(0);
    hist.labels('tls').observe(0.5);
    const after = (await m.render(false)).body;
    expect(after).toContain('app_latency_seconds_count{phase="dns"} 1');
    expect(after).toContain('app_latency_seconds_count{phase="tls"} 1');
    expect(hist instanceof Object && typeof hist.zero).toBe('function');
  });

  it('throws on undeclared names and wrong types with the fix in the message', () => {
    const m = populated();
    expect(() => m.declared.counter('nope_total')).toThrow(
      /not declared in nmaas.yaml; declare it under metrics: \(declared: app_probes_total/,
    );
    expect(() => m.declared.histogram('app_probes_total')).toThrow(
      /declared as a counter in nmaas.yaml, not a histogram; use ctx.metrics.counter\('app_probes_total'\)/,
    );
  });

  it('uses one registry per instance', async () => {
    const a = populated();
    const b = new AppMetrics({ app: 'demo', version: '1.0.0', declarations });
    expect((await b.render(false)).body).not.toContain('app_probes_total{target="a"}');
    expect((await a.render(false)).body).toContain('app_probes_total{target="a"}');
  });

  it('reads the Accept header like Prometheus sends it', () => {
    expect(
      wantsOpenMetrics(
        'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      ),
    ).toBe(true);
    expect(wantsOpenMetrics('text/plain;version=0.0.4')).toBe(false);
    expect(wantsOpenMetrics('application/openmetrics-text; q=0')).toBe(false);
    expect(wantsOpenMetrics(undefined)).toBe(false);
  });
});

const promtool = tool('promtool', 'apt-get install prometheus');
describe.skipIf(promtool.skip)('promtool check metrics', () => {
  it('finds nothing to report in the standard and declared metrics', async () => {
    const { body } = await populated().render(false);
    const check = spawnSync(promtool.path(), ['check', 'metrics'], { input: body, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
