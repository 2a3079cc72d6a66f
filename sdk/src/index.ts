/**
 * @nmaas/sdk: what a measurement app's own code imports, and nothing else. The toolchain's parts
 * live on their subpaths (`/model`, `/contract`, `/runtime`, `/kit`, `/testing`, `/commands`), so
 * an app cannot come to depend on an internal by accident and the app's image carries no CLI.
 */
export {
  defineMeasurement,
  type Measurement,
  type MeasureFunction,
  type MeasurementContext,
  type DeclaredMetrics,
  type RunFacts,
  type RunOutcome,
  type Logger,
  type LogFields,
} from './runtime/measurement.js';
export { runMeasurementOnce, type OnceResult, type RunMeasurementOnceOptions } from './runtime/run-once.js';
export { parseDuration, formatDuration } from './model/quantities.js';
