/**
 * Scheduler engine at scale: 5,000 nodes, 50,000 instances of the five example apps (affinity,
 * anti-affinity, exclusive and spread in the mix), placed one at a time in arrival order on one core.
 *   1. nmaas: decisions/s (target ≥ 2,700/s, ten times kube-scheduler's 270 pods/s at 5,000 nodes; the
 *      engine is synchronous, so it runs on one core: per CPU-second too, as the machine may be shared),
 *      p50/p99/max decision time, memory of the occupancy state, and an independent check of the result.
 *   2. quality at that scale against ffd (time-blind, reserves run for the whole horizon) and kube
 *      (requests = idle, least-allocated, blind to time and bandwidth), checked by the same checker.
 */
import {
  checkPlacement,
  Engine,
  generateWorkload,
  percentile,
  STRATEGIES,
  type InstanceSpec,
  type NodeSpec,
  type StrategyName,
} from '@nmaas/scheduler';
import os from 'node:os';
import type { Bench } from './index.js';

const NODES = 5_000;
const INSTANCES = 50_000;
const SEED = 7;

interface Run {
  placed: number;
  rejected: number;
  seconds: number;
  /** Decisions per wall-clock second, and per second of this process's CPU time (robust to a busy machine). */
  decisionsPerSecond: number;
  decisionsPerCpuSecond: number;
  /** Wall-clock time per decision (includes time the OS gave to other processes on a shared machine). */
  decisionMicros: { p50: number; p99: number; max: number };
  /** CPU time per decision (this process only). */
  decisionCpuMicros: { p50: number; p99: number; max: number };
  competingSlotSeconds: number;
  violations: number;
  /** Process resident memory after the run, and what the run added to the JS heap and typed arrays. */
  rssMiB: number;
  heapMiB: number;
  arrayBuffersMiB: number;
}

const mib = (b: number): number => Math.round((b / 1048576) * 10) / 10;
const r2 = (x: number): number => Math.round(x * 100) / 100;

function run(strategy: StrategyName, nodes: NodeSpec[], apps: { horizon: number; instances: InstanceSpec[] }): Run {
  global.gc?.();
  const before = process.memoryUsage();
  const { policy, order } = STRATEGIES[strategy];
  const engine = new Engine(nodes, { horizon: apps.horizon, ...(policy ? { policy } : {}) });
  const queue = order(nodes, apps.instances);
  const times = new Float64Array(queue.length);
  const cpuTimes = new Float64Array(queue.length);
  let rejected = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let k = 0; k < queue.length; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = engine.place(queue[k]!);
    times[k] = (performance.now() - t0) * 1000;
    const c = process.cpuUsage(c0);
    cpuTimes[k] = c.user + c.system;
    if (!r.ok) rejected++;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const after = process.memoryUsage();
  const placed = engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
  const check = checkPlacement(nodes, apps, placed);
  times.sort();
  cpuTimes.sort();
  return {
    placed: placed.length,
    rejected,
    seconds: r2(seconds),
    decisionsPerSecond: Math.round(queue.length / seconds),
    decisionsPerCpuSecond: Math.round(queue.length / cpuSeconds),
    decisionMicros: {
      p50: r2(percentile(times, 0.5)),
      p99: r2(percentile(times, 0.99)),
      max: r2(times[times.length - 1] ?? 0),
    },
    decisionCpuMicros: {
      p50: r2(percentile(cpuTimes, 0.5)),
      p99: r2(percentile(cpuTimes, 0.99)),
      max: r2(cpuTimes[cpuTimes.length - 1] ?? 0),
    },
    competingSlotSeconds: check.competingSlotSeconds,
    violations: check.violations,
    rssMiB: mib(after.rss),
    heapMiB: mib(after.heapUsed - before.heapUsed),
    arrayBuffersMiB: mib(after.arrayBuffers - before.arrayBuffers),
  };
}

const bench: Bench = async () => {
  const { nodes, apps } = generateWorkload({ seed: SEED, nodes: NODES, instances: INSTANCES });
  const mix: Record<string, number> = {};
  let withAffinity = 0;
  let withAnti = 0;
  for (const i of apps.instances) {
    mix[i.app] = (mix[i.app] ?? 0) + 1;
    if (i.affinity.length) withAffinity++;
    if (i.antiAffinity.length) withAnti++;
  }
  const nmaas = run('nmaas', nodes, apps);
  const ffd = run('ffd', nodes, apps);
  const kube = run('kube', nodes, apps);
  return {
    loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
    workload: {
      nodes: NODES,
      instances: INSTANCES,
      horizonSeconds: apps.horizon,
      seed: SEED,
      mix,
      withAffinity,
      withAntiAffinity: withAnti,
    },
    target: {
      decisionsPerSecond: 2700,
      reference: 'kube-scheduler scheduler_perf SchedulingBasic threshold 270 pods/s at 5,000 nodes, x10',
    },
    nmaas,
    quality: {
      ffd,
      kube,
      placedVsFfd: r2(nmaas.placed / Math.max(1, ffd.placed)),
      placedVsKube: r2(nmaas.placed / Math.max(1, kube.placed)),
      speedVsKube: r2(nmaas.decisionsPerSecond / Math.max(1, kube.decisionsPerSecond)),
    },
  };
};

export default bench;
