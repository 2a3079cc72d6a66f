/**
 * One session of the bench: some apps started together as real processes through the SDK's
 * container entry (`nmaas-app <app-dir>`, i.e. the image's CMD) inside the client namespace, each
 * with its config file and NMAAS_PHASE_SECONDS, left to run for a number of periods, then read
 * through their /results endpoint and stopped with SIGTERM as the kubelet would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { appConfig, REPO_ROOT, type AppName, type BenchApp, type BenchPlan } from './apps.js';
import { shiftPhases } from './phases.js';
import { inNamespace } from './testbed.js';

export const APP_ENTRY = path.join(REPO_ROOT, 'sdk', 'dist', 'runtime', 'container-entry.js');

/** What /results serves for each run (sdk/src/runtime/results.ts). */
export interface RunRecordJson {
  run: number;
  scheduledAt: string;
  startedAt: string;
  endedAt: string;
  outcome: 'success' | 'failure' | 'timeout';
  durationSeconds: number;
  latenessSeconds: number;
  result?: unknown;
  error?: string;
}

export interface SessionSpec {
  label: string;
  apps: BenchApp[];
  /** Phase per app relative to the session's origin, seconds. */
  phases: Partial<Record<AppName, number>>;
  periods: number;
}

export interface SessionOutcome {
  label: string;
  /** Start of the counted window (Unix ms); runs scheduled in [origin, origin + periods × P) count. */
  originMs: number;
  phases: Partial<Record<AppName, number>>;
  records: Partial<Record<AppName, RunRecordJson[]>>;
}

/** Every process the bench started and has not yet reaped: signal handlers kill these. */
export const liveProcesses = new Set<ChildProcess>();

export async function stopProcess(child: ChildProcess, graceMs = 6000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    liveProcesses.delete(child);
    return;
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  liveProcesses.delete(child);
}

/** Kills every live process at once (signal handler path). */
export function killAllNow(): void {
  for (const child of liveProcesses) child.kill('SIGKILL');
  liveProcesses.clear();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Runs in [originMs, originMs + periods × P), by scheduled start. */
export function recordsInWindow(
  records: RunRecordJson[],
  originMs: number,
  periods: number,
  periodSeconds: number,
): RunRecordJson[] {
  const end = originMs + periods * periodSeconds * 1000;
  return records.filter((r) => {
    const t = Date.parse(r.scheduledAt);
    return t >= originMs && t < end;
  });
}

export interface SessionContext {
  clientNamespace: string;
  plan: BenchPlan;
  /** Folder for config files and logs of this bench run. */
  workDir: string;
  /** Seconds between starting the processes and the first counted slot. */
  leadSeconds?: number;
}

export async function runSession(ctx: SessionContext, spec: SessionSpec): Promise<SessionOutcome> {
  const { plan } = ctx;
  const P = plan.periodSeconds;
  const dir = path.join(ctx.workDir, spec.label);
  await mkdir(dir, { recursive: true });
  // The origin is a whole second far enough ahead for every process to load; the phases are
  // shifted so that the origin is where phase 0 falls.
  const originMs = (Math.ceil(Date.now() / 1000) + (ctx.leadSeconds ?? 6)) * 1000;
  const offset = (originMs / 1000) % P;
  const absolute = shiftPhases(spec.phases as Record<string, number>, offset, P);
  const started: { app: BenchApp; child: ChildProcess; port: number }[] = [];
  try {
    let port = 9464;
    for (const app of spec.apps) {
      const configFile = path.join(dir, `${app.name}.config.json`);
      await writeFile(configFile, JSON.stringify(appConfig(app, plan), null, 2));
      const log = createWriteStream(path.join(dir, `${app.name}.log`));
      const env = {
        ...process.env,
        NMAAS_CONFIG: configFile,
        NMAAS_PHASE_SECONDS: String(absolute[app.name]),
        NMAAS_METRICS_PORT: String(port),
        NMAAS_NODE_NAME: 'bench-node',
        NMAAS_POD_NAME: `${app.name}-0`,
        NMAAS_GRACE_SECONDS: '6',
      };
      const child = spawn('ip', ['netns', 'exec', ctx.clientNamespace, process.execPath, APP_ENTRY, app.dir], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      liveProcesses.add(child);
      child.stdout!.pipe(log);
      child.stderr!.pipe(log);
      started.push({ app, child, port });
      port += 1;
    }
    await Promise.all(started.map(({ app, child }) => waitForStart(app.name, child)));
    // A late start costs that app its first run (the SDK skips a slot it cannot make); the
    // window still counts only the runs that happened, and the report shows the counts.
    if (Date.now() > originMs)
      process.stderr.write(
        `[accuracy] session ${spec.label}: the apps needed more than the lead time to start; early slots may be missing\n`,
      );
    // Wait until the last counted run of every app has ended (its window may wrap past the period).
    const lastEnd = Math.max(...spec.apps.map((a) => (spec.phases[a.name] ?? 0) + a.durationSeconds));
    await sleep(originMs + ((spec.periods - 1) * P + lastEnd) * 1000 + 750 - Date.now());
    const records: Partial<Record<AppName, RunRecordJson[]>> = {};
    for (const { app, port } of started) {
      const body = await inNamespace(ctx.clientNamespace, process.execPath, [
        '-e',
        'fetch(process.argv[1]).then(async (r) => { if (!r.ok) throw new Error(String(r.status)); process.stdout.write(await r.text()); })',
        `http://127.0.0.1:${port}/results`,
      ]);
      const doc = JSON.parse(body) as { results: RunRecordJson[] };
      records[app.name] = recordsInWindow(doc.results, originMs, spec.periods, P);
    }
    return { label: spec.label, originMs, phases: spec.phases, records };
  } finally {
    await Promise.all(started.map(({ child }) => stopProcess(child)));
  }
}

function waitForStart(name: string, child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not log "started" within 20 s`)), 20_000);
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      if (buffered.includes('"msg":"started"')) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before starting; see its log in the bench work folder`));
    });
  });
}
