/**
 * The PrometheusRule's alerts: the standard ones every app gets on the SDK runtime's metrics (runs
 * failing, runs stopped, target down, runs skipped or late) and the app's own from nmaas.yaml.
 *
 * Every alert is scoped to its own release: each selector of a metric the release exports gets
 * `namespace` and `service` matchers (the labels prometheus-operator puts on every series it
 * scrapes through the chart's ServiceMonitor), so two releases of one app never fire each
 * other's alerts. Each alert carries `severity`, `summary`, `description` and `runbook_url`.
 */
import type { AlertDeclaration, AppManifest, MetricDeclaration } from '@nmaas/sdk/model';

/** Metrics of the SDK runtime (sdk/src/runtime/metrics.ts) that the standard alerts read. */
export const SDK_METRICS = {
  runs: 'nmaas_runs_total',
  lateness: 'nmaas_start_lateness_seconds',
  lastRun: 'nmaas_last_run_timestamp_seconds',
  lastSuccess: 'nmaas_last_success_timestamp_seconds',
  period: 'nmaas_schedule_period_seconds',
  duration: 'nmaas_schedule_duration_seconds',
  processStart: 'process_start_time_seconds',
} as const;

/** Seconds of start lateness (p99 over an hour) past which runs count as late. */
export const LATE_START_SECONDS = 10;

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  severity: string;
  summary: string;
  description: string;
}

/** The series names a metric declaration exports (histograms and summaries add suffixes). */
function seriesNames(metric: MetricDeclaration): string[] {
  if (metric.type === 'histogram') return [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`];
  if (metric.type === 'summary') return [metric.name, `${metric.name}_sum`, `${metric.name}_count`];
  return [metric.name];
}

const IDENT = /[A-Za-z0-9_:]/;

/** Index just past the string literal that starts at `start` (PromQL's ", ' and ` quotes). */
function skipString(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length && text[i] !== quote) i += text[i] === '\\' && quote !== '`' ? 2 : 1;
  return i + 1;
}

/**
 * Adds `scope` (matchers such as `namespace="x", service="y"`) to every selector of the named
 * metrics in a PromQL expression. A scanner, not a parser: names count only as whole identifiers
 * outside string literals (so `foo` never matches `foo_bucket`, a label value or a label name
 * inside braces), and an existing `{…}` after the name gets the scope as its first matchers.
 * promtool checks every result in the tests.
 */
export function scopeExpression(expr: string, metricNames: string[], scope: string): string {
  const names = new Set(metricNames);
  let out = '';
  let i = 0;
  let braces = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const end = skipString(expr, i);
      out += expr.slice(i, end);
      i = end;
      continue;
    }
    if (c === '{') braces++;
    if (c === '}') braces--;
    if (!IDENT.test(c) || braces > 0) {
      out += c;
      i++;
      continue;
    }
    let j = i;
    while (j < expr.length && IDENT.test(expr[j]!)) j++;
    const word = expr.slice(i, j);
    out += word;
    i = j;
    if (!names.has(word)) continue;
    let k = j;
    while (k < expr.length && /\s/.test(expr[k]!)) k++;
    if (expr[k] === '{') {
      let inner = k + 1;
      while (inner < expr.length && /\s/.test(expr[inner]!)) inner++;
      const empty = expr[inner] === '}';
      out += `${expr.slice(j, k)}{${scope}${empty ? '' : ', '}`;
      i = inner;
      braces++;
    } else {
      out += `{${scope}}`;
    }
  }
  return out;
}

/** Every metric series a release exports, to scope the app's own alert expressions. */
export function releaseSeries(manifest: AppManifest): string[] {
  return [...Object.values(SDK_METRICS), 'up', ...manifest.metrics.flatMap(seriesNames)];
}

/** The alerts every app gets, on the SDK's metrics; `s` is the release scope. */
export function standardAlerts(manifest: AppManifest, s: string): AlertRule[] {
  const m = SDK_METRICS;
  const app = manifest.displayName;
  return [
    {
      alert: 'NmaasRunsFailing',
      expr: `(time() - ${m.lastSuccess}{${s}} > 3 * ${m.period}{${s}}) and (${m.lastRun}{${s}} > ${m.lastSuccess}{${s}})`,
      for: '10m',
      severity: 'warning',
      summary: `${app}: runs in {{ $labels.pod }} keep failing`,
      description:
        'Runs end but none has succeeded for three periods: the measurement produces no results. Read the pod log and /results for the error of the last run.',
    },
    {
      alert: 'NmaasRunsStopped',
      expr: `(time() - ${m.lastRun}{${s}} > 3 * ${m.period}{${s}} + ${m.duration}{${s}}) and (time() - ${m.processStart}{${s}} > 2 * ${m.period}{${s}})`,
      for: '10m',
      severity: 'warning',
      summary: `${app}: {{ $labels.pod }} has run nothing for three periods`,
      description:
        'The runtime is up but no run has ended for three periods: the schedule is stuck. Restart the pod and report the log.',
    },
    {
      alert: 'NmaasTargetDown',
      expr: `up{${s}} == 0`,
      for: '10m',
      severity: 'warning',
      summary: `${app}: Prometheus cannot scrape {{ $labels.pod }}`,
      description:
        'The metrics endpoint does not answer: the pod is down, not ready, or a NetworkPolicy blocks the monitoring namespace.',
    },
    {
      alert: 'NmaasRunsSkipped',
      expr: `sum by (namespace, service, pod) (increase(${m.runs}{${s}, outcome="skipped"}[1h])) > 0`,
      for: '0m',
      severity: 'info',
      summary: `${app}: {{ $labels.pod }} skipped runs in the last hour`,
      description:
        'A run was skipped because the previous one was still running or its start was too late: results have gaps. A longer period or a shorter duration helps.',
    },
    {
      alert: 'NmaasRunsLate',
      expr: `histogram_quantile(0.99, sum by (namespace, service, pod, le) (rate(${m.lateness}_bucket{${s}}[1h]))) > ${LATE_START_SECONDS}`,
      for: '30m',
      severity: 'info',
      summary: `${app}: runs in {{ $labels.pod }} start more than ${LATE_START_SECONDS} s late`,
      description:
        'Runs start late against their scheduled phase, so they may overlap other measurements on the node. The node is overloaded or its clock is off.',
    },
  ];
}

/** An app's own alert, scoped to the release. */
export function appAlert(manifest: AppManifest, alert: AlertDeclaration, s: string): AlertRule {
  return {
    alert: alert.name,
    expr: scopeExpression(alert.expr, releaseSeries(manifest), s),
    for: alert.for,
    severity: alert.severity,
    summary: alert.summary,
    description: alert.description ?? alert.summary,
  };
}

/** The anchor of an alert's runbook section in the chart README. */
export function runbookAnchor(alertName: string): string {
  return alertName.toLowerCase();
}
