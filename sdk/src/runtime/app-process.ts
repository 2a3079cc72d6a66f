/**
 * Starting an app the way a container does, shared by the `nmaas-app` entry and `nmaas run`:
 * configuration from file + env (+ --param), phase from NMAAS_PHASE_SECONDS, signal handling.
 *
 * Signals are handled explicitly because Node as PID 1 gets no default SIGTERM action: without a
 * handler the pod would wait out its whole grace period and be killed.
 */
import { UsageError } from '../kit/errors.js';
import { decodePhaseEnv, PHASE_ENV } from '../contract.js';
import { CONFIG_ENV, DEFAULT_CONFIG_PATH, readConfigFile, resolveConfig } from './config.js';
import { loadRunnableApp, type RunnableApp } from './load-app.js';
import type { LogSink } from './logger.js';
import { startRuntime, type Runtime } from './running-app.js';
import { DEFAULT_METRICS_PORT, PORT_ENV } from './metrics-http-server.js';

/** Seconds the runtime allows itself to stop (Kubernetes' default grace period is 30 s). */
export const GRACE_ENV = 'NMAAS_GRACE_SECONDS';
export const DEFAULT_GRACE_SECONDS = 25;
/** Cap on label sets per declared metric (see metrics.ts). */
export const MAX_SERIES_ENV = 'NMAAS_MAX_SERIES_PER_METRIC';

export interface ServeOptions {
  appDir: string;
  manifestFile?: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
  /** `--param name=value` values. */
  textParams?: Record<string, string>;
  /** Read the default config path when NMAAS_CONFIG is unset (containers yes, `nmaas run` no). */
  useDefaultConfigPath?: boolean;
  /** When no phase is given: true starts the first run at the next whole second (developer loop). */
  startNow?: boolean;
  logSink?: LogSink;
  host?: string;
}

export { UsageError };

export function parsePort(text: string, source: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535)
    throw new UsageError(`${source} must be a port number from 0 to 65535, not ${JSON.stringify(text)}`);
  return Number(text);
}

export function parseGraceSeconds(env: NodeJS.ProcessEnv): number {
  const text = env[GRACE_ENV];
  if (text === undefined || text === '') return DEFAULT_GRACE_SECONDS;
  if (!/^\d+(\.\d+)?$/.test(text))
    throw new UsageError(`${GRACE_ENV} must be a number of seconds, not ${JSON.stringify(text)}`);
  return Number(text);
}

export function parseMaxSeries(env: NodeJS.ProcessEnv): number | undefined {
  const text = env[MAX_SERIES_ENV];
  if (text === undefined || text === '') return undefined;
  if (!/^[1-9]\d{0,6}$/.test(text))
    throw new UsageError(`${MAX_SERIES_ENV} must be a whole number from 1 to 9999999, not ${JSON.stringify(text)}`);
  return Number(text);
}

export async function serveApp(options: ServeOptions): Promise<{ app: RunnableApp; runtime: Runtime }> {
  const env = options.env ?? process.env;
  const app = await loadRunnableApp(options.appDir, options.manifestFile);
  const configPath = env[CONFIG_ENV] || (options.useDefaultConfigPath ? DEFAULT_CONFIG_PATH : undefined);
  const file = configPath ? await readConfigFile(configPath, Boolean(env[CONFIG_ENV])) : undefined;
  const config = resolveConfig(app.manifest, {
    file,
    env,
    textParams: options.textParams ? { source: '--param', values: options.textParams } : undefined,
  });
  const phaseSeconds = decodePhaseEnv(env[PHASE_ENV]);
  const maxSeriesPerMetric = parseMaxSeries(env);
  const port = options.port ?? (env[PORT_ENV] ? parsePort(env[PORT_ENV], PORT_ENV) : DEFAULT_METRICS_PORT);
  const runtime = await startRuntime({
    manifest: app.manifest,
    measurement: app.measurement,
    config,
    phaseSeconds,
    timing: phaseSeconds === null && options.startNow ? { phaseMs: Math.ceil(Date.now() / 1000) * 1000 } : undefined,
    port,
    host: options.host,
    logSink: options.logSink,
    node: env.NMAAS_NODE_NAME || undefined,
    maxSeriesPerMetric,
  });
  return { app, runtime };
}

/**
 * SIGTERM/SIGINT: stop scheduling, let the current run finish or abort it within the grace
 * period, close the port, exit 0. A second signal exits at once. Installed before start-up so no
 * signal falls into the default action; one arriving before `attach` exits 0 (nothing runs yet).
 */
export function handleSignals(
  graceSeconds: number,
  exit: (code: number) => void = (c) => process.exit(c),
): { attach(runtime: Runtime): void } {
  let runtime: Runtime | null = null;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (runtime === null || stopping) {
      runtime?.log.warn('second signal: exiting now', { signal });
      exit(0);
      return;
    }
    stopping = true;
    const current = runtime;
    current.log.info('stopping', { signal, graceSeconds });
    // Keep a margin for closing the port and flushing logs before the kubelet's SIGKILL.
    const graceMs = Math.max(0, graceSeconds * 1000 - 2000);
    current.stop(graceMs).then(
      () => exit(0),
      (error: unknown) => {
        current.log.error('error while stopping', { error });
        exit(0);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    attach(r: Runtime) {
      runtime = r;
    },
  };
}

/** Errors from code the app started outside its run (a stray timer) are logged; they never stop the app. */
export function keepAlive(runtime: Runtime): void {
  process.on('uncaughtException', (error) =>
    runtime.log.error('uncaught exception in app code', { error, stack: error.stack }),
  );
  process.on('unhandledRejection', (reason) =>
    runtime.log.error('unhandled promise rejection in app code', { error: reason }),
  );
}
