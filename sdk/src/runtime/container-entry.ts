#!/usr/bin/env node
/**
 * `nmaas-app [app-dir]`: the container entry point (CMD ["node", ".../nmaas-app", "/app"] or via
 * the bin). Runs the app in `app-dir` (default NMAAS_APP_DIR, else /app) on its schedule until
 * SIGTERM. Exit codes: 0 after a clean stop, 2 when the app or its configuration is invalid.
 */
import { ContractError } from '../contract.js';
import { ManifestError } from '../model/manifest.js';
import { ConfigError } from './config.js';
import { AppLoadError, APP_DIR_ENV, DEFAULT_APP_DIR, MANIFEST_ENV } from './load-app.js';
import { handleSignals, keepAlive, parseGraceSeconds, parsePort, serveApp, UsageError } from './app-process.js';

const USAGE = `usage: nmaas-app [--port <port>] [app-dir]

Runs the NMaaS measurement app in app-dir (default $${APP_DIR_ENV} or ${DEFAULT_APP_DIR}) on its schedule.
Environment: NMAAS_MANIFEST, NMAAS_CONFIG (default /etc/nmaas/config.json), NMAAS_METRICS_PORT (9464),
NMAAS_PHASE_SECONDS, NMAAS_NODE_NAME, NMAAS_PARAM_<NAME>, NMAAS_GRACE_SECONDS (25),
NMAAS_MAX_SERIES_PER_METRIC (1000).
`;

async function main(argv: string[]): Promise<void> {
  let appDir: string | undefined;
  let port: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(USAGE);
      return;
    }
    if (arg === '--port') port = parsePort(argv[++i] ?? '', '--port');
    else if (arg.startsWith('--port=')) port = parsePort(arg.slice(7), '--port');
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}\n${USAGE}`);
    else if (appDir === undefined) appDir = arg;
    else throw new UsageError(`only one app-dir may be given\n${USAGE}`);
  }
  const env = process.env;
  const graceSeconds = parseGraceSeconds(env);
  const dir = appDir ?? env[APP_DIR_ENV] ?? DEFAULT_APP_DIR;
  const signals = handleSignals(graceSeconds);
  const { runtime } = await serveApp({
    appDir: dir,
    manifestFile: env[MANIFEST_ENV] || undefined,
    port,
    env,
    useDefaultConfigPath: true,
  });
  keepAlive(runtime);
  signals.attach(runtime);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const known =
    error instanceof ManifestError ||
    error instanceof ConfigError ||
    error instanceof AppLoadError ||
    error instanceof ContractError ||
    error instanceof UsageError;
  process.stderr.write(`nmaas-app: ${known ? (error as Error).message : ((error as Error)?.stack ?? String(error))}\n`);
  process.exit(2);
});
