/**
 * One run of a measurement: builds its context, enforces its deadline and classifies how it
 * ended. A thrown error is a failure, a run still going at its deadline is aborted and counted as
 * a timeout; neither escapes, so one bad run never stops the app.
 *
 * The outcome is decided at the deadline even if the measure function ignores its AbortSignal;
 * `settled` resolves only when the function has really returned, and the scheduler waits for it
 * before starting another run, so two runs of one app never overlap.
 */
import type { Clock } from './clock.js';
import type { JsonLogger } from './logger.js';
import type { Measurement, RunOutcome } from './measurement.js';
import type { AppMetrics } from './metrics.js';
import type { ResultStore, RunRecord } from './results.js';

export interface RunDeps {
  measurement: Measurement<unknown>;
  params: Record<string, unknown>;
  metrics: AppMetrics;
  log: JsonLogger;
  clock: Clock;
  app: string;
  node: string;
  results?: ResultStore;
}

export interface RunRequest {
  number: number;
  scheduledAtMs: number;
  startedAtMs: number;
  /** Absolute instant at which the run is aborted. */
  deadlineMs: number;
  /** Aborts the run early (shutdown). */
  stop?: AbortSignal;
}

export interface RunHandle {
  /** Resolves with the record once the outcome is known (return, throw or deadline). */
  record: Promise<RunRecord>;
  /** Resolves when the measure function has actually returned. */
  settled: Promise<void>;
}

export class RunTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

const NO_RESULT = Symbol('no result');

export function startRun(deps: RunDeps, req: RunRequest): RunHandle {
  const { clock, metrics } = deps;
  const controller = new AbortController();
  const finished = new AbortController();
  const log = deps.log.child({ run: req.number });
  let result: unknown = NO_RESULT;
  const ctx = {
    signal: controller.signal,
    params: deps.params,
    metrics: metrics.declared,
    log,
    result(value: unknown) {
      let copy: unknown;
      try {
        // A snapshot, so later mutation by the app cannot change what was published; also proves it is JSON.
        const text = JSON.stringify(value);
        copy = text === undefined ? null : JSON.parse(text);
      } catch (error) {
        throw new TypeError(`ctx.result() needs a JSON-serialisable value: ${(error as Error).message}`);
      }
      result = copy;
    },
    run: Object.freeze({
      number: req.number,
      scheduledAt: new Date(req.scheduledAtMs),
      startedAt: new Date(req.startedAtMs),
      node: deps.node,
      app: deps.app,
    }),
  };

  metrics.inProgress.set(1);
  metrics.lateness.observe(Math.max(0, req.startedAtMs - req.scheduledAtMs) / 1000);

  type Ending = { outcome: RunOutcome; error?: string; atMs: number };
  let stack: string | undefined;
  let settleResolve!: () => void;
  const settled = new Promise<void>((r) => (settleResolve = r));
  const functionEnded: Promise<Ending> = (async () => {
    try {
      await deps.measurement.measure(ctx);
      return { outcome: 'success' as const, atMs: clock.now() };
    } catch (error) {
      stack = error instanceof Error ? error.stack : undefined;
      return { outcome: 'failure' as const, error: describe(error), atMs: clock.now() };
    } finally {
      metrics.inProgress.set(0);
      settleResolve();
    }
  })();
  const deadline: Promise<Ending | null> = (async () => {
    const stops = AbortSignal.any([finished.signal, ...(req.stop ? [req.stop] : [])]);
    await clock.sleepUntil(req.deadlineMs, stops);
    if (finished.signal.aborted) return null;
    const atMs = clock.now();
    const why =
      req.stop?.aborted && atMs < req.deadlineMs
        ? 'aborted at shutdown'
        : `deadline reached after ${((req.deadlineMs - req.startedAtMs) / 1000).toFixed(3)} s`;
    controller.abort(new RunTimeoutError(`run ${req.number} ${why}`));
    return { outcome: 'timeout', error: why, atMs };
  })();

  const record = (async (): Promise<RunRecord> => {
    const first = await Promise.race([functionEnded, deadline.then((d) => d ?? functionEnded)]);
    finished.abort();
    // A function that rejects because it was aborted still counts as a timeout, not a failure; so
    // does one that returned after its deadline because it blocked the event loop (nothing could
    // abort it, but its figures cover more than the run's window).
    const ending: Ending =
      controller.signal.aborted && first.outcome === 'failure'
        ? { ...first, outcome: 'timeout' }
        : first.outcome !== 'timeout' && first.atMs > req.deadlineMs
          ? {
              outcome: 'timeout',
              atMs: first.atMs,
              error: `finished ${((first.atMs - req.deadlineMs) / 1000).toFixed(3)} s after its deadline (it blocked the event loop)${first.error ? `; ${first.error}` : ''}`,
            }
          : first;
    const durationSeconds = Math.max(0, ending.atMs - req.startedAtMs) / 1000;
    metrics.recordRun(ending.outcome, durationSeconds, ending.atMs);
    const rec: RunRecord = {
      run: req.number,
      scheduledAt: new Date(req.scheduledAtMs).toISOString(),
      startedAt: new Date(req.startedAtMs).toISOString(),
      endedAt: new Date(ending.atMs).toISOString(),
      outcome: ending.outcome,
      durationSeconds,
      latenessSeconds: Math.max(0, req.startedAtMs - req.scheduledAtMs) / 1000,
    };
    if (result !== NO_RESULT) rec.result = result;
    if (ending.error !== undefined) rec.error = ending.error;
    deps.results?.add(rec);
    const fields = { outcome: rec.outcome, durationSeconds, latenessSeconds: rec.latenessSeconds };
    if (rec.outcome === 'success') log.info('run finished', fields);
    else if (rec.outcome === 'timeout') log.warn('run timed out', { ...fields, error: rec.error });
    else log.error('run failed', { ...fields, error: rec.error, stack });
    return rec;
  })();
  return { record, settled };
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return `non-Error thrown: ${JSON.stringify(error)}`;
  } catch {
    return `non-Error thrown: ${String(error)}`;
  }
}
