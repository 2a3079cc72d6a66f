import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { TempDirs } from '@nmaas/sdk/testing';
import { checkPlacement, type InstanceSpec, type NodeSpec } from '../../engine/index.js';
import { nodesBehindLink } from '../../engine/testing.js';
import { simulate } from '../run.js';
import { generateWorkload } from '../workload.js';
import { ACS_UP_TO_NODES, replan, resolveMethod, type ReplanResult } from '../../replan/replan.js';

const temp = new TempDirs('replan');
afterAll(() => temp.removeAll());

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, '../../../../cli/dist/main.js');

async function nmaas(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args], { maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

function node(name: string, cpu: number, labels: Record<string, string> = {}): NodeSpec {
  return { name, labels, capacity: { cpu, memory: 4096, bandwidth: 1000 } };
}

function instance(id: string, cpu: number, extra: Partial<InstanceSpec> = {}): InstanceSpec {
  return {
    id,
    app: id,
    every: 60,
    duration: 60,
    startWithin: 0,
    release: 0,
    run: { cpu, memory: 64, bandwidth: 1 },
    idle: { cpu: 0, memory: 0 },
    nodeSelector: {},
    affinity: [],
    antiAffinity: [],
    exclusive: false,
    node: null,
    spreadGroup: null,
    ...extra,
  };
}

/**
 * An early choice that blocks a later pod: `small` (any node) was put on node-a, then `big`, which only node-a
 * can take (selector), was refused. One migration (small to node-b) places big.
 */
const blocked = {
  nodes: [node('node-a', 1000, { gpu: 'yes' }), node('node-b', 1000)],
  apps: {
    horizon: 60,
    instances: [instance('small', 500), instance('big', 800, { nodeSelector: { gpu: 'yes' } })],
  },
  placed: [{ id: 'small', node: 'node-a', phase: 0 }],
};

/** Every plan: checker-clean, within the budget, never worse than where it started. */
function expectSound(
  w: { nodes: NodeSpec[]; apps: { horizon: number; instances: InstanceSpec[] } },
  before: { id: string; node: string; phase: number }[],
  r: ReplanResult,
  k: number,
): void {
  const check = checkPlacement(w.nodes, w.apps, r.placed);
  expect(check.problems).toEqual([]);
  expect(check.competingSlotSeconds).toBe(0);
  expect(check.violations).toBe(0);
  const was = new Map(before.map((p) => [p.id, p]));
  const changed = r.placed.filter(
    (p) => was.has(p.id) && (was.get(p.id)!.node !== p.node || was.get(p.id)!.phase !== p.phase),
  );
  expect(changed.length).toBe(r.migrations);
  expect(r.migrations).toBeLessThanOrEqual(k);
  expect(r.moves.filter((m) => m.kind === 'move').length).toBe(r.migrations);
  expect(r.placed.filter((p) => !was.has(p.id)).length).toBe(r.moves.filter((m) => m.kind === 'place').length);
  expect(r.placed.every((p) => was.has(p.id) || r.moves.some((m) => m.id === p.id))).toBe(true);
  expect(r.after.placed).toBeGreaterThanOrEqual(r.before.placed);
  if (r.after.placed === r.before.placed) expect(r.after.overlapSeconds).toBeLessThanOrEqual(r.before.overlapSeconds);
  expect(r.after.placed + r.after.rejected).toBe(w.apps.instances.length);
}

describe.each(['lns', 'acs'] as const)('replan (algorithm, --method %s)', (method) => {
  it('one migration undoes an early choice that blocked a later pod; with K=0 the pod stays refused', () => {
    const one = replan(blocked.nodes, blocked.apps, blocked.placed, {
      migrations: 1,
      timeLimitSeconds: 10,
      seed: 1,
      method,
    });
    expectSound(blocked, blocked.placed, one, 1);
    expect(one.after.placed).toBe(2);
    expect(one.migrations).toBe(1);
    expect(one.placed).toEqual([
      { id: 'small', node: 'node-b', phase: 0 },
      { id: 'big', node: 'node-a', phase: 0 },
    ]);
    const kinds = Object.fromEntries(one.moves.map((m) => [m.id, m.kind]));
    expect(kinds).toEqual({ small: 'move', big: 'place' });
    expect(one.moves.every((m) => m.gain.placed === 1)).toBe(true);

    const none = replan(blocked.nodes, blocked.apps, blocked.placed, {
      migrations: 0,
      timeLimitSeconds: 10,
      seed: 1,
      method,
    });
    expectSound(blocked, blocked.placed, none, 0);
    expect(none.placed).toEqual(blocked.placed);
    expect(none.rejected.map((x) => x.id)).toEqual(['big']);
    expect(none.rejected[0]!.reason).toMatch(/big|cpu|node/);
  });

  it('reads a placement that lists a dependant before its affinity partner; a placement that does not fit is named', () => {
    const nodes = [node('node-a', 1000)];
    const apps = {
      horizon: 60,
      instances: [instance('anchor', 100), instance('dependant', 100, { affinity: ['anchor'] })],
    };
    const placed = [
      { id: 'dependant', node: 'node-a', phase: 0 },
      { id: 'anchor', node: 'node-a', phase: 0 },
    ];
    const r = replan(nodes, apps, placed, { migrations: 0, timeLimitSeconds: 10, seed: 1, method });
    expect(r.before.placed).toBe(2);
    expect(r.placed).toHaveLength(2);
    const orphan = [{ id: 'dependant', node: 'node-a', phase: 0 }];
    expect(() => replan(nodes, apps, orphan, { migrations: 0, timeLimitSeconds: 10, seed: 1, method })).toThrow(
      /placed\[0\]: dependant on node-a at phase 0 does not fit: node node-a breaks the affinity rule/,
    );
  });

  it('on seeded tight workloads every plan passes the checker and keeps to K; K=0 only places refused ones', async () => {
    let gained = 0;
    for (const seed of [1, 3, 6]) {
      const w = generateWorkload({ seed, nodes: 4, instances: 40, scale: 'small', narrowStartShare: 0.5 });
      const online = await simulate(w.nodes, w.apps);
      for (const k of [0, 2, 6]) {
        const r = replan(w.nodes, w.apps, online.placed, { migrations: k, timeLimitSeconds: 30, seed, method });
        expectSound(w, online.placed, r, k);
        if (k === 0) {
          expect(r.migrations).toBe(0);
          expect(r.moves.every((m) => m.kind === 'place')).toBe(true);
        }
        gained += r.after.placed - r.before.placed;
      }
    }
    // The search must find something on these tight pools, or the test would pass with a replan that does nothing.
    expect(gained).toBeGreaterThan(0);
  });

  it('is deterministic for a seed when the search converges', async () => {
    const w = generateWorkload({ seed: 1, nodes: 4, instances: 40, scale: 'small', narrowStartShare: 0.5 });
    const online = await simulate(w.nodes, w.apps);
    const a = replan(w.nodes, w.apps, online.placed, { migrations: 3, timeLimitSeconds: 60, seed: 7, method });
    const b = replan(w.nodes, w.apps, online.placed, { migrations: 3, timeLimitSeconds: 60, seed: 7, method });
    expect(a.search.stoppedBy).toBe('converged');
    expect({ ...a, search: { ...a.search, millis: 0 } }).toEqual({ ...b, search: { ...b.search, millis: 0 } });
  });

  it('honours the time limit on a pool it cannot finish in that time', async () => {
    // Every instance wants a narrow window on tight nodes: hundreds stay refused, so the search never runs out of work.
    const w = generateWorkload({ seed: 2, nodes: 20, instances: 400, capacityFactor: 0.2, narrowStartShare: 1 });
    const online = await simulate(w.nodes, w.apps);
    const r = replan(w.nodes, w.apps, online.placed, { migrations: 20, timeLimitSeconds: 0.5, seed: 1, method });
    expect(r.search.stoppedBy).toBe('time-limit');
    // The limit plus the second of grace the refusals' explanations get, and slack for a loaded machine.
    expect(r.search.millis).toBeLessThan(0.5 * 1000 + 1000 + 1500);
    expectSound(w, online.placed, r, 20);
  });
});

describe('replan --method acs (ant colony)', () => {
  /**
   * Three nodes, exclusive one-minute runs every 5 minutes that may start in the first two minutes only. Online
   * placement put a and b on node-1 at minutes 0 and 1 and c, d on node-2 the same way, then e only fits node-1
   * (selector) and both its minutes there are taken. Placing e needs one of a and b to move to node-3.
   */
  const exclusive = (id: string, extra: Partial<InstanceSpec> = {}): InstanceSpec =>
    instance(id, 100, { every: 300, duration: 60, startWithin: 60, exclusive: true, ...extra });
  const tiny = {
    nodes: [node('node-1', 1000, { site: 'x' }), node('node-2', 1000), node('node-3', 1000)],
    apps: {
      horizon: 300,
      instances: [
        exclusive('a'),
        exclusive('b'),
        exclusive('c'),
        exclusive('d'),
        exclusive('e', { nodeSelector: { site: 'x' } }),
      ],
    },
    placed: [
      { id: 'a', node: 'node-1', phase: 0 },
      { id: 'b', node: 'node-1', phase: 60 },
      { id: 'c', node: 'node-2', phase: 0 },
      { id: 'd', node: 'node-2', phase: 60 },
    ],
  };

  it('places a blocked instance by moving one booking, and only one', () => {
    const r = replan(tiny.nodes, tiny.apps, tiny.placed, {
      migrations: 1,
      timeLimitSeconds: 10,
      seed: 3,
      method: 'acs',
    });
    expectSound(tiny, tiny.placed, r, 1);
    expect(r.after.placed).toBe(5);
    expect(r.migrations).toBe(1);
    const moved = r.moves.find((m) => m.kind === 'move')!;
    expect(['a', 'b']).toContain(moved.id);
    expect(moved.to.node).toBe('node-3');
    expect(r.placed.find((p) => p.id === 'e')!.node).toBe('node-1');
  });

  it('auto, the default, keeps the better of the colony and the LNS on a small pool, and is the LNS on a large one', async () => {
    const w = generateWorkload({ seed: 2, nodes: 3, instances: 30, scale: 'small', narrowStartShare: 1 });
    const online = await simulate(w.nodes, w.apps);
    const run = (method?: 'acs' | 'lns') =>
      replan(w.nodes, w.apps, online.placed, { migrations: 30, timeLimitSeconds: 60, seed: 1, method });
    const [auto, acs, lns] = [run(), run('acs'), run('lns')];
    expectSound(w, online.placed, auto, 30);
    expect(auto.after.placed).toBe(Math.max(acs.after.placed, lns.after.placed));
    expect(resolveMethod('auto', ACS_UP_TO_NODES)).toBe('acs');
    expect(resolveMethod('auto', ACS_UP_TO_NODES + 1)).toBe('lns');
    expect(resolveMethod('acs', 5000)).toBe('acs');
  });

  it.each(['lns', 'acs'] as const)(
    '%s counts runs sending at once behind a shared link as overlap, and moves one of two tests apart',
    (method) => {
      const nodes = nodesBehindLink(
        ['edge-a', 'edge-b'],
        { cpu: 4000, memory: 4096, bandwidth: 1000 },
        { name: 'site-a', capacity: 1000 },
      );
      // Two 300 Mbps tests fit the 1 Gbps uplink at once; only the link's overlap tells the search to part them.
      const test = (id: string, node: string): InstanceSpec =>
        instance(id, 100, {
          node,
          every: 60,
          duration: 20,
          startWithin: 59,
          run: { cpu: 100, memory: 10, bandwidth: 300 },
        });
      const w = { nodes, apps: { horizon: 60, instances: [test('bw-0', 'edge-a'), test('bw-1', 'edge-b')] } };
      const current = [
        { id: 'bw-0', node: 'edge-a', phase: 0 },
        { id: 'bw-1', node: 'edge-b', phase: 0 },
      ];
      const r = replan(w.nodes, w.apps, current, { migrations: 1, timeLimitSeconds: 10, seed: 1, method });
      expectSound(w, current, r, 1);
      expect(r.before.overlapSeconds).toBe(20);
      expect(r.after.overlapSeconds).toBe(0);
      expect(r.migrations).toBe(1);
      const [x, y] = r.placed.map((p) => p.phase);
      expect(Math.abs(x! - y!)).toBeGreaterThanOrEqual(20);
    },
  );

  it('gives the same plan for the same seed, and searches differently for another seed', async () => {
    const w = generateWorkload({ seed: 5, nodes: 3, instances: 30, scale: 'small', narrowStartShare: 1 });
    const online = await simulate(w.nodes, w.apps);
    const run = (seed: number) =>
      replan(w.nodes, w.apps, online.placed, { migrations: 30, timeLimitSeconds: 60, seed, method: 'acs' });
    const [a, b, c] = [run(4), run(4), run(5)];
    expect(a.search.stoppedBy).toBe('converged');
    const plain = (r: ReplanResult) => ({ ...r, search: { ...r.search, millis: 0 } });
    expect(plain(a)).toEqual(plain(b));
    // The seed drives the ants: another seed takes another path (kept steps or the plan itself differ).
    expect(plain(c)).not.toEqual(plain(a));
  });
});

describe('nmaas scheduler replan (CLI)', () => {
  it('--format json is a simulate-shaped placement that check verifies, plus the moves; --svg draws it', async () => {
    const dir = await temp.make();
    const f = (name: string): string => path.join(dir, name);
    await writeFile(f('nodes.json'), JSON.stringify({ nodes: blocked.nodes }));
    await writeFile(f('apps.json'), JSON.stringify(blocked.apps));
    await writeFile(f('placement.json'), JSON.stringify({ placed: blocked.placed }));
    const args = ['--nodes', f('nodes.json'), '--apps', f('apps.json'), '--placement', f('placement.json')];
    const r = await nmaas('scheduler', 'replan', ...args, '--migrations', '1', '--format', 'json', '--svg', f('p.svg'));
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['strategy', 'placed', 'rejected', 'migrations', 'metrics', 'replan']);
    expect(out.metrics).toEqual({ placed: 2, rejected: 0, competingSlotSeconds: 0, violations: 0 });
    expect(out.migrations).toEqual([
      { id: 'small', from: { node: 'node-a', phase: 0 }, to: { node: 'node-b', phase: 0 } },
    ]);
    expect(Object.keys(out.replan)).toEqual(['before', 'after', 'migrations', 'budget', 'moves', 'search']);
    expect(out.replan.moves[0]).toMatchObject({ id: 'small', kind: 'move', gain: { placed: 1 } });
    expect(await readFile(f('p.svg'), 'utf8')).toMatch(/^<svg/);
    await writeFile(f('plan.json'), r.stdout);
    const check = await nmaas(
      'scheduler',
      'check',
      '--nodes',
      f('nodes.json'),
      '--apps',
      f('apps.json'),
      '--placement',
      f('plan.json'),
    );
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/2 placed; competing slot-seconds: 0; violations: 0/);

    const text = await nmaas('scheduler', 'replan', ...args);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/still refused:\n {2}big:/);
  });

  it('bad input exits 2 with what, where and how to fix', async () => {
    const dir = await temp.make();
    const f = (name: string): string => path.join(dir, name);
    await writeFile(f('nodes.json'), JSON.stringify({ nodes: blocked.nodes }));
    await writeFile(f('apps.json'), JSON.stringify(blocked.apps));
    const base = ['scheduler', 'replan', '--nodes', f('nodes.json'), '--apps', f('apps.json'), '--placement'];

    await writeFile(f('stranger.json'), JSON.stringify({ placed: [{ id: 'ghost', node: 'node-a', phase: 0 }] }));
    await writeFile(f('elsewhere.json'), JSON.stringify({ placed: [{ id: 'small', node: 'node-z', phase: 0 }] }));
    await writeFile(
      f('crowded.json'),
      JSON.stringify({
        placed: [
          { id: 'small', node: 'node-a', phase: 0 },
          { id: 'big', node: 'node-a', phase: 0 },
        ],
      }),
    );
    // One process each, run side by side: they share nothing.
    const [missing, stranger, elsewhere, crowded, badK, badMethod] = await Promise.all([
      nmaas(...base, f('absent.json')),
      nmaas(...base, f('stranger.json')),
      nmaas(...base, f('elsewhere.json')),
      nmaas(...base, f('crowded.json')),
      nmaas(...base, f('crowded.json'), '--migrations', '-1'),
      nmaas(...base, f('crowded.json'), '--method', 'tabu'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the placement file/);
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toMatch(/placed\[0\]: ghost is not an instance of the apps file/);
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toMatch(/small on node-z .*does not fit: node node-z is not a measurement node/);
    expect(elsewhere.stderr).toMatch(/nmaas scheduler check/);
    expect(crowded.code).toBe(2);
    expect(crowded.stderr).toMatch(/placed\[1\]: big on node-a at phase 0 does not fit/);
    expect(badK.code).toBe(2);
    expect(badMethod.code).toBe(2);
    expect(badMethod.stderr).toMatch(/--method.*must be one of auto, lns, acs/);
  });
});
