/**
 * The container entry point as a real child process: start-up errors, and SIGTERM handling (also
 * as PID 1 of its own PID namespace, like in a container). Runs sdk/dist (`npm test` builds first).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTool, IN_CI } from '../testing/index.js';

const mainJs = fileURLToPath(new URL('../../dist/runtime/container-entry.js', import.meta.url));
const probeDir = fileURLToPath(new URL('../../fixtures/apps/probe', import.meta.url));

type Rec = Record<string, unknown>;

interface Started {
  child: ChildProcess;
  records: Rec[];
  stderr: () => string;
  waitFor(what: string, pred: (r: Rec) => boolean, timeoutMs?: number): Promise<Rec>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function start(args: string[], env: Record<string, string>, wrapper: string[] = []): Started {
  const cmd = wrapper.length > 0 ? wrapper[0]! : process.execPath;
  const argv = wrapper.length > 0 ? [...wrapper.slice(1), process.execPath, mainJs, ...args] : [mainJs, ...args];
  const child = spawn(cmd, argv, {
    env: { PATH: process.env.PATH ?? '', NMAAS_METRICS_PORT: '0', NMAAS_CONFIG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const records: Rec[] = [];
  const waiters: { pred: (r: Rec) => boolean; resolve: (r: Rec) => void }[] = [];
  let buffer = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const rec = JSON.parse(line) as Rec;
      records.push(rec);
      for (const w of [...waiters]) if (w.pred(rec)) waiters.splice(waiters.indexOf(w), 1) && w.resolve(rec);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, atMs: Date.now() })),
  );
  return {
    child,
    records,
    stderr: () => stderr,
    exit,
    waitFor(what, pred, timeoutMs = 15_000) {
      const seen = records.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `timed out waiting for ${what}; stderr: ${stderr}; logs: ${records.map((r) => r.msg).join(', ')}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({ pred, resolve: (r) => (clearTimeout(timer), resolve(r)) });
        void exit.then(() =>
          setTimeout(() => reject(new Error(`exited while waiting for ${what}; stderr: ${stderr}`)), 50),
        );
      });
    },
  };
}

// Needs the built runtime (npm test builds it first); in CI a missing build is a failure, not a skip.
describe.skipIf(!existsSync(mainJs) && !IN_CI)('nmaas-app (child process)', () => {
  it('on SIGTERM lets the current run finish, counts it, and exits 0 within the grace period', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nmaas-sigterm-'));
    const config = path.join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ parameters: { sleepMs: 600 } }));
    const app = start([probeDir], {
      NMAAS_CONFIG: config,
      NMAAS_PHASE_SECONDS: '0',
      NMAAS_GRACE_SECONDS: '5',
      NMAAS_NODE_NAME: 'node-x',
    });
    const started = await app.waitFor('started', (r) => r.msg === 'started');
    expect(started).toMatchObject({ app: 'probe', node: 'node-x', everySeconds: 1, phaseSeconds: 0 });
    await app.waitFor('run 2 probing', (r) => r.msg === 'probing' && r.run === 2);
    const sentAt = Date.now();
    app.child.kill('SIGTERM');
    const exit = await app.exit;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.atMs - sentAt).toBeLessThan(5000);
    const finished = app.records.filter((r) => r.msg === 'run finished').map((r) => r.run);
    expect(finished).toEqual([1, 2]); // the run in progress at SIGTERM finished and was counted
    expect(app.records.some((r) => r.msg === 'probing' && r.run === 3)).toBe(false);
    expect(app.records.at(-1)).toMatchObject({
      msg: 'stopped',
      runs: { success: 2, failure: 0, timeout: 0, skipped: 0 },
      abortedRun: false,
    });
    await rm(dir, { recursive: true, force: true });
  });

  it('aborts a run that would outlast the grace period, counts it as a timeout, and still exits 0', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nmaas-sigterm-'));
    const config = path.join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({ parameters: { sleepMs: 60_000 }, schedule: { every: '10s', duration: '10s' } }),
    );
    const phase = String((Math.ceil(Date.now() / 1000) + 1) % 10);
    const app = start([probeDir], { NMAAS_CONFIG: config, NMAAS_PHASE_SECONDS: phase, NMAAS_GRACE_SECONDS: '4' });
    await app.waitFor('run 1 probing', (r) => r.msg === 'probing' && r.run === 1);
    const sentAt = Date.now();
    app.child.kill('SIGTERM');
    const exit = await app.exit;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.atMs - sentAt).toBeLessThan(4000); // the grace period; the run is aborted 2 s before it ends
    expect(app.records.find((r) => r.msg === 'run timed out')).toMatchObject({
      run: 1,
      outcome: 'timeout',
      error: 'aborted at shutdown',
    });
    expect(app.records.at(-1)).toMatchObject({
      msg: 'stopped',
      runs: { success: 0, timeout: 1 },
      abortedRun: true,
      runStillGoing: false,
    });
    await rm(dir, { recursive: true, force: true });
  });

  const unshare = findTool('unshare');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  it.skipIf((!unshare || !root) && !IN_CI)('handles SIGTERM as PID 1 of its own PID namespace', async () => {
    const app = start([probeDir], { NMAAS_PHASE_SECONDS: '0', NMAAS_GRACE_SECONDS: '5' }, [
      unshare!,
      '--pid',
      '--fork',
      '--mount-proc',
    ]);
    await app.waitFor('a finished run', (r) => r.msg === 'run finished');
    const unsharePid = app.child.pid!;
    const nodePid = Number(
      readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim().split(/\s+/)[0],
    );
    const nsPid = readFileSync(`/proc/${nodePid}/status`, 'utf8')
      .match(/^NSpid:\s+(.*)$/m)![1]!
      .trim()
      .split(/\s+/);
    expect(nsPid.at(-1)).toBe('1'); // node is PID 1 inside the namespace
    process.kill(nodePid, 'SIGTERM');
    const exit = await app.exit;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(app.records.at(-1)).toMatchObject({ msg: 'stopped' });
  });

  it('stops start-up with exit 2 and names the parameter and the expected form', async () => {
    const app = start([probeDir], { NMAAS_PARAM_SLEEP_MS: 'soon' });
    const exit = await app.exit;
    expect(exit.code).toBe(2);
    expect(app.stderr()).toContain(
      'env NMAAS_PARAM_SLEEP_MS: parameters.sleepMs: "soon" must be a whole number; expected a whole number from 0 to 600000',
    );
  });

  it('rejects a malformed phase, a missing explicit config file and an app folder without nmaas.yaml', async () => {
    const phase = start([probeDir], { NMAAS_PHASE_SECONDS: 'later' });
    expect((await phase.exit).code).toBe(2);
    expect(phase.stderr()).toContain('NMAAS_PHASE_SECONDS="later": must be a whole number of seconds');
    const config = start([probeDir], { NMAAS_CONFIG: '/nonexistent/config.json' });
    expect((await config.exit).code).toBe(2);
    expect(config.stderr()).toContain('/nonexistent/config.json: (file): cannot read the configuration file');
    const empty = await mkdtemp(path.join(os.tmpdir(), 'nmaas-empty-'));
    const none = start([empty], {});
    expect((await none.exit).code).toBe(2);
    expect(none.stderr()).toContain('nmaas.yaml');
    await rm(empty, { recursive: true, force: true });
  });

  it('uses NMAAS_APP_DIR when no app-dir is given', async () => {
    const app = start([], { NMAAS_APP_DIR: probeDir, NMAAS_PHASE_SECONDS: '0' });
    await app.waitFor('started', (r) => r.msg === 'started' && r.app === 'probe');
    app.child.kill('SIGTERM');
    expect((await app.exit).code).toBe(0);
  });
});
