/**
 * The app developer's path, step by step, as the README's tour runs it on a fresh machine: a
 * private registry on 127.0.0.1 with the workspace packages published to it, an empty npm cache,
 * no helm. Each step's wall time, the total against the 5-minute promise, and the real peer in
 * the same run through the same registry and cache: `npm create vite@latest` (vanilla-ts) and its
 * `npm install`, as ratios.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTempDir } from '@nmaas/sdk/testing';
import { npm, publishWorkspaces, startLocalRegistry, TOUR_CREATE_ARGS } from 'create-nmaas-app/local-registry';
import type { Bench } from './index.js';

const TOUR_BUDGET_SECONDS = 300;

async function timed<T>(steps: Record<string, number>, name: string, fn: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  const result = await fn();
  steps[name] = Number(process.hrtime.bigint() - started) / 1e9;
  return result;
}

const bench: Bench = async () => {
  const tmp = await makeTempDir('bench-devpath');
  const server = createServer((_req, res) => res.end('measured\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const steps: Record<string, number> = {};
  const peer: Record<string, number> = {};
  try {
    const registry = await timed(steps, 'registryStart', () => startLocalRegistry(path.join(tmp, 'registry')));
    try {
      await timed(steps, 'publish', () => publishWorkspaces(registry));
      const home = path.join(tmp, 'home');
      await mkdir(home);
      const env = {
        ...registry.npmEnv,
        HOME: home,
        NMAAS_CACHE_DIR: path.join(tmp, 'nmaas-cache'),
        XDG_CACHE_HOME: path.join(tmp, 'xdg'),
      };
      const project = path.join(home, 'my-probe');
      await timed(steps, 'create', () => npm([...TOUR_CREATE_ARGS], home, env));
      await timed(steps, 'install', () => npm(['install'], project, env, 900_000));
      await timed(steps, 'test', () => npm(['test'], project, env));
      await timed(steps, 'devOnce', () =>
        npm(['run', 'dev', '--', '--once', '--param', `targets=${target}`], project, env),
      );
      await timed(steps, 'image', () => npm(['run', 'image'], project, env, 900_000));
      await timed(steps, 'chart', () => npm(['run', 'chart'], project, env));
      await timed(steps, 'validateFirst', () => npm(['run', 'validate'], project, env));
      await timed(steps, 'validateAgain', () => npm(['run', 'validate'], project, env));
      // The peer, through the same registry and the cache the tour just filled with what they share.
      await timed(peer, 'create', () =>
        npm(['create', 'vite@latest', 'peer', '--', '--template', 'vanilla-ts', '--no-interactive'], home, env),
      );
      await timed(peer, 'install', () => npm(['install'], path.join(home, 'peer'), env, 900_000));
    } finally {
      await registry.stop();
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await rm(tmp, { recursive: true, force: true });
  }
  const tour = ['create', 'install', 'test', 'devOnce', 'image', 'chart', 'validateFirst'].reduce(
    (sum, k) => sum + (steps[k] ?? 0),
    0,
  );
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    what: 'README tour on a fresh machine: local Verdaccio 6.8.0, empty npm cache, no helm (seconds per step)',
    stepsSeconds: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, round(v)])),
    tourSeconds: round(tour),
    tourBudgetSeconds: TOUR_BUDGET_SECONDS,
    withinBudget: tour < TOUR_BUDGET_SECONDS,
    peer: {
      name: 'npm create vite@latest (vanilla-ts) + npm install',
      seconds: Object.fromEntries(Object.entries(peer).map(([k, v]) => [k, round(v)])),
    },
    ratios: {
      createVsPeer: round(steps.create! / peer.create!),
      installVsPeer: round(steps.install! / peer.install!),
    },
  };
};

export default bench;
