/**
 * The scheduler engine at scale, on the heaviest family (scheduler/src/simulate/families.ts `heavy`:
 * one app in six exclusive, 400 Mbps throughput tests, about one pod in ten refused, with its
 * explanation): instances placed one at a time in arrival order on one core.
 *   - Growth curve from 500 nodes × 5,000 instances to 10,000 × 100,000, the engine (`nmaas`) and
 *     kube-scheduler's model (`kube`: requests = idle, least-allocated, blind to time and bandwidth)
 *     in the same run, each size and strategy in its own process so resident memory is its own.
 *   - Targets at 5,000 × 50,000: ≥ 2,700 decisions/s (ten times kube-scheduler's scheduler_perf
 *     threshold of 270 pods/s at 5,000 nodes), p99 ≤ 2 ms per decision, RSS ≤ 400 MB. Speed is judged
 *     per CPU-second and CPU time per decision: on a shared machine the wall clock includes time the
 *     OS gave to others (both are reported). The target size runs three times per strategy and reports
 *     the median of each figure, with every run kept.
 *   - The machine, measured in the same run: load average before and after, a bare `node -e 0`
 *     (wall ms, median of 5) and a fixed CPU loop (ms), so runs on different machines compare.
 * Every placement is judged by the independent checker (competing slot-seconds, rule violations), and
 * hashed (`placementHash`): a change that must not alter decisions (the engine's memory budget, say)
 * shows the same hash before and after.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Bench } from './index.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const SEED = 7;
const TARGET = { nodes: 5_000, instances: 50_000, decisionsPerSecond: 2_700, p99Micros: 2_000, rssMiB: 400 };
const SIZES = [
  [500, 5_000],
  [1_000, 10_000],
  [2_000, 20_000],
  [5_000, 50_000],
  [10_000, 100_000],
] as const;
const STRATEGIES = ['nmaas', 'kube'] as const;
/**
 * Runs at the target size, per strategy. The decisions are deterministic but this shared machine's
 * timing is not (identical runs gave a p99 from 0.74 to 1.85 ms): the figures at the target are the
 * median of these runs, figure by figure, and every run is kept.
 */
const REPEATS_AT_TARGET = 3;

interface ScaleRun {
  strategy: string;
  nodes: number;
  instances: number;
  decisionsPerCpuSecond: number;
  decisionCpuMicros: { p50: number; p99: number; max: number };
  peakRssMiB: number;
  [figure: string]: unknown;
}

async function scaleRun(nodes: number, instances: number, strategy: string): Promise<ScaleRun> {
  const { stdout } = await run(
    process.execPath,
    [path.join(here, 'scheduler-scale-run.js'), String(nodes), String(instances), strategy, String(SEED)],
    { maxBuffer: 1 << 20, timeout: 30 * 60_000 },
  );
  return JSON.parse(stdout) as ScaleRun;
}

/** The machine now: a bare Node start (median of 5) and a fixed CPU loop, both in ms. */
async function machine(): Promise<{ nodeStartMs: number; cpuLoopMs: number; loadAverage: number[] }> {
  const starts: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    await run(process.execPath, ['-e', '0']);
    starts.push(performance.now() - t0);
  }
  starts.sort((a, b) => a - b);
  const t0 = performance.now();
  let x = 0;
  for (let i = 0; i < 50_000_000; i++) x = (x + i * 2654435761) % 1_000_003;
  const cpuLoopMs = performance.now() - t0 + (x < 0 ? 1 : 0);
  return {
    nodeStartMs: Math.round(starts[2]! * 10) / 10,
    cpuLoopMs: Math.round(cpuLoopMs * 10) / 10,
    loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
  };
}

const bench: Bench = async () => {
  const machineBefore = await machine();
  const runs: ScaleRun[] = [];
  const repeats: Record<string, ScaleRun[]> = {};
  for (const [nodes, instances] of SIZES)
    for (const strategy of STRATEGIES) {
      const atTarget = nodes === TARGET.nodes && instances === TARGET.instances;
      const same: ScaleRun[] = [];
      for (let k = 0; k < (atTarget ? REPEATS_AT_TARGET : 1); k++) {
        const r = await scaleRun(nodes, instances, strategy);
        process.stdout.write(
          `  ${strategy} ${nodes} × ${instances}: ${r.decisionsPerCpuSecond}/CPU-s, p99 ${r.decisionCpuMicros.p99} µs, peak RSS ${r.peakRssMiB} MiB\n`,
        );
        if (same.length > 0 && r.placementHash !== same[0]!.placementHash)
          throw new Error(
            `${strategy} ${nodes} × ${instances}: two runs placed differently; decisions must not depend on timing`,
          );
        same.push(r);
      }
      if (atTarget) repeats[strategy] = same;
      runs.push(medianRun(same));
    }
  const machineAfter = await machine();
  const nmaas = medianFigures(repeats['nmaas']!);
  const kube = medianFigures(repeats['kube']!);
  return {
    machineBefore,
    machineAfter,
    workload: {
      family: 'heavy',
      seed: SEED,
      what: 'one app in six exclusive, 400 Mbps throughput tests on 1 Gbps nodes, about one pod in ten refused',
    },
    target: {
      ...TARGET,
      reference: 'kube-scheduler scheduler_perf SchedulingBasic threshold 270 pods/s at 5,000 nodes, x10',
    },
    atTarget: {
      decisionsPerCpuSecond: nmaas.decisionsPerCpuSecond,
      p99CpuMicros: nmaas.decisionCpuMicros.p99,
      peakRssMiB: nmaas.peakRssMiB,
      /** Where the memory goes at the end of the run: the JS heap, typed arrays (slot arrays and folds within the budget). */
      memory: {
        heapMiB: nmaas.heapMiB,
        arrayBuffersMiB: nmaas.arrayBuffersMiB,
        slotArraysAndFoldsMiB: nmaas.derivedMiB,
        slotBudgetMiB: nmaas.slotBudgetMiB,
        evictions: nmaas.evictions,
        rebuilds: nmaas.rebuilds,
      },
      placementHash: nmaas.placementHash,
      met: {
        decisionsPerSecond: nmaas.decisionsPerCpuSecond >= TARGET.decisionsPerSecond,
        p99: nmaas.decisionCpuMicros.p99 <= TARGET.p99Micros,
        rss: nmaas.peakRssMiB <= TARGET.rssMiB,
      },
      placedVsKube: Math.round(((nmaas.placed as number) / Math.max(1, kube.placed as number)) * 100) / 100,
      speedVsKube: Math.round((nmaas.decisionsPerCpuSecond / Math.max(1, kube.decisionsPerCpuSecond)) * 100) / 100,
    },
    /** Every run at the target size (the figures above are their medians). */
    repeatsAtTarget: Object.fromEntries(
      Object.entries(repeats).map(([strategy, list]) => [
        strategy,
        list.map((r) => ({
          decisionsPerCpuSecond: r.decisionsPerCpuSecond,
          p99CpuMicros: r.decisionCpuMicros.p99,
          peakRssMiB: r.peakRssMiB,
        })),
      ]),
    ),
    growth: runs,
  };
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[(sorted.length - 1) >> 1]!;
}

/** The run whose p99 is the median one: what the growth curve shows for a repeated size. */
function medianRun(list: ScaleRun[]): ScaleRun {
  const p99 = median(list.map((r) => r.decisionCpuMicros.p99));
  return list.find((r) => r.decisionCpuMicros.p99 === p99)!;
}

/** A run with each timing and memory figure the median of the runs' (the decisions are the same in all). */
function medianFigures(list: ScaleRun[]): ScaleRun {
  return {
    ...medianRun(list),
    decisionsPerCpuSecond: median(list.map((r) => r.decisionsPerCpuSecond)),
    decisionCpuMicros: {
      p50: median(list.map((r) => r.decisionCpuMicros.p50)),
      p99: median(list.map((r) => r.decisionCpuMicros.p99)),
      max: median(list.map((r) => r.decisionCpuMicros.max)),
    },
    peakRssMiB: median(list.map((r) => r.peakRssMiB)),
  };
}

export default bench;
