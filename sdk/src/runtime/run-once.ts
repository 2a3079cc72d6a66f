/**
 * One run outside the schedule, with a fresh registry: for an app's own tests
 * (`runMeasurementOnce`) and for `nmaas run --once`.
 */
import path from 'node:path';
import { systemClock, type Clock } from './clock.js';
import { JsonLogger, type LogSink } from './logger.js';
import type { Measurement } from './measurement.js';
import { AppMetrics } from './metrics.js';
import { startRun } from './measurement-run.js';
import { resolveConfig, type RuntimeConfig } from './config.js';
import type { RunRecord } from './results.js';
import type { AppManifest } from '../model/schema.js';
import { MANIFEST_FILE } from '../model/manifest.js';
import { readManifestFile } from './load-app.js';

export interface OnceResult {
  outcome: 'success' | 'failure' | 'timeout';
  result: unknown;
  error?: string;
  metricsText: string;
  durationSeconds: number;
}

export interface RunOnceOptions {
  manifest: AppManifest;
  measurement: Measurement<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  config: RuntimeConfig;
  timeoutMs?: number;
  logSink?: LogSink;
  clock?: Clock;
  node?: string;
}

export async function runOnce(options: RunOnceOptions): Promise<OnceResult & { record: RunRecord }> {
  const clock = options.clock ?? systemClock;
  const node = options.node ?? process.env.NMAAS_NODE_NAME ?? 'local';
  const log = new JsonLogger(options.logSink ?? (() => undefined), { app: options.manifest.name, node }, () =>
    clock.now(),
  );
  const metrics = new AppMetrics({
    app: options.manifest.name,
    version: options.manifest.version,
    declarations: options.manifest.metrics,
  });
  const timeoutMs = options.timeoutMs ?? options.config.schedule.durationSeconds * 1000;
  const now = clock.now();
  const handle = startRun(
    {
      measurement: options.measurement as Measurement<unknown>,
      params: options.config.parameters,
      metrics,
      log,
      clock,
      app: options.manifest.name,
      node,
    },
    { number: 1, scheduledAtMs: now, startedAtMs: now, deadlineMs: now + timeoutMs },
  );
  const record = await handle.record;
  const { body } = await metrics.render(false);
  const out: OnceResult & { record: RunRecord } = {
    outcome: record.outcome,
    result: record.result ?? null,
    metricsText: body,
    durationSeconds: record.durationSeconds,
    record,
  };
  if (record.error !== undefined) out.error = record.error;
  return out;
}

export interface RunMeasurementOnceOptions {
  /** Folder holding the app's nmaas.yaml. */
  appDir: string;
  /** Parameter values (typed); unset ones take their nmaas.yaml defaults. Validated like the runtime does. */
  parameters?: Record<string, unknown>;
  /** Deadline of the run; defaults to schedule.duration. */
  timeoutSeconds?: number;
  /** Receives the run's JSON log lines (default: discarded). */
  logSink?: LogSink;
}

/**
 * Runs `measurement` once against the declarations in `<appDir>/nmaas.yaml`, outside any schedule
 * and with a fresh registry. Throws ConfigError for bad parameters, ManifestError for a bad
 * nmaas.yaml; a failing or timed-out run is reported in the outcome, never thrown.
 */
export async function runMeasurementOnce<P>(
  measurement: Measurement<P>,
  options: RunMeasurementOnceOptions,
): Promise<OnceResult> {
  const manifest = await readManifestFile(path.join(path.resolve(options.appDir), MANIFEST_FILE));
  const config = resolveConfig(
    manifest,
    options.parameters ? { params: { source: 'runMeasurementOnce parameters', values: options.parameters } } : {},
  );
  const { record: _record, ...rest } = await runOnce({
    manifest,
    measurement: measurement as Measurement<unknown>,
    config,
    timeoutMs: options.timeoutSeconds !== undefined ? options.timeoutSeconds * 1000 : undefined,
    logSink: options.logSink,
  });
  return rest;
}
