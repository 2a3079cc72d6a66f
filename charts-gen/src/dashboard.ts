/**
 * files/dashboard.json: a Grafana dashboard with one panel per declared metric plus the SDK's
 * run-outcome and start-lateness panels. It is a static file loaded with `.Files.Get`, so its
 * `{{ }}` legend formats never pass through Helm's template engine; the ConfigMap template
 * only swaps two markers for a per-release uid and title.
 */
import type { AppManifest, MetricDeclaration } from '@nmaas/sdk/model';
import { DASHBOARD_INSTANCE_MARKER, DASHBOARD_UID_MARKER } from './objects.js';

/** Metrics the SDK runtime exports for every app (sdk/src/runtime/metrics.ts). */
export const SDK_RUNS_METRIC = 'nmaas_runs_total';
export const SDK_LATENESS_METRIC = 'nmaas_start_lateness_seconds';

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const SCOPE = 'namespace="$namespace", service=~"$service"';

interface Panel {
  title: string;
  description: string;
  targets: { expr: string; legendFormat: string }[];
  unit: string;
}

function by(labels: string[]): string {
  return labels.length > 0 ? ` by (${labels.join(', ')})` : '';
}

function legend(labels: string[], fallback: string): string {
  return labels.length > 0 ? labels.map((l) => `{{${l}}}`).join(' ') : fallback;
}

/**
 * Grafana's unit for what a panel plots. Gauges and quantiles plot the metric itself: seconds,
 * bytes, ratios, and Unix timestamps (`*_timestamp_seconds`) shown as dates. Counters plot a rate:
 * bytes per second, seconds per second (busy fraction) or events per second.
 */
export function unitOf(metric: MetricDeclaration): string {
  if (metric.type === 'counter') {
    if (metric.unit === 'bytes' || /_bytes_total$/.test(metric.name)) return 'Bps';
    if (metric.unit === 'seconds' || /_seconds_total$/.test(metric.name)) return 'percentunit';
    return 'ops';
  }
  if (/_timestamp_seconds$/.test(metric.name)) return 'dateTimeAsIso';
  if (metric.unit === 'seconds' || /_seconds$/.test(metric.name)) return 's';
  if (metric.unit === 'bytes' || /_bytes$/.test(metric.name)) return 'bytes';
  if (metric.unit === 'ratio' || /_ratio$/.test(metric.name)) return 'percentunit';
  return 'short';
}

export function metricPanel(metric: MetricDeclaration): Panel {
  const sel = `{${SCOPE}}`;
  const labels = metric.labels;
  switch (metric.type) {
    case 'counter':
      return {
        title: metric.name,
        description: metric.help,
        unit: unitOf(metric),
        targets: [
          {
            expr: `sum${by(labels)} (rate(${metric.name}${sel}[$__rate_interval]))`,
            legendFormat: legend(labels, metric.name),
          },
        ],
      };
    case 'gauge':
      return {
        title: metric.name,
        description: metric.help,
        unit: unitOf(metric),
        targets: [
          {
            expr: `max${by(['pod', ...labels])} (${metric.name}${sel})`,
            legendFormat: legend(['pod', ...labels], metric.name),
          },
        ],
      };
    case 'histogram':
      return {
        title: metric.name,
        description: metric.help,
        unit: unitOf(metric),
        targets: [0.5, 0.95].map((q) => ({
          expr: `histogram_quantile(${q}, sum${by(['le', ...labels])} (rate(${metric.name}_bucket${sel}[$__rate_interval])))`,
          legendFormat: `p${q * 100} ${legend(labels, '')}`.trim(),
        })),
      };
    case 'summary':
      return {
        title: metric.name,
        description: metric.help,
        unit: unitOf(metric),
        targets: [
          {
            expr: `sum${by(labels)} (rate(${metric.name}_sum${sel}[$__rate_interval])) / sum${by(labels)} (rate(${metric.name}_count${sel}[$__rate_interval]))`,
            legendFormat: `mean ${legend(labels, '')}`.trim(),
          },
        ],
      };
  }
}

export function dashboardJson(manifest: AppManifest): string {
  const panels: Panel[] = [
    {
      title: 'Runs by outcome',
      description: 'Scheduled runs per second by outcome (success, failure, timeout, skipped), from the NMaaS SDK.',
      unit: 'ops',
      targets: [
        {
          expr: `sum by (outcome) (rate(${SDK_RUNS_METRIC}{${SCOPE}}[$__rate_interval]))`,
          legendFormat: '{{outcome}}',
        },
      ],
    },
    {
      title: 'Start lateness',
      description: 'Actual minus scheduled start of each run (p50 and p99): how well the schedule is kept.',
      unit: 's',
      targets: [0.5, 0.99].map((q) => ({
        expr: `histogram_quantile(${q}, sum by (le) (rate(${SDK_LATENESS_METRIC}_bucket{${SCOPE}}[$__rate_interval])))`,
        legendFormat: `p${q * 100}`,
      })),
    },
    ...manifest.metrics.map(metricPanel),
  ];
  const dashboard = {
    uid: DASHBOARD_UID_MARKER,
    title: `${manifest.displayName} (${DASHBOARD_INSTANCE_MARKER})`,
    description: manifest.description,
    tags: ['nmaas', manifest.category, manifest.name],
    editable: true,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
        {
          name: 'namespace',
          label: 'Namespace',
          type: 'query',
          datasource: DATASOURCE,
          query: { query: `label_values(${SDK_RUNS_METRIC}, namespace)`, refId: 'namespace' },
          definition: `label_values(${SDK_RUNS_METRIC}, namespace)`,
          refresh: 2,
          current: {},
          hide: 0,
        },
        {
          name: 'service',
          label: 'Release',
          type: 'query',
          datasource: DATASOURCE,
          query: { query: `label_values(${SDK_RUNS_METRIC}{namespace="$namespace"}, service)`, refId: 'service' },
          definition: `label_values(${SDK_RUNS_METRIC}{namespace="$namespace"}, service)`,
          refresh: 2,
          includeAll: true,
          multi: true,
          current: {},
          hide: 0,
        },
      ],
    },
    panels: panels.map((p, i) => ({
      id: i + 1,
      type: 'timeseries',
      title: p.title,
      description: p.description,
      datasource: DATASOURCE,
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
      targets: p.targets.map((t, j) => ({
        refId: String.fromCharCode(65 + j),
        datasource: DATASOURCE,
        expr: t.expr,
        legendFormat: t.legendFormat,
      })),
    })),
  };
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
