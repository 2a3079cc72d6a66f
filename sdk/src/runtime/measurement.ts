/**
 * The measurement API an app is written against: one async function that receives a context.
 * `defineMeasurement` only brands the function, so an app stays a plain module the runtime (or a
 * test) can import; the brand is a global symbol so that an app bundling its own copy of the SDK
 * is still recognised by the runtime that loads it.
 */
import type { Counter, Gauge, Histogram, Summary } from 'prom-client';

export type RunOutcome = 'success' | 'failure' | 'timeout';

export interface RunFacts {
  /** 1 for the first run since start-up. */
  number: number;
  /** The wall-clock instant the run was scheduled for (k × every + phase). */
  scheduledAt: Date;
  /** When it actually started. */
  startedAt: Date;
  /** Node name from the downward API (NMAAS_NODE_NAME), else the host name. */
  node: string;
  app: string;
}

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Handles on the metrics declared in nmaas.yaml; each throws when the name is undeclared or of another type. */
export interface DeclaredMetrics {
  counter(name: string): Counter<string>;
  gauge(name: string): Gauge<string>;
  histogram(name: string): Histogram<string>;
  summary(name: string): Summary<string>;
}

export interface MeasurementContext<P = Record<string, unknown>> {
  /** Fires at the run's deadline (scheduled start + schedule.duration) and on shutdown. */
  signal: AbortSignal;
  params: P;
  metrics: DeclaredMetrics;
  log: Logger;
  /** Publishes the structured result of this run (served on /results); the last call wins. */
  result(value: unknown): void;
  run: RunFacts;
}

export type MeasureFunction<P> = (ctx: MeasurementContext<P>) => Promise<void> | void;

export const MEASUREMENT_BRAND = Symbol.for('nmaas.measurement');

export interface Measurement<P = Record<string, unknown>> {
  readonly [MEASUREMENT_BRAND]: true;
  readonly measure: MeasureFunction<P>;
}

/** Declares an app's measurement; the package's main module default-exports the value. */
export function defineMeasurement<P = Record<string, unknown>>(measure: MeasureFunction<P>): Measurement<P> {
  if (typeof measure !== 'function') throw new TypeError('defineMeasurement expects an async function (ctx) => { … }');
  return Object.freeze({ [MEASUREMENT_BRAND]: true as const, measure });
}

/** Whether `value` came from defineMeasurement (of any copy of the SDK). */
export function isMeasurement(value: unknown): value is Measurement<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[MEASUREMENT_BRAND] === true &&
    typeof (value as { measure?: unknown }).measure === 'function'
  );
}
