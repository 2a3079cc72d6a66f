/**
 * Renders a prom-client registry in the Prometheus text format (0.0.4) or OpenMetrics 1.0.
 *
 * prom-client's own `registry.metrics()` spends ~25 ms of CPU on 10,000 series (three regex
 * replaces and several arrays per label) and, in OpenMetrics mode, renames counters in place. This
 * renderer reads the same data (`metric.get()` / `getForPromString()`), escapes only values that
 * need it, caches each label set's text per labels object, and never mutates the metrics. Its
 * output matches prom-client's byte for byte (tested), except that NaN is spelled `NaN` as the
 * exposition formats require (prom-client writes `Nan`).
 */
import type { Registry } from 'prom-client';

interface Sample {
  value: number;
  labels?: Record<string, string | number>;
  sharedLabels?: Record<string, string | number>;
  metricName?: string;
}

interface MetricData {
  name: string;
  help: string;
  type: string;
  values?: Sample[];
}

interface Renderable {
  get(): Promise<MetricData> | MetricData;
  getForPromString?: () => Promise<MetricData> | MetricData;
}

const NEEDS_ESCAPE = /[\\"\n]/;
const labelText = new WeakMap<object, string>();

function escapeLabelValue(value: string | number): string {
  const s = String(value);
  return NEEDS_ESCAPE.test(s) ? s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : s;
}

function escapeHelp(help: string): string {
  return help.includes('\\') || help.includes('\n') ? help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : help;
}

function formatLabels(labels: Record<string, string | number>, exclude?: Record<string, unknown>): string {
  let out = '';
  for (const name in labels) {
    if (exclude !== undefined && Object.prototype.hasOwnProperty.call(exclude, name)) continue;
    out += `${out === '' ? '' : ','}${name}="${escapeLabelValue(labels[name]!)}"`;
  }
  return out;
}

/** A label set's text, cached per labels object (prom-client keeps one object per series). */
function cachedLabels(labels: Record<string, string | number>): string {
  let text = labelText.get(labels);
  if (text === undefined) {
    text = formatLabels(labels);
    labelText.set(labels, text);
  }
  return text;
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return `${value}`;
}

/** Appends the metric's lines to `out` (one array for the whole scrape: one join, no rope flattening). */
function renderMetric(data: MetricData, openMetrics: boolean, out: string[]): void {
  const isCounter = data.type === 'counter';
  const family = openMetrics && isCounter ? data.name.replace(/_total$/, '') : data.name;
  out.push(`# HELP ${family} ${escapeHelp(data.help)}`, `# TYPE ${family} ${data.type}`);
  for (const sample of data.values ?? []) {
    let name = sample.metricName ?? family;
    if (openMetrics && isCounter) name = `${name}_total`;
    const shared = sample.sharedLabels;
    const own = sample.labels;
    let labels: string;
    if (shared !== undefined && Object.keys(shared).length > 0) {
      const ownText = own ? formatLabels(own, shared) : '';
      const sharedText = cachedLabels(shared);
      labels = ownText === '' ? sharedText : `${ownText},${sharedText}`;
    } else {
      labels = own ? cachedLabels(own) : '';
    }
    out.push(
      labels === '' ? `${name} ${formatValue(sample.value)}` : `${name}{${labels}} ${formatValue(sample.value)}`,
    );
  }
}

export async function renderRegistry(registry: Registry, openMetrics: boolean): Promise<string> {
  const metrics = registry.getMetricsAsArray() as unknown as Renderable[];
  const data = await Promise.all(metrics.map((m) => (m.getForPromString ? m.getForPromString() : m.get())));
  const out: string[] = [];
  data.forEach((d, i) => {
    // The text format separates families with a blank line (as prom-client does); OpenMetrics does not allow one.
    if (i > 0 && !openMetrics) out.push('');
    renderMetric(d, openMetrics, out);
  });
  out.push(openMetrics ? '# EOF\n' : '');
  return out.join('\n');
}
