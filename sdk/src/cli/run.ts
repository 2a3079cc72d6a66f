/**
 * `nmaas run <app-dir>`: the developer loop. Runs a built app locally on its schedule (first run
 * at the next whole second unless NMAAS_PHASE_SECONDS says otherwise), or once with `--once`,
 * printing the run's result and metrics. Exit codes: 0 ok, 1 the single run failed or timed out,
 * or the app's nmaas.yaml did not pass; 2 bad arguments or parameters, no readable nmaas.yaml, or
 * an app that cannot be loaded (not built).
 */
// Type-only: the SDK must not load commander inside every measurement container (idle memory).
import type { Command } from 'commander';
import { action, formatOption } from '../kit/index.js';
import { CONFIG_ENV, readConfigFile, resolveConfig } from '../runtime/config.js';
import { loadRunnableApp } from '../runtime/load-app.js';
import { runOnce } from '../runtime/run-once.js';
import {
  handleSignals,
  keepAlive,
  parseGraceSeconds,
  parsePort,
  serveApp,
  UsageError,
} from '../runtime/app-process.js';

interface RunOptions {
  once?: boolean;
  port?: string;
  param: string[];
  format: string;
}

function collectParam(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseParams(items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0)
      throw new UsageError(
        `--param ${JSON.stringify(item)} must be written name=value, e.g. --param targets=https://example.org/`,
      );
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

export function registerRunCommand(program: Command): void {
  const run = program.command('run');
  run
    .description('run a built measurement app locally: on its schedule, or once with --once')
    .argument('<app-dir>', 'app folder holding nmaas.yaml and package.json (built: its "main" must exist)')
    .option('--once', 'run the measurement once now, print its result and metrics, exit 1 if it failed')
    .option(
      '--port <port>',
      'port for /metrics, /healthz, /readyz and /results (default 9464 or NMAAS_METRICS_PORT; 0 picks one)',
    )
    .option('--param <name=value>', 'set a parameter (repeatable); lists as a,b or a JSON array', collectParam, [])
    .addOption(formatOption(['text', 'json'], 'output of --once'))
    .addHelpText(
      'after',
      `\nConfiguration: parameter defaults from nmaas.yaml, then $${CONFIG_ENV} (JSON file) when set, then NMAAS_PARAM_<NAME> env vars, then --param.\nExit codes: 0 ok, 1 the --once run failed or timed out or nmaas.yaml did not pass, 2 bad arguments or parameters, no readable nmaas.yaml or an app that cannot be loaded.`,
    )
    .action(
      action(async (appDir: string, opts: RunOptions) => {
        // The kit maps what is thrown: an invalid nmaas.yaml exits 1 (as in `nmaas chart`); a bad
        // --param, port or configuration value, an unreadable file or an unbuilt app exits 2.
        const textParams = parseParams(opts.param);
        const port = opts.port !== undefined ? parsePort(opts.port, '--port') : undefined;
        if (opts.once) return await runOnceCommand(appDir, textParams, opts.format === 'json');
        const graceSeconds = parseGraceSeconds(process.env);
        const signals = handleSignals(graceSeconds);
        const { runtime } = await serveApp({ appDir, port, textParams, startNow: true, useDefaultConfigPath: false });
        keepAlive(runtime);
        signals.attach(runtime);
        process.stderr.write(
          `nmaas run: serving http://localhost:${runtime.port}/metrics and /results; Ctrl-C stops\n`,
        );
        return 0;
      }),
    );
}

async function runOnceCommand(appDir: string, textParams: Record<string, string>, json: boolean): Promise<number> {
  const app = await loadRunnableApp(appDir);
  const configPath = process.env[CONFIG_ENV];
  const file = configPath ? await readConfigFile(configPath, true) : undefined;
  const config = resolveConfig(app.manifest, {
    file,
    env: process.env,
    textParams: { source: '--param', values: textParams },
  });
  // Logs go to stderr so that stdout holds only the result and metrics.
  const outcome = await runOnce({
    manifest: app.manifest,
    measurement: app.measurement,
    config,
    logSink: (line) => process.stderr.write(line),
  });
  if (json) {
    const { record: _record, ...rest } = outcome;
    process.stdout.write(
      `${JSON.stringify({ app: app.manifest.name, version: app.manifest.version, parameters: config.parameters, ...rest }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(
      `${app.manifest.name} ${app.manifest.version}: ${outcome.outcome} in ${outcome.durationSeconds.toFixed(3)} s${outcome.error ? ` (${outcome.error})` : ''}\n\n` +
        `result:\n${JSON.stringify(outcome.result, null, 2)}\n\nmetrics:\n${outcome.metricsText}`,
    );
  }
  return outcome.outcome === 'success' ? 0 : 1;
}
