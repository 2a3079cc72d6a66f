/**
 * Assembles one running app: its metrics, its run loop and its HTTP port. The container entry
 * (container-entry.ts) and `nmaas run` both go through `startRuntime`; so do the tests and the benchmark,
 * which may give the timing in milliseconds (sub-second periods) instead of nmaas.yaml's seconds.
 */
import os from 'node:os';
import { systemClock, type Clock } from './clock.js';
import { JsonLogger, stdoutSink, type LogSink } from './logger.js';
import type { Measurement } from './measurement.js';
import { AppMetrics } from './metrics.js';
import { ResultStore, DEFAULT_RESULTS_KEPT, type RunRecord } from './results.js';
import { startRun } from './measurement-run.js';
import { defaultMaxLatenessMs, RunLoop, type ScheduleTiming } from './run-loop.js';
import { startServer, type MetricsServer } from './metrics-http-server.js';
import type { RuntimeConfig } from './config.js';
import type { AppManifest } from '../model/schema.js';

export interface RuntimeOptions {
  manifest: AppManifest;
  measurement: Measurement<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  config: RuntimeConfig;
  /** Phase in seconds from NMAAS_PHASE_SECONDS; null or undefined picks one inside startWithin. */
  phaseSeconds?: number | null;
  /** Programmatic timing in ms, overriding the configuration (sub-second periods for benchmarks). */
  timing?: Partial<ScheduleTiming>;
  /** Port for the HTTP endpoints; 0 picks a free one; null serves no HTTP at all. */
  port?: number | null;
  host?: string;
  clock?: Clock;
  logSink?: LogSink;
  node?: string;
  maxSeriesPerMetric?: number;
  resultsKept?: number;
  /** Source of randomness for the default phase (tests). */
  random?: () => number;
  onRecord?: (record: RunRecord) => void;
}

export interface Runtime {
  metrics: AppMetrics;
  results: ResultStore;
  runLoop: RunLoop;
  log: JsonLogger;
  timing: ScheduleTiming;
  /** The bound HTTP port, or null when none was asked for. */
  port: number | null;
  /** Stops scheduling, lets the current run end within `graceMs` (else aborts it), closes the port. */
  stop(graceMs?: number): Promise<{ abortedRun: boolean; runStillGoing: boolean }>;
}

/** The phase for a first run inside `startWithin` from now: a random whole-second offset. */
export function choosePhaseMs(
  nowMs: number,
  everyMs: number,
  startWithinMs: number,
  random: () => number = Math.random,
): number {
  const window = Math.min(startWithinMs, everyMs);
  const offsetMs = Math.floor((random() * window) / 1000) * 1000;
  const firstMs = Math.ceil(nowMs / 1000) * 1000 + offsetMs;
  return firstMs % everyMs;
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { manifest, config } = options;
  const clock = options.clock ?? systemClock;
  const node = options.node ?? process.env.NMAAS_NODE_NAME ?? os.hostname();
  const log = new JsonLogger(options.logSink ?? stdoutSink, { app: manifest.name, node }, () => clock.now());
  const metrics = new AppMetrics({
    app: manifest.name,
    version: manifest.version,
    declarations: manifest.metrics,
    maxSeriesPerMetric: options.maxSeriesPerMetric,
    onCapReached: (metric, cap) =>
      log.warn('metric reached its cap on label sets; new label sets are dropped', { metric, cap }),
  });
  const results = new ResultStore(options.resultsKept ?? DEFAULT_RESULTS_KEPT);
  const everyMs = options.timing?.everyMs ?? config.schedule.everySeconds * 1000;
  const durationMs = options.timing?.durationMs ?? config.schedule.durationSeconds * 1000;
  const phaseMs =
    options.timing?.phaseMs ??
    (options.phaseSeconds !== null && options.phaseSeconds !== undefined
      ? options.phaseSeconds * 1000
      : choosePhaseMs(clock.now(), everyMs, config.schedule.startWithinSeconds * 1000, options.random));
  const timing: ScheduleTiming = {
    everyMs,
    durationMs,
    phaseMs: ((phaseMs % everyMs) + everyMs) % everyMs,
    maxLatenessMs: options.timing?.maxLatenessMs ?? defaultMaxLatenessMs(durationMs),
  };
  metrics.setSchedule(timing.everyMs / 1000, timing.phaseMs / 1000, timing.durationMs / 1000);

  let failed: string | null = null;
  let shuttingDown = false;
  const runLoop = new RunLoop({
    timing,
    clock,
    log,
    startRun: (request) =>
      startRun(
        {
          measurement: options.measurement as Measurement<unknown>,
          params: config.parameters,
          metrics,
          log,
          clock,
          app: manifest.name,
          node,
          results,
        },
        request,
      ),
    onSkip: (count, slotMs, reason) => {
      metrics.recordSkip(count);
      log.warn(count === 1 ? 'run skipped' : `${count} runs skipped`, {
        skipped: count,
        scheduledAt: new Date(slotMs).toISOString(),
        reason,
      });
    },
    onRecord: options.onRecord,
  });

  let server: MetricsServer | null = null;
  if (options.port !== null) {
    server = await startServer(
      {
        metrics,
        results: () => ({
          app: manifest.name,
          version: manifest.version,
          node,
          schedule: {
            everySeconds: timing.everyMs / 1000,
            durationSeconds: timing.durationMs / 1000,
            phaseSeconds: timing.phaseMs / 1000,
          },
          nextRunAt: runLoop.nextSlotMs === null ? null : new Date(runLoop.nextSlotMs).toISOString(),
          results: results.list(),
        }),
        live: () => (failed === null ? { ok: true } : { ok: false, reason: failed }),
        ready: () =>
          shuttingDown
            ? { ok: false, reason: 'shutting down' }
            : runLoop.nextSlotMs === null
              ? { ok: false, reason: 'no run scheduled' }
              : { ok: true },
      },
      options.port ?? 0,
      options.host,
    );
  }
  runLoop.start();
  runLoop.done.catch((error: unknown) => {
    failed = `run loop stopped: ${(error as Error).message}`;
  });
  log.info('started', {
    version: manifest.version,
    port: server?.port ?? null,
    everySeconds: timing.everyMs / 1000,
    durationSeconds: timing.durationMs / 1000,
    phaseSeconds: timing.phaseMs / 1000,
    firstRunAt: runLoop.nextSlotMs === null ? null : new Date(runLoop.nextSlotMs).toISOString(),
  });

  let stopped: Promise<{ abortedRun: boolean; runStillGoing: boolean }> | null = null;
  return {
    metrics,
    results,
    runLoop,
    log,
    timing,
    port: server?.port ?? null,
    stop(graceMs = 25_000) {
      stopped ??= (async () => {
        shuttingDown = true;
        const outcome = await runLoop.stop(graceMs);
        await server?.close();
        log.info('stopped', { runs: await metrics.outcomeCounts(), ...outcome });
        return outcome;
      })();
      return stopped;
    },
  };
}
