/** The measurement runtime's public surface (re-exported from the package root). */
export {
  defineMeasurement,
  isMeasurement,
  MEASUREMENT_BRAND,
  type Measurement,
  type MeasureFunction,
  type MeasurementContext,
  type DeclaredMetrics,
  type RunFacts,
  type RunOutcome,
  type Logger,
  type LogFields,
} from './measurement.js';
export {
  runMeasurementOnce,
  runOnce,
  type OnceResult,
  type RunMeasurementOnceOptions,
  type RunOnceOptions,
} from './run-once.js';
export { startRuntime, choosePhaseMs, type Runtime, type RuntimeOptions } from './running-app.js';
export { RunLoop, defaultMaxLatenessMs, validateTiming, type ScheduleTiming, type RunLoopOptions } from './run-loop.js';
export { SystemClock, ManualClock, systemClock, type Clock } from './clock.js';
export {
  AppMetrics,
  capSeries,
  wantsOpenMetrics,
  RUN_OUTCOMES,
  DEFAULT_MAX_SERIES_PER_METRIC,
  type CountedOutcome,
  type AppMetricsOptions,
} from './metrics.js';
export { JsonLogger, memorySink, stdoutSink, type LogSink } from './logger.js';
export { ResultStore, type RunRecord } from './results.js';
export {
  resolveConfig,
  readConfigFile,
  parameterValueError,
  parseParameterText,
  expectedForm,
  envName,
  ConfigError,
  CONFIG_ENV,
  DEFAULT_CONFIG_PATH,
  PARAM_ENV_PREFIX,
  type RuntimeConfig,
  type ConfigProblem,
  type ConfigSources,
} from './config.js';
export {
  loadRunnableApp,
  importMeasurement,
  appMainFile,
  AppLoadError,
  MANIFEST_ENV,
  APP_DIR_ENV,
  DEFAULT_APP_DIR,
  type RunnableApp,
} from './load-app.js';
export {
  startServer,
  DEFAULT_METRICS_PORT,
  PORT_ENV,
  type ServerState,
  type MetricsServer,
} from './metrics-http-server.js';
export { serveApp, GRACE_ENV, DEFAULT_GRACE_SECONDS, MAX_SERIES_ENV } from './app-process.js';
