import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { TempDirs } from '@nmaas/sdk/testing';
import { checkPlacement, Engine } from '../engine/index.js';
import { FAMILIES, family, HEAVY_FAMILY } from './families.js';
import { plantedWorkload } from './planted.js';
import { familyQuality } from './quality.js';

describe('workload families', () => {
  it('are deterministic for a seed and differ between seeds', () => {
    for (const f of FAMILIES) {
      const a = JSON.stringify(f.generate({ seed: 7, nodes: 4, instances: 40 }));
      expect(JSON.stringify(f.generate({ seed: 7, nodes: 4, instances: 40 }))).toBe(a);
      expect(JSON.stringify(f.generate({ seed: 8, nodes: 4, instances: 40 }))).not.toBe(a);
    }
    expect(() => family('nope')).toThrow(/unknown workload family "nope"; known: mixed-nodes/);
  });

  it('keep every instance valid: whole seconds, duration within the period, start window inside it', () => {
    for (const f of FAMILIES) {
      const { apps } = f.generate({ seed: 3, nodes: 4, instances: 60 });
      for (const s of apps.instances) {
        expect(apps.horizon % s.every, `${f.name} ${s.id}`).toBe(0);
        expect(s.duration).toBeGreaterThan(0);
        expect(s.duration).toBeLessThanOrEqual(s.every);
        expect(s.release).toBeLessThan(s.every);
      }
    }
  });

  it('long periods are folded onto the one-hour engine: placed, not refused as a model limit, checker clean', async () => {
    const { apps } = family('long-periods').generate({ seed: 5, nodes: 3, instances: 12 });
    expect(apps.horizon).toBeGreaterThan(3600);
    expect(apps.instances.some((s) => 3600 % s.every !== 0)).toBe(true);
    const q = await familyQuality('long-periods', [5], { nodes: 3, instances: 12 }, { exactTimeLimitSeconds: 1 });
    const row = q.rows[0]!;
    expect(row.modelLimit).toBe(0);
    expect(row.instances).toBe(12);
    expect(row.nmaas).toBeGreaterThan(0);
    expect(row.nmaas).toBeLessThanOrEqual(row.bound);
    expect(row).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
  });
});

describe('the heavy family (the engine at scale)', () => {
  it('has one app in six exclusive and 400 Mbps tests, and leaves some pods without room, each explained', () => {
    const w = HEAVY_FAMILY.generate({ seed: 7, nodes: 60, instances: 600 });
    expect(JSON.stringify(family('heavy').generate({ seed: 7, nodes: 60, instances: 600 }))).toBe(JSON.stringify(w));
    const apps = new Map(w.apps.instances.map((s) => [s.app, s]));
    expect(apps.size).toBe(12);
    expect([...apps.values()].filter((s) => s.exclusive)).toHaveLength(2);
    expect([...apps.values()].filter((s) => s.run.bandwidth === 400)).toHaveLength(4);
    for (const s of w.apps.instances) {
      expect(w.apps.horizon % s.every).toBe(0);
      expect(s.duration).toBeLessThanOrEqual(s.every);
    }
    const engine = new Engine(w.nodes, { horizon: w.apps.horizon });
    const refused = w.apps.instances.map((s) => engine.place(s)).filter((r) => !r.ok);
    // About one in ten at ten pods a node (seed 7: 11.5 % at 5,000 nodes); a range, not a tuned figure.
    expect(refused.length).toBeGreaterThan(0.03 * 600);
    expect(refused.length).toBeLessThan(0.25 * 600);
    for (const r of refused) if (!r.ok) expect(r.reason).toMatch(/^no node in /);
    const placed = engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
    expect(checkPlacement(w.nodes, w.apps, placed)).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
  });
});

describe('planted optimum', () => {
  it('the planted plan places every pod with no competition and, at fill 1, fills cpu and memory every second', () => {
    for (const seed of [1, 2, 3]) {
      const w = plantedWorkload({ seed, nodes: 5, instances: 60, fill: 1 });
      const placed = [...w.plan].map(([id, p]) => ({ id, ...p }));
      expect(placed.length).toBe(w.knownOptimum);
      expect(checkPlacement(w.nodes, w.apps, placed)).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
      for (const n of w.nodes) {
        const here = w.apps.instances.filter((s) => w.plan.get(s.id)!.node === n.name);
        const cpuSeconds = here.reduce((sum, s) => sum + (s.run.cpu * s.duration * 3600) / s.every, 0);
        expect(cpuSeconds).toBe(n.capacity.cpu * 3600);
        const memorySeconds = here.reduce((sum, s) => sum + (s.run.memory * s.duration * 3600) / s.every, 0);
        expect(memorySeconds).toBe(n.capacity.memory * 3600);
      }
    }
  });

  it('at fill 0.9 drops a tenth of the cut pods, shuffled out of plan order', () => {
    const ninety = plantedWorkload({ seed: 4, nodes: 6, instances: 100, fill: 0.9 });
    expect(ninety.knownOptimum).toBe(ninety.apps.instances.length);
    expect(ninety.knownOptimum).toBeGreaterThanOrEqual(95);
    const used = ninety.apps.instances.reduce((sum, s) => sum + (s.run.cpu * s.duration) / s.every, 0);
    const capacity = ninety.nodes.reduce((sum, n) => sum + n.capacity.cpu, 0);
    expect(used / capacity).toBeGreaterThan(0.8);
    expect(used / capacity).toBeLessThan(0.97);
    const nodesInOrder = ninety.apps.instances.map((s) => ninety.plan.get(s.id)!.node);
    expect(nodesInOrder).not.toEqual([...nodesInOrder].sort());
    expect(() => plantedWorkload({ seed: 1, nodes: 1, instances: 1, fill: 0 })).toThrow(/fill must be in \(0, 1\]/);
  });
});

const temp = new TempDirs('families');
afterAll(() => temp.removeAll());
const CLI = path.resolve(import.meta.dirname, '../../../cli/dist/main.js');

async function nmaas(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [CLI, ...args], { maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('nmaas scheduler generate --family / simulate --retry, --controller-retries, --strategy first-fit (CLI)', () => {
  it('writes a family workload that simulate reads; the retry model places the late-partner dependants', async () => {
    const dir = await temp.make();
    const out = path.join(dir, 'w');
    const g = await nmaas(
      'scheduler',
      'generate',
      '--family',
      'affinity-late',
      '--seed',
      '2',
      '--nodes',
      '3',
      '--instances',
      '12',
      '-o',
      out,
    );
    expect(g).toMatchObject({ code: 0 });
    expect(g.stdout).toMatch(/wrote 3 nodes and 12 instances \(horizon 3600 s\)/);
    const expected = family('affinity-late').generate({ seed: 2, nodes: 3, instances: 12 });
    expect(JSON.parse(await readFile(path.join(out, 'apps.json'), 'utf8'))).toEqual(expected.apps);
    const simulateCli = (...extra: string[]) =>
      nmaas(
        'scheduler',
        'simulate',
        '--nodes',
        path.join(out, 'nodes.json'),
        '--apps',
        path.join(out, 'apps.json'),
        ...extra,
      );
    const sim = async (...extra: string[]) =>
      JSON.parse((await simulateCli('--format', 'json', ...extra)).stdout) as {
        metrics: { placed: number; competingSlotSeconds: number; violations: number };
      };
    const [online, retried, ff] = [await sim(), await sim('--retry'), await sim('--strategy', 'first-fit')];
    expect(retried.metrics.placed).toBeGreaterThan(online.metrics.placed);
    expect(retried.metrics.placed).toBeGreaterThanOrEqual(ff.metrics.placed);
    // Re-created pods: the same placements on arrival, then the dependants once their partners are there.
    const recreated = (await sim('--controller-retries', '3600')) as typeof online & {
      controllerRetries: { late: { id: string; delaySeconds: number }[] };
    };
    expect(recreated.controllerRetries.late.length).toBeGreaterThan(0);
    expect(recreated.metrics.placed).toBe(online.metrics.placed + recreated.controllerRetries.late.length);
    for (const r of [online, retried, ff, recreated])
      expect(r.metrics).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
    const planted = await nmaas(
      'scheduler',
      'generate',
      '--family',
      'planted-100',
      '--nodes',
      '2',
      '--instances',
      '10',
      '-o',
      path.join(dir, 'p'),
    );
    expect(planted.stdout).toMatch(/; the optimum places all \d+/);
    const bad = await nmaas('scheduler', 'generate', '--family', 'nope', '-o', path.join(dir, 'x'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Allowed choices are mixed-nodes, colliding-windows/);
    const wrong = await simulateCli('--strategy', 'exact', '--retry');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--retry applies to the engine's strategies only/);
    const both = await simulateCli('--retry', '--controller-retries', '60');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(
      /--controller-retries models the nmaas webhook's refusals on the clock.*got --strategy nmaas --retry/,
    );
  }, 120_000);
});

describe('the shared-uplinks family', () => {
  it('puts three nodes behind each uplink, and the uplinks bind: a plan blind to them over-books them', async () => {
    const f = family('shared-uplinks');
    for (const seed of [1, 2, 3]) {
      const { nodes, apps } = f.generate({ seed, nodes: 6, instances: 32 });
      expect(nodes.map((n) => n.links?.map((l) => `${l.name}:${l.capacity}`).join())).toEqual([
        ...Array<string>(3).fill('site-0:600'),
        ...Array<string>(3).fill('site-1:600'),
      ]);
      const bare = nodes.map(({ links: _links, ...n }) => n);
      const blind = new Engine(bare, { horizon: apps.horizon });
      const aware = new Engine(nodes, { horizon: apps.horizon });
      for (const s of apps.instances) {
        blind.place(s);
        aware.place(s, { migrations: 5 });
      }
      const plan = (e: Engine) => e.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
      expect(checkPlacement(nodes, apps, plan(blind)).linkSlotSeconds, `seed ${seed}`).toBeGreaterThan(0);
      expect(checkPlacement(nodes, apps, plan(aware))).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
    }
  });
});
