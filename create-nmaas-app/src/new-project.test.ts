/**
 * The promise of create-nmaas-app, end to end. The workspace packages are packed (`npm pack`, as
 * published) and installed without network; `npm create nmaas-app` runs the packed initializer
 * without a terminal, and its bin runs again on a real terminal (tmux) with the same answers
 * typed into the prompts. Both projects are identical, install from the tarballs with no
 * network, and their tests, `nmaas run --once`, `nmaas chart` and `nmaas validate` all pass.
 * One install serves both projects.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool } from '@nmaas/sdk/testing';
import { EQUIVALENT_FLAGS, INTERACTIVE_NAME, scaffoldInteractively } from './e2e/interactive.js';
import { cleanEnv, installOffline, npm, packWorkspaces, REPO_ROOT } from './e2e/pack.js';
import { snapshotTree } from './e2e/tree.js';

const tmux = tool('tmux', 'apt-get install tmux');
/** Each test spawns npm, tsc, vitest or helm: generous on a loaded 2-core machine. */
const SLOW = 180_000;

/**
 * The repository's helm copies (extracted on npm install), for the validator: a project outside
 * the repository cannot find them itself (a developer has helm on PATH instead).
 */
const helmEnv: Record<string, string> = Object.fromEntries(
  (['3.17', '4.1'] as const)
    .map((v) => [`HELM_BIN_${v.replace('.', '_')}`, path.join(REPO_ROOT, '.tools', 'helm', v, 'helm')] as const)
    .filter(([, bin]) => existsSync(bin)),
);
if (helmEnv.HELM_BIN_3_17) helmEnv.HELM_BIN = helmEnv.HELM_BIN_3_17;

let tmp: string;
/** Where the packed initializer is installed: its bin is what `npm create nmaas-app` runs. */
let creator: string;
let flagsProject: string;
let flagsTree: Record<string, string>;
let packed: Awaited<ReturnType<typeof packWorkspaces>>;
let server: Server;
let target: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'create-nmaas-app-e2e-'));
  const packs = path.join(tmp, 'packs');
  await mkdir(packs);
  packed = await packWorkspaces(packs);
  creator = path.join(tmp, 'creator');
  await mkdir(creator);
  await writeFile(path.join(creator, 'package.json'), JSON.stringify({ name: 'creator', version: '0.0.0', private: true, dependencies: { 'create-nmaas-app': '0.1.0' } }));
  await installOffline(creator, packed);
  // `npm create nmaas-app` with no terminal (stdin is a pipe): flags and defaults only. npm
  // finds the initializer installed in `creator`; the target is an absolute folder elsewhere.
  flagsProject = path.join(tmp, 'flags', INTERACTIVE_NAME);
  const [, ...flags] = EQUIVALENT_FLAGS;
  const created = await npm(['create', '--offline', 'nmaas-app', '--', flagsProject, ...flags], creator);
  expect(created.stdout).toContain(`Created ${INTERACTIVE_NAME} (http-probe)`);
  flagsTree = await snapshotTree(flagsProject);
  await installOffline(flagsProject, packed);

  server = createServer((_req, res) => res.end('measured\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}, 300_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await rm(tmp, { recursive: true, force: true });
});

/**
 * The developer's commands, as the README tells them, in `project()`. `chart` and `validate` are
 * functions of nmaas.yaml alone, so `all: false` skips them for a byte-identical copy.
 */
function projectCommands(project: () => string, all = true) {
  it('npm test: the generated test passes', { timeout: SLOW }, async () => {
    const { stdout } = await npm(['test'], project());
    expect(stdout).toMatch(/Tests\s+.*2 passed/);
  });

  it('npm run dev -- --once: builds, measures once and exports the declared metrics', { timeout: SLOW }, async () => {
    const { stdout } = await npm(['run', '--silent', 'dev', '--', '--once', '--format', 'json', '--param', `targets=${target}`], project());
    const run = JSON.parse(stdout) as { app: string; outcome: string; result: { probes: { target: string; status?: number }[] }; metricsText: string };
    expect(run).toMatchObject({ app: INTERACTIVE_NAME, outcome: 'success', result: { probes: [{ target, status: 200 }] } });
    expect(run.metricsText).toMatch(/^edge_probe_requests_total\{.*result="ok".*\} 1$/m);
    expect(existsSync(path.join(project(), 'dist', 'index.js'))).toBe(true);
  });

  if (!all) return;
  it('npm run chart: writes the Helm chart', { timeout: SLOW }, async () => {
    await npm(['run', 'chart'], project());
    const chartYaml = await readFile(path.join(project(), 'chart', INTERACTIVE_NAME, 'Chart.yaml'), 'utf8');
    expect(chartYaml).toMatch(new RegExp(`^name: ${INTERACTIVE_NAME}$`, 'm'));
    expect(existsSync(path.join(project(), 'chart', INTERACTIVE_NAME, 'nmaas.yaml'))).toBe(true);
  });

  it('npm run validate: no error', { timeout: SLOW }, async () => {
    const { stdout } = await npm(['run', '--silent', 'validate', '--', '--format', 'json'], project(), helmEnv);
    const report = JSON.parse(stdout) as { findings: { ruleId: string; severity: string; message: string }[] };
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
}

describe('a project scaffolded with flags, without a terminal', () => {
  projectCommands(() => flagsProject);
});

describe.skipIf(tmux.skip)('the same project scaffolded through the prompts on a terminal', () => {
  let ttyProject: string;
  beforeAll(async () => {
    await mkdir(path.join(tmp, 'tty'));
    const session = await scaffoldInteractively(tmux.path(), path.join(tmp, 'tty'), path.join(creator, 'node_modules', '.bin', 'create-nmaas-app'));
    if (session.exitCode !== 0) throw new Error(`create-nmaas-app exited ${session.exitCode}:\n${session.screen}`);
    ttyProject = path.join(tmp, 'tty', INTERACTIVE_NAME);
  }, 60_000);

  it('is the same project, file for file', async () => {
    expect(await snapshotTree(ttyProject)).toEqual(flagsTree);
  });

  describe('and works the same', () => {
    beforeAll(async () => {
      // The files are identical, so the first project's install serves this one too.
      await symlink(path.join(flagsProject, 'node_modules'), path.join(ttyProject, 'node_modules'), 'dir');
    });
    projectCommands(() => ttyProject, false);
  });
});

describe('the image layout of the Dockerfile, without Docker', () => {
  it('runs `nmaas-app <dir>` with production dependencies only, serves health and metrics, stops on SIGTERM', { timeout: SLOW }, async () => {
    const dockerfile = await readFile(path.join(flagsProject, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^RUN npm run build && npm prune --omit=dev$/m);
    expect(dockerfile).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(dockerfile).toMatch(/^COPY package\.json nmaas\.yaml \.\/$/m);
    expect(dockerfile).toMatch(/^CMD \["nmaas-app", "\/app"\]$/m);
    // What the run stage holds: package.json, nmaas.yaml, dist/ and the production node_modules.
    await npm(['run', 'build'], flagsProject);
    const app = path.join(tmp, 'image', 'app');
    await mkdir(app, { recursive: true });
    for (const file of ['package.json', 'package-lock.json', 'nmaas.yaml', 'dist']) await cp(path.join(flagsProject, file), path.join(app, file), { recursive: true });
    await npm(['ci', '--offline', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], app);
    expect(existsSync(path.join(app, 'node_modules', 'nmaas'))).toBe(false);
    await rm(path.join(app, 'package-lock.json'));

    // The configuration file the chart mounts at /etc/nmaas/config.json.
    const config = path.join(tmp, 'image', 'config.json');
    await writeFile(config, JSON.stringify({ parameters: { targets: [target] }, schedule: { every: '1m', duration: '20s' } }));
    const port = await freePort();
    const child = spawn(path.join(app, 'node_modules', '.bin', 'nmaas-app'), [app], {
      cwd: app,
      env: cleanEnv({ NMAAS_METRICS_PORT: String(port), NMAAS_CONFIG: config, NMAAS_GRACE_SECONDS: '5' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    let running = true;
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => {
        running = false;
        resolve(code);
      }),
    );
    try {
      const health = await poll(`http://127.0.0.1:${port}/healthz`, 20_000, () => (running ? null : output));
      expect(health.status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/^# TYPE nmaas_/m);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, output).toBe(0);
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Fetches `url` until it answers; `stopped()` returns the app's output once it has exited. */
async function poll(url: string, timeoutMs: number, stopped: () => string | null): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch {
      const output = stopped();
      if (output !== null) throw new Error(`the app exited before ${url} answered; it printed:\n${output}`);
      if (Date.now() > deadline) throw new Error(`${url} never answered within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('the blank template', () => {
  let blank: string;
  beforeAll(async () => {
    blank = path.join(tmp, 'blank', 'first-app');
    await npm(['create', '--offline', 'nmaas-app', '--', blank, '--template', 'blank', '--yes'], creator);
    // Its package.json has the same dependencies, so the first install serves it too.
    const deps = (dir: string) => readFile(path.join(dir, 'package.json'), 'utf8').then((t) => JSON.stringify([JSON.parse(t).dependencies, JSON.parse(t).devDependencies]));
    expect(await deps(blank)).toBe(await deps(flagsProject));
    await symlink(path.join(flagsProject, 'node_modules'), path.join(blank, 'node_modules'), 'dir');
  }, 60_000);

  it('passes its test, runs once, and makes a chart that validates with no error', { timeout: SLOW }, async () => {
    expect((await npm(['test'], blank)).stdout).toMatch(/Tests\s+.*1 passed/);
    const run = JSON.parse((await npm(['run', '--silent', 'dev', '--', '--once', '--format', 'json'], blank)).stdout) as { outcome: string; result: unknown; metricsText: string };
    expect(run).toMatchObject({ outcome: 'success', result: { greeting: 'hello' } });
    expect(run.metricsText).toMatch(/^first_app_runs_total(\{[^}]*\})? 1$/m);
    await npm(['run', 'chart'], blank);
    expect(existsSync(path.join(blank, 'chart', 'first-app', 'Chart.yaml'))).toBe(true);
    const report = JSON.parse((await npm(['run', '--silent', 'validate', '--', '--format', 'json'], blank, helmEnv)).stdout) as { findings: { severity: string }[] };
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
});
