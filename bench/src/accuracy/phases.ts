/**
 * Phase selection for the co-located set-ups, through the real `nmaas scheduler simulate` CLI:
 * the apps' instances on one node whose capacity is the test bed's (bandwidth = the tbf rate,
 * CPU = this machine's cores, memory = its RAM). Strategy `nmaas` gives NMaaS's phases; strategy
 * `kube` gives what Kubernetes would do (requests only, blind to time: every pod starts when it
 * is created, phase = release = 0, so all runs overlap).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { InstanceSpec, NodeSpec } from '@nmaas/scheduler';
import { REPO_ROOT } from './apps.js';
import { NODE_POOL_LABEL } from '@nmaas/sdk/contract';

const exec = promisify(execFile);

export const BENCH_NODE = 'bench-node';
export const CLI_MAIN = path.join(REPO_ROOT, 'cli', 'dist', 'main.js');

export interface NodeCapacityInput {
  rateMbit: number;
  cpus: number;
  memoryBytes: number;
}

export function benchNode(c: NodeCapacityInput): NodeSpec {
  return {
    name: BENCH_NODE,
    labels: { [NODE_POOL_LABEL]: 'bench' },
    capacity: { cpu: c.cpus * 1000, memory: Math.floor(c.memoryBytes / (1024 * 1024)), bandwidth: c.rateMbit },
  };
}

export function machineCapacity(rateMbit: number): NodeCapacityInput {
  return { rateMbit, cpus: os.cpus().length, memoryBytes: os.totalmem() };
}

export interface PhaseChoice {
  strategy: 'nmaas' | 'kube';
  /** Phase per app (instance id = app name), seconds. */
  phases: Record<string, number>;
  rejected: { id: string; reason: string }[];
  competingSlotSeconds: number;
  /** The command line that chose them, for the report. */
  command: string;
}

/** Parses `nmaas scheduler simulate --format json` output into phases for one node. */
export function parseSimulation(stdout: string, strategy: 'nmaas' | 'kube', command: string): PhaseChoice {
  let doc: {
    placed?: { id: string; node: string; phase: number }[];
    rejected?: { id: string; reason: string }[];
    metrics?: { competingSlotSeconds?: number };
  };
  try {
    doc = JSON.parse(stdout) as typeof doc;
  } catch (error) {
    throw new Error(`"${command}" did not print JSON (${(error as Error).message}): ${stdout.slice(0, 300)}`);
  }
  if (!Array.isArray(doc.placed)) throw new Error(`"${command}" printed no "placed" list`);
  const phases: Record<string, number> = {};
  for (const p of doc.placed) {
    if (p.node !== BENCH_NODE) throw new Error(`${p.id} was placed on ${p.node}, not ${BENCH_NODE}`);
    phases[p.id] = p.phase;
  }
  return {
    strategy,
    phases,
    rejected: doc.rejected ?? [],
    competingSlotSeconds: doc.metrics?.competingSlotSeconds ?? 0,
    command,
  };
}

/**
 * Runs the CLI. Exit code 1 means "placed with competition or rejections", which is the expected
 * answer for `kube`; it is reported, not thrown. Rejected instances make the set-up impossible.
 */
export async function choosePhases(
  node: NodeSpec,
  instances: InstanceSpec[],
  horizon: number,
  strategy: 'nmaas' | 'kube',
): Promise<PhaseChoice> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nmaas-acc-sim-'));
  try {
    const nodesFile = path.join(dir, 'nodes.json');
    const appsFile = path.join(dir, 'apps.json');
    await writeFile(nodesFile, JSON.stringify({ nodes: [node] }, null, 2));
    await writeFile(appsFile, JSON.stringify({ horizon, instances }, null, 2));
    const args = [
      CLI_MAIN,
      'scheduler',
      'simulate',
      '--nodes',
      nodesFile,
      '--apps',
      appsFile,
      '--strategy',
      strategy,
      '--format',
      'json',
    ];
    const command = `nmaas scheduler simulate --nodes nodes.json --apps apps.json --strategy ${strategy} --format json`;
    let stdout: string;
    try {
      ({ stdout } = await exec(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }));
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      if (e.code !== 1 || !e.stdout)
        throw new Error(`${command} failed (exit ${e.code}): ${e.stderr ?? (error as Error).message}`);
      stdout = e.stdout;
    }
    const choice = parseSimulation(stdout, strategy, command);
    if (choice.rejected.length > 0) {
      throw new Error(
        `${command} rejected ${choice.rejected.map((r) => `${r.id} (${r.reason})`).join('; ')}; the bench needs every app on the node`,
      );
    }
    return choice;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Seconds of overlap between the runs of two apps with the same period, over one period. */
export function overlapSeconds(
  period: number,
  a: { phase: number; duration: number },
  b: { phase: number; duration: number },
): number {
  let overlap = 0;
  for (let t = 0; t < period; t++) {
    const activeA = (((t - a.phase) % period) + period) % period < a.duration;
    const activeB = (((t - b.phase) % period) + period) % period < b.duration;
    if (activeA && activeB) overlap++;
  }
  return overlap;
}

/**
 * Phases shifted by a common offset (mod period): the relative positions, which are all the
 * schedule is about, stay the same, and the session can start at the next whole second instead of
 * waiting for a period boundary.
 */
export function shiftPhases(phases: Record<string, number>, offset: number, period: number): Record<string, number> {
  return Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, (((v + offset) % period) + period) % period]));
}
