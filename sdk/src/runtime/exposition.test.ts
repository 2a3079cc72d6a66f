import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { formatValue, renderRegistry } from './exposition.js';

// prom-client's types declare no constructor argument; the JS takes the content type.
const RegistryWithType = Registry as unknown as new (contentType: string) => Registry;

function sample(contentType: string): Registry {
  const registry = new RegistryWithType(contentType);
  const registers = [registry];
  const c = new Counter({
    name: 'x_requests_total',
    help: 'Requests with "quotes", back\\slash\nand newline',
    labelNames: ['target', 'code'],
    registers,
  });
  c.inc({ target: 'a', code: '200' }, 3);
  c.inc({ target: 'we"ird\\va\nlue', code: '500' });
  new Counter({ name: 'x_plain_total', help: 'No labels', registers }).inc(0.5);
  const g = new Gauge({ name: 'x_size_bytes', help: 'Size', labelNames: ['target'], registers });
  g.set({ target: 'a' }, 1e21);
  g.set({ target: 'b' }, -0.25);
  g.set({ target: 'c' }, Infinity);
  new Gauge({ name: 'x_empty', help: 'Never set, with labels', labelNames: ['l'], registers });
  const h = new Histogram({
    name: 'x_latency_seconds',
    help: 'Latency',
    labelNames: ['phase'],
    buckets: [0.1, 1],
    registers,
  });
  h.observe({ phase: 'dns' }, 0.05);
  h.observe({ phase: 'dns' }, 2);
  h.observe({ phase: 'tls' }, 0.5);
  new Histogram({ name: 'x_unlabelled_seconds', help: 'Unlabelled', registers }).observe(0.3);
  const s = new Summary({
    name: 'x_rtt_seconds',
    help: 'RTT',
    labelNames: ['target'],
    percentiles: [0.5, 0.9],
    registers,
  });
  s.observe({ target: 'a' }, 0.01);
  s.observe({ target: 'a' }, 0.03);
  return registry;
}

describe('renderRegistry', () => {
  it('matches prom-client text output byte for byte', async () => {
    const registry = sample(Registry.PROMETHEUS_CONTENT_TYPE);
    const expected = await registry.metrics();
    expect(await renderRegistry(registry, false)).toBe(expected);
  });

  it('matches prom-client OpenMetrics output byte for byte, without renaming the counters', async () => {
    const registry = sample(Registry.PROMETHEUS_CONTENT_TYPE);
    const ours = await renderRegistry(registry, true);
    const before = registry.getMetricsAsArray().map((m) => (m as unknown as { name: string }).name);
    expect(before).toContain('x_requests_total'); // ours did not mutate anything
    const reference = sample(Registry.OPENMETRICS_CONTENT_TYPE);
    expect(ours).toBe(await reference.metrics());
    expect(ours.endsWith('# EOF\n')).toBe(true);
    // And a text render after an OpenMetrics one still has the counter names.
    expect(await renderRegistry(registry, false)).toContain('x_requests_total{target="a",code="200"} 3');
  });

  it('reuses cached label text but notices a new series', async () => {
    const registry = new Registry();
    const g = new Gauge({ name: 'y', help: 'y', labelNames: ['t'], registers: [registry] });
    g.set({ t: 'a' }, 1);
    expect(await renderRegistry(registry, false)).toContain('y{t="a"} 1');
    g.set({ t: 'a' }, 2);
    g.set({ t: 'b' }, 3);
    const text = await renderRegistry(registry, false);
    expect(text).toContain('y{t="a"} 2');
    expect(text).toContain('y{t="b"} 3');
  });

  it('spells special values as the exposition formats require', () => {
    expect([NaN, Infinity, -Infinity, 0, 1.5].map(formatValue)).toEqual(['NaN', '+Inf', '-Inf', '0', '1.5']);
  });
});
