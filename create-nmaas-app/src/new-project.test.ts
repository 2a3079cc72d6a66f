/**
 * The README's tour, verbatim, on a fresh machine: the workspace packages are published with a
 * real `npm publish` to a private registry on 127.0.0.1 (Verdaccio, which proxies everything else
 * from npm), and a developer with only Node and npm (an empty HOME, an empty npm cache, no helm)
 * runs `npm create nmaas-app@latest my-probe -- --yes …`, then `npm install`, `npm test`,
 * `npm run dev -- --once`, `npm run chart` and `npm run validate` in the new project. The same
 * project made through the prompts on a real terminal (tmux) is identical, and the Dockerfile's
 * image layout runs. One registry and one install serve the whole suite.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, makeTempDir, tool } from '@nmaas/sdk/testing';
import { EQUIVALENT_FLAGS, INTERACTIVE_NAME, scaffoldInteractively } from './testing/interactive.js';
import { snapshotTree } from './testing/tree.js';
import { npm, publishWorkspaces } from './local-registry/npm.js';
import { cleanEnv, REPO_ROOT, startLocalRegistry, type LocalRegistry } from './local-registry/registry.js';
import { TOUR_CREATE_ARGS } from './local-registry/tour.js';

const tmux = tool('tmux', 'apt-get install tmux');
/** Each step spawns npm, tsc, vitest or helm: generous on a loaded 2-core machine. */
const STEP = 240_000;
/** The first install fetches ~600 packages through the local registry: minutes on a busy machine. */
const INSTALL = 600_000;

let tmp: string;
let registry: LocalRegistry;
/** The developer's environment: the local registry, an empty HOME and caches, no helm anywhere. */
let env: Record<string, string>;
let home: string;
let project: string;
let server: Server;
let target: string;

beforeAll(async () => {
  tmp = await makeTempDir('create-app-e2e');
  registry = await startLocalRegistry(path.join(tmp, 'registry'));
  await publishWorkspaces(registry);
  home = path.join(tmp, 'home');
  await mkdir(home);
  env = {
    ...registry.npmEnv,
    HOME: home,
    NMAAS_CACHE_DIR: path.join(tmp, 'nmaas-cache'),
    XDG_CACHE_HOME: path.join(tmp, 'xdg-cache'),
  };
  project = path.join(home, 'my-probe');
  server = createServer((_req, res) => res.end('measured\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}, STEP);

afterAll(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await registry?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('the README tour against a local registry', () => {
  it('starts on a machine without helm', () => {
    expect(
      cleanEnv()
        .PATH?.split(path.delimiter)
        .some((dir) => existsSync(path.join(dir, 'helm'))),
    ).toBe(false);
  });

  it('talks to a registry that signs its tokens, so no request re-checks a password', async () => {
    const npmrc = await readFile(registry.npmEnv.npm_config_userconfig!, 'utf8');
    const token = /:_authToken=(.+)$/m.exec(npmrc)?.[1] ?? '';
    const [header, payload, signature] = token.split('.');
    expect(signature, `not a JWT: ${token.slice(0, 12)}…`).toMatch(/^[\w-]+$/);
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toMatchObject({ name: 'nmaas-publisher' });
  });

  it('npm create nmaas-app@latest my-probe -- --yes …', { timeout: STEP }, async () => {
    const { stdout } = await npm([...TOUR_CREATE_ARGS], home, env);
    expect(stdout).toContain('Created my-probe (http-probe)');
    const manifest = await readFile(path.join(project, 'package.json'), 'utf8');
    expect(JSON.parse(manifest)).toMatchObject({
      dependencies: { '@nmaas/sdk': '^0.1.0' },
      devDependencies: { nmaas: '^0.1.0' },
    });
  });

  it('npm install: every package from the registry', { timeout: INSTALL }, async () => {
    await npm(['install'], project, env, INSTALL);
    const lock = JSON.parse(await readFile(path.join(project, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string }>;
    };
    const nmaas = ['@nmaas/sdk', '@nmaas/charts-gen', '@nmaas/validator', 'nmaas'].map(
      (name) => lock.packages[`node_modules/${name}`]?.resolved,
    );
    for (const resolved of nmaas) expect(resolved).toMatch(new RegExp(`^${registry.url}`));
    expect(Object.values(lock.packages).filter((p) => p.resolved?.startsWith('file:'))).toEqual([]);
  });

  it('npm test: the generated test passes', { timeout: STEP }, async () => {
    const { stdout } = await npm(['test'], project, env);
    expect(stdout).toMatch(/Tests\s+.*2 passed/);
  });

  it('npm run dev -- --once: builds, measures once and exports the declared metrics', { timeout: STEP }, async () => {
    const { stdout } = await npm(
      ['run', '--silent', 'dev', '--', '--once', '--format', 'json', '--param', `targets=${target}`],
      project,
      env,
    );
    const run = JSON.parse(stdout) as {
      app: string;
      outcome: string;
      result: { probes: { target: string; status?: number }[] };
      metricsText: string;
    };
    expect(run).toMatchObject({ app: 'my-probe', outcome: 'success', result: { probes: [{ target, status: 200 }] } });
    expect(run.metricsText).toMatch(/^my_probe_requests_total\{.*result="ok".*\} 1$/m);
  });

  it(
    'npm run image: builds the OCI image without Docker and pins its digest in image.lock.json',
    { timeout: INSTALL },
    async () => {
      const { stdout } = await npm(['run', 'image'], project, env, INSTALL);
      expect(stdout).toMatch(/^built \S+:\S+@sha256:[0-9a-f]{64}$/m);
      const lock = JSON.parse(await readFile(path.join(project, 'image.lock.json'), 'utf8')) as { digest: string };
      expect(lock.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    },
  );

  it('npm run chart: writes the Helm chart', { timeout: STEP }, async () => {
    await npm(['run', 'chart'], project, env);
    const chartYaml = await readFile(path.join(project, 'chart', 'my-probe', 'Chart.yaml'), 'utf8');
    expect(chartYaml).toMatch(/^name: my-probe$/m);
  });

  it('npm run validate: provisions the pinned helm from npm and finds no error', { timeout: STEP }, async () => {
    const { stdout } = await npm(['run', 'validate'], project, env);
    expect(stdout).toMatch(/^0 error\(s\), 0 warning\(s\)/m);
    expect(stdout).toContain('rendered with helm template');
    // The chart carries the digest npm run image pinned; the helm used is the repository's pin.
    expect(await readFile(path.join(project, 'chart', 'my-probe', 'values.yaml'), 'utf8')).toContain(
      (JSON.parse(await readFile(path.join(project, 'image.lock.json'), 'utf8')) as { digest: string }).digest,
    );
    expect(existsSync(path.join(env.NMAAS_CACHE_DIR!, 'helm', '3.17', 'helm'))).toBe(true);
  });
});

describe.skipIf(tmux.skip)('the same kind of project scaffolded through the prompts on a terminal', () => {
  let flagsProject: string;
  let ttyProject: string;
  beforeAll(async () => {
    // The initializer as npm installs it, so its bin can run on the terminal.
    const creator = path.join(tmp, 'creator');
    await mkdir(creator);
    await writeFile(
      path.join(creator, 'package.json'),
      JSON.stringify({ name: 'creator', version: '0.0.0', private: true }),
    );
    await npm(['install', 'create-nmaas-app@latest'], creator, env);
    await mkdir(path.join(tmp, 'flags'));
    await npm(['create', 'nmaas-app@latest', '--', ...EQUIVALENT_FLAGS], path.join(tmp, 'flags'), env);
    flagsProject = path.join(tmp, 'flags', INTERACTIVE_NAME);
    await mkdir(path.join(tmp, 'tty'));
    const session = await scaffoldInteractively(
      tmux.path(),
      path.join(tmp, 'tty'),
      path.join(creator, 'node_modules', '.bin', 'create-nmaas-app'),
    );
    if (session.exitCode !== 0) throw new Error(`create-nmaas-app exited ${session.exitCode}:\n${session.screen}`);
    ttyProject = path.join(tmp, 'tty', INTERACTIVE_NAME);
  }, STEP);

  it('is the same project as the flags give, file for file', async () => {
    expect(await snapshotTree(ttyProject)).toEqual(await snapshotTree(flagsProject));
  });

  it('passes its test with the same dependencies', { timeout: STEP }, async () => {
    // Same dependencies as my-probe, so its install serves this one too.
    await symlink(path.join(project, 'node_modules'), path.join(ttyProject, 'node_modules'), 'dir');
    expect((await npm(['test'], ttyProject, env)).stdout).toMatch(/Tests\s+.*2 passed/);
  });
});

describe('the image layout of the Dockerfile, without Docker', () => {
  it(
    'runs `nmaas-app <dir>` with production dependencies only, serves health and metrics, stops on SIGTERM',
    { timeout: STEP },
    async () => {
      const dockerfile = await readFile(path.join(project, 'Dockerfile'), 'utf8');
      expect(dockerfile).toMatch(/^RUN npm run build && npm prune --omit=dev$/m);
      expect(dockerfile).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
      expect(dockerfile).toMatch(/^COPY package\.json nmaas\.yaml \.\/$/m);
      expect(dockerfile).toMatch(/^CMD \["nmaas-app", "\/app"\]$/m);
      // What the run stage holds: package.json, nmaas.yaml, dist/ and the production node_modules.
      await npm(['run', 'build'], project, env);
      const app = path.join(tmp, 'image', 'app');
      await mkdir(app, { recursive: true });
      for (const file of ['package.json', 'package-lock.json', 'nmaas.yaml', 'dist'])
        await cp(path.join(project, file), path.join(app, file), { recursive: true });
      await npm(['ci', '--offline', '--omit=dev', '--loglevel=error'], app, env);
      expect(existsSync(path.join(app, 'node_modules', 'nmaas'))).toBe(false);
      await rm(path.join(app, 'package-lock.json'));

      // The configuration file the chart mounts at /etc/nmaas/config.json.
      const config = path.join(tmp, 'image', 'config.json');
      await writeFile(
        config,
        JSON.stringify({ parameters: { targets: [target] }, schedule: { every: '1m', duration: '20s' } }),
      );
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
    },
  );
});

describe('from a clone, before anything is published: npm run create-app -- <dir>', () => {
  it(
    'scaffolds and installs a project whose lock names the public registry and whose test passes',
    { timeout: STEP },
    async () => {
      const clone = path.join(home, 'clone-probe');
      // The developer's own npm cache, as `npm run` passes it down.
      const own = { HOME: home, npm_config_cache: env.npm_config_cache! };
      const { stdout } = await npm(
        ['run', 'create-app', '--', clone, '--yes', '--template', 'http-probe'],
        REPO_ROOT,
        own,
      );
      expect(stdout).toContain(`Ready: ${clone}`);
      const lock = await readFile(path.join(clone, 'package-lock.json'), 'utf8');
      expect(lock).not.toMatch(/127\.0\.0\.1/);
      expect(lock).toContain('"resolved": "https://registry.npmjs.org/@nmaas/sdk/-/sdk-0.1.0.tgz"');
      expect((await npm(['test'], clone, own)).stdout).toMatch(/Tests\s+.*2 passed/);
      // Installs again with no registry at all, from the cache it filled.
      await rm(path.join(clone, 'node_modules'), { recursive: true });
      await npm(['ci', '--offline', '--loglevel=error'], clone, own);
      expect(existsSync(path.join(clone, 'node_modules', 'nmaas', 'package.json'))).toBe(true);
    },
  );
});

describe('the blank template', () => {
  it(
    'passes its test, runs once, builds its image, and makes a chart that validates with no error',
    { timeout: INSTALL },
    async () => {
      await npm(['create', 'nmaas-app@latest', 'first-app', '--', '--template', 'blank', '--yes'], home, env);
      const blank = path.join(home, 'first-app');
      // Its package.json has the same dependencies, so the first install serves it too.
      const deps = (dir: string) =>
        readFile(path.join(dir, 'package.json'), 'utf8').then((t) =>
          JSON.stringify([JSON.parse(t).dependencies, JSON.parse(t).devDependencies]),
        );
      expect(await deps(blank)).toBe(await deps(project));
      await symlink(path.join(project, 'node_modules'), path.join(blank, 'node_modules'), 'dir');
      expect((await npm(['test'], blank, env)).stdout).toMatch(/Tests\s+.*1 passed/);
      const run = JSON.parse(
        (await npm(['run', '--silent', 'dev', '--', '--once', '--format', 'json'], blank, env)).stdout,
      ) as { outcome: string; result: unknown; metricsText: string };
      expect(run).toMatchObject({ outcome: 'success', result: { greeting: 'hello' } });
      expect(run.metricsText).toMatch(/^first_app_runs_total(\{[^}]*\})? 1$/m);
      await npm(['run', 'image'], blank, env, INSTALL);
      await npm(['run', 'chart'], blank, env);
      expect(existsSync(path.join(blank, 'chart', 'first-app', 'Chart.yaml'))).toBe(true);
      const report = JSON.parse(
        (await npm(['run', '--silent', 'validate', '--', '--format', 'json'], blank, env)).stdout,
      ) as { findings: { severity: string }[] };
      expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    },
  );
});

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
