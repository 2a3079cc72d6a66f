/**
 * The app's Prometheus registry: the SDK's standard metrics (how runs went, how late they started)
 * next to the metrics the app declared in nmaas.yaml. One registry per app instance, never the
 * global one, so tests and `runMeasurementOnce` start from zero.
 *
 * Label cardinality is capped per declared metric: a measurement that labels by target, URL or
 * address would otherwise grow the registry (and every scrape) without bound. Observations for a
 * label set beyond the cap are dropped and counted in nmaas_series_dropped_total{metric}.
 */
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import type { MetricDeclaration } from '../model/schema.js';
import type { DeclaredMetrics, RunOutcome } from './measurement.js';
import { renderRegistry } from './exposition.js';

export type CountedOutcome = RunOutcome | 'skipped';
export const RUN_OUTCOMES: readonly CountedOutcome[] = ['success', 'failure', 'timeout', 'skipped'];

export const DEFAULT_MAX_SERIES_PER_METRIC = 1000;
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** Fine at the low end: the lateness target is milliseconds. */
const LATENESS_BUCKETS = [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

export interface AppMetricsOptions {
  app: string;
  version: string;
  declarations: MetricDeclaration[];
  maxSeriesPerMetric?: number;
  /** Called once per metric the first time its cap drops an observation. */
  onCapReached?: (metric: string, cap: number) => void;
}

type AnyMetric = Counter<string> | Gauge<string> | Histogram<string> | Summary<string>;

export class AppMetrics {
  readonly registry = new Registry();
  readonly runs: Counter<'outcome'>;
  readonly runDuration: Histogram<'outcome'>;
  readonly lateness: Histogram<string>;
  readonly lastRun: Gauge<string>;
  readonly lastSuccess: Gauge<string>;
  readonly inProgress: Gauge<string>;
  readonly period: Gauge<string>;
  readonly phase: Gauge<string>;
  readonly duration: Gauge<string>;
  readonly dropped: Counter<'metric'>;
  readonly declared: DeclaredMetrics;
  private readonly byName = new Map<string, { type: MetricDeclaration['type']; handle: AnyMetric }>();

  constructor(options: AppMetricsOptions) {
    const registers = [this.registry];
    this.runs = new Counter({
      name: 'nmaas_runs_total',
      help: 'Scheduled runs by outcome (success, failure, timeout, skipped).',
      labelNames: ['outcome'] as const,
      registers,
    });
    for (const outcome of RUN_OUTCOMES) this.runs.inc({ outcome }, 0);
    this.runDuration = new Histogram({
      name: 'nmaas_run_duration_seconds',
      help: 'Duration of each run, from its start to its end or deadline.',
      labelNames: ['outcome'] as const,
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.lateness = new Histogram({
      name: 'nmaas_start_lateness_seconds',
      help: 'Actual start minus scheduled start of each run: the SDK scheduler timing error.',
      buckets: LATENESS_BUCKETS,
      registers,
    });
    this.lastRun = new Gauge({
      name: 'nmaas_last_run_timestamp_seconds',
      help: 'Unix time the last run ended (0 before the first run).',
      registers,
    });
    this.lastSuccess = new Gauge({
      name: 'nmaas_last_success_timestamp_seconds',
      help: 'Unix time the last successful run ended (0 before the first success).',
      registers,
    });
    this.inProgress = new Gauge({
      name: 'nmaas_run_in_progress',
      help: '1 while a run is executing, else 0.',
      registers,
    });
    this.period = new Gauge({
      name: 'nmaas_schedule_period_seconds',
      help: 'Period between scheduled runs.',
      registers,
    });
    this.phase = new Gauge({
      name: 'nmaas_schedule_phase_seconds',
      help: 'Phase of the schedule: runs start at k x period + phase (Unix time).',
      registers,
    });
    this.duration = new Gauge({
      name: 'nmaas_schedule_duration_seconds',
      help: 'Maximum duration of a run; a run is aborted at its scheduled start plus this.',
      registers,
    });
    const info = new Gauge({
      name: 'nmaas_app_info',
      help: 'The measurement app and its version (value is always 1).',
      labelNames: ['app', 'version'] as const,
      registers,
    });
    info.set({ app: options.app, version: options.version }, 1);
    this.dropped = new Counter({
      name: 'nmaas_series_dropped_total',
      help: 'Observations dropped because a metric reached its cap on label sets.',
      labelNames: ['metric'] as const,
      registers,
    });
    this.registerProcessMetrics();

    const cap = options.maxSeriesPerMetric ?? DEFAULT_MAX_SERIES_PER_METRIC;
    for (const decl of options.declarations) {
      const raw = createMetric(decl, this.registry);
      const onDrop = once(() => options.onCapReached?.(decl.name, cap));
      const handle = capSeries(raw, decl, cap, () => {
        this.dropped.inc({ metric: decl.name });
        onDrop();
      });
      this.byName.set(decl.name, { type: decl.type, handle });
    }
    const lookup = <T extends AnyMetric>(name: string, type: MetricDeclaration['type']): T => {
      const entry = this.byName.get(name);
      if (!entry) {
        const known = [...this.byName.keys()];
        throw new Error(
          `metric ${name} is not declared in nmaas.yaml; declare it under metrics: (declared: ${known.length ? known.join(', ') : 'none'})`,
        );
      }
      if (entry.type !== type)
        throw new Error(
          `metric ${name} is declared as a ${entry.type} in nmaas.yaml, not a ${type}; use ctx.metrics.${entry.type}('${name}')`,
        );
      return entry.handle as T;
    };
    this.declared = {
      counter: (name) => lookup<Counter<string>>(name, 'counter'),
      gauge: (name) => lookup<Gauge<string>>(name, 'gauge'),
      histogram: (name) => lookup<Histogram<string>>(name, 'histogram'),
      summary: (name) => lookup<Summary<string>>(name, 'summary'),
    };
  }

  /** Cheap process figures read at scrape time (no event-loop monitor, which costs CPU and timing accuracy). */
  private registerProcessMetrics(): void {
    const registers = [this.registry];
    new Gauge({
      name: 'process_resident_memory_bytes',
      help: 'Resident memory size in bytes.',
      registers,
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
    let lastCpu = 0;
    new Counter({
      name: 'process_cpu_seconds_total',
      help: 'Total user and system CPU time spent in seconds.',
      registers,
      collect() {
        const usage = process.cpuUsage();
        const total = (usage.user + usage.system) / 1e6;
        if (total > lastCpu) this.inc(total - lastCpu);
        lastCpu = Math.max(lastCpu, total);
      },
    });
    const start = new Gauge({
      name: 'process_start_time_seconds',
      help: 'Start time of the process since unix epoch in seconds.',
      registers,
    });
    start.set(Math.round(Date.now() / 1000 - process.uptime()));
  }

  setSchedule(periodSeconds: number, phaseSeconds: number, durationSeconds: number): void {
    this.period.set(periodSeconds);
    this.phase.set(phaseSeconds);
    this.duration.set(durationSeconds);
  }

  recordRun(outcome: RunOutcome, durationSeconds: number, endedAtMs: number): void {
    this.runs.inc({ outcome });
    this.runDuration.observe({ outcome }, durationSeconds);
    this.lastRun.set(endedAtMs / 1000);
    if (outcome === 'success') this.lastSuccess.set(endedAtMs / 1000);
  }

  recordSkip(count = 1): void {
    if (count > 0) this.runs.inc({ outcome: 'skipped' }, count);
  }

  /** Counts of runs per outcome (for logs and `--once`). */
  async outcomeCounts(): Promise<Record<CountedOutcome, number>> {
    const values = (await this.runs.get()).values;
    const out = { success: 0, failure: 0, timeout: 0, skipped: 0 };
    for (const v of values) out[v.labels.outcome as CountedOutcome] = v.value;
    return out;
  }

  /**
   * Renders the registry in Prometheus text (0.0.4) or OpenMetrics, with the SDK's renderer
   * (exposition.ts): faster than prom-client's and free of its in-place counter renaming.
   */
  async render(openMetrics: boolean): Promise<{ contentType: string; body: string }> {
    const contentType = openMetrics ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE;
    return { contentType, body: await renderRegistry(this.registry, openMetrics) };
  }
}

/** Whether an Accept header asks for OpenMetrics (what Prometheus sends first by default). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    if (type !== 'application/openmetrics-text') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function createMetric(decl: MetricDeclaration, registry: Registry): AnyMetric {
  const base = { name: decl.name, help: decl.help, labelNames: decl.labels, registers: [registry] };
  switch (decl.type) {
    case 'counter':
      return new Counter(base);
    case 'gauge':
      return new Gauge(base);
    case 'histogram':
      return new Histogram(decl.buckets ? { ...base, buckets: decl.buckets } : base);
    case 'summary':
      // A sliding window: a summary over the whole process life would hide recent changes.
      return new Summary({ ...base, maxAgeSeconds: 600, ageBuckets: 5 });
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}

const isLabels = (v: unknown): v is Record<string, string | number> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Wraps a prom-client metric so that new label sets beyond `cap` are dropped. The returned object
 * is still the prom-client metric (a Proxy: instanceof and every other method keep working).
 */
export function capSeries<T extends AnyMetric>(metric: T, decl: MetricDeclaration, cap: number, onDrop: () => void): T {
  const names = decl.labels;
  if (names.length === 0) return metric;
  const seen = new Set<string>();
  const keyOf = (labels: Record<string, unknown>) => names.map((n) => String(labels[n] ?? '')).join('\u0000');
  const admit = (labels: Record<string, unknown>): boolean => {
    const key = keyOf(labels);
    if (seen.has(key)) return true;
    if (seen.size >= cap) {
      onDrop();
      return false;
    }
    seen.add(key);
    return true;
  };
  const target = metric as unknown as Record<string, (...args: unknown[]) => unknown>;
  let proxy: T;
  const leaf = (method: string) =>
    function (this: unknown, ...args: unknown[]) {
      const labels = isLabels(args[0]) ? args[0] : {};
      if (!admit(labels)) return undefined;
      return target[method]!.apply(metric, args);
    };
  const startTimer = (labels: Record<string, unknown> = {}) => {
    const start = process.hrtime.bigint();
    return (endLabels: Record<string, unknown> = {}) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const all = { ...labels, ...endLabels };
      const p = proxy as unknown as Record<string, (...a: unknown[]) => unknown>;
      if (decl.type === 'gauge') p.set!(all, seconds);
      else p.observe!(all, seconds);
      return seconds;
    };
  };
  const child = (labels: Record<string, unknown>) => {
    const p = proxy as unknown as Record<string, (...a: unknown[]) => unknown>;
    switch (decl.type) {
      case 'counter':
        return { inc: (v?: number) => p.inc!(labels, v) };
      case 'gauge':
        return {
          inc: (v?: number) => p.inc!(labels, v),
          dec: (v?: number) => p.dec!(labels, v),
          set: (v: number) => p.set!(labels, v),
          setToCurrentTime: () => p.set!(labels, Date.now() / 1000),
          startTimer: () => startTimer(labels),
        };
      default:
        return { observe: (v: number) => p.observe!(labels, v), startTimer: () => startTimer(labels) };
    }
  };
  const wrapped: Record<string, unknown> = {
    inc: leaf('inc'),
    dec: leaf('dec'),
    set: leaf('set'),
    observe: leaf('observe'),
    zero: leaf('zero'),
    setToCurrentTime(labels?: Record<string, unknown>) {
      const p = proxy as unknown as Record<string, (...a: unknown[]) => unknown>;
      return labels === undefined ? p.set!(Date.now() / 1000) : p.set!(labels, Date.now() / 1000);
    },
    startTimer: (labels?: Record<string, unknown>) => startTimer(labels),
    labels(...args: unknown[]) {
      const labels: Record<string, unknown> = isLabels(args[0])
        ? args[0]
        : Object.fromEntries(names.map((n, i) => [n, args[i]]));
      return child(labels);
    },
    remove(...args: unknown[]) {
      const labels: Record<string, unknown> = isLabels(args[0])
        ? args[0]
        : Object.fromEntries(names.map((n, i) => [n, args[i]]));
      seen.delete(keyOf(labels));
      return target.remove!.apply(metric, args);
    },
    reset() {
      seen.clear();
      return target.reset!.apply(metric, []);
    },
  };
  proxy = new Proxy(metric, {
    get(obj, prop, receiver) {
      if (typeof prop === 'string' && prop in wrapped && typeof target[prop] === 'function') return wrapped[prop];
      return Reflect.get(obj, prop, receiver);
    },
  });
  return proxy;
}
