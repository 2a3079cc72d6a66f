/**
 * The promise of create-nmaas-app, end to end: a project scaffolded without a terminal and one
 * scaffolded through the prompts on a real terminal are identical, install from the packed
 * workspace packages with no network, and their tests, `nmaas run --once`, `nmaas chart` and
 * `nmaas validate` all pass. One install serves both projects.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool } from '@nmaas/sdk/testing';
import { CREATE_MAIN, EQUIVALENT_FLAGS, INTERACTIVE_NAME, scaffoldInteractively } from './e2e/interactive.js';
import { installOffline, npm, packWorkspaces, REPO_ROOT } from './e2e/pack.js';
import { snapshotTree } from './e2e/tree.js';

const tmux = tool('tmux', 'apt-get install tmux');
const execFileAsync = promisify(execFile);

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
let flagsProject: string;
let flagsTree: Record<string, string>;
let server: Server;
let target: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'create-nmaas-app-e2e-'));
  const packs = path.join(tmp, 'packs');
  await mkdir(packs);
  const packed = await packWorkspaces(packs);
  // The real bin, with no terminal (stdin is a pipe): flags and defaults only.
  await mkdir(path.join(tmp, 'flags'));
  await execFileAsync(process.execPath, [CREATE_MAIN, ...EQUIVALENT_FLAGS], { cwd: path.join(tmp, 'flags') });
  flagsProject = path.join(tmp, 'flags', INTERACTIVE_NAME);
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

/** The developer's four commands, as the README tells them, in `dir`. */
function projectCommands(project: () => string) {
  it('npm test: the generated test passes', async () => {
    const { stdout } = await npm(['test'], project());
    expect(stdout).toMatch(/Tests\s+.*2 passed/);
  });

  it('npm run dev -- --once: builds, measures once and exports the declared metrics', async () => {
    const { stdout } = await npm(['run', '--silent', 'dev', '--', '--once', '--format', 'json', '--param', `targets=${target}`], project());
    const run = JSON.parse(stdout) as { app: string; outcome: string; result: { probes: { target: string; status?: number }[] }; metricsText: string };
    expect(run).toMatchObject({ app: INTERACTIVE_NAME, outcome: 'success', result: { probes: [{ target, status: 200 }] } });
    expect(run.metricsText).toMatch(/^edge_probe_requests_total\{.*result="ok".*\} 1$/m);
    expect(existsSync(path.join(project(), 'dist', 'index.js'))).toBe(true);
  });

  it('npm run chart: writes the Helm chart', async () => {
    await npm(['run', 'chart'], project());
    const chartYaml = await readFile(path.join(project(), 'chart', INTERACTIVE_NAME, 'Chart.yaml'), 'utf8');
    expect(chartYaml).toMatch(new RegExp(`^name: ${INTERACTIVE_NAME}$`, 'm'));
    expect(existsSync(path.join(project(), 'chart', INTERACTIVE_NAME, 'nmaas.yaml'))).toBe(true);
  });

  it('npm run validate: no error', async () => {
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
    const session = await scaffoldInteractively(tmux.path(), path.join(tmp, 'tty'));
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
    projectCommands(() => ttyProject);
  });
});
