/**
 * One scale run of the scheduler bench, alone in its process so that its resident memory is its own:
 * `node scheduler-scale-run.js <nodes> <instances> <strategy> <seed> [slot budget MiB]` generates the heavy family,
 * places every instance in arrival order on one core, checks the result with the independent checker
 * and prints one JSON line of figures. Spawned by scheduler.bench.ts.
 */
import { createHash } from 'node:crypto';
import { checkPlacement, Engine, HEAVY_FAMILY, percentile, STRATEGIES, type StrategyName } from '@nmaas/scheduler';

const [nodes, instances, strategy, seed, budgetMiB] = process.argv.slice(2);
const { nodes: nodeSpecs, apps } = HEAVY_FAMILY.generate({
  seed: Number(seed),
  nodes: Number(nodes),
  instances: Number(instances),
});
const { policy, order } = STRATEGIES[strategy as StrategyName];
const r2 = (x: number): number => Math.round(x * 100) / 100;
const mib = (b: number): number => Math.round((b / 1048576) * 10) / 10;

global.gc?.();
const before = process.memoryUsage();
const engine = new Engine(nodeSpecs, {
  horizon: apps.horizon,
  ...(policy ? { policy } : {}),
  ...(budgetMiB ? { slotBudgetBytes: Number(budgetMiB) * 1048576 } : {}),
});
const queue = order(nodeSpecs, apps.instances);
const wall = new Float64Array(queue.length);
const cpu = new Float64Array(queue.length);
const refusalWall: number[] = [];
const refusalCpu: number[] = [];
let explained = 0;
let timeRefusals = 0;
let exhaustive = 0;
const cpuBefore = process.cpuUsage();
const started = performance.now();
for (let k = 0; k < queue.length; k++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = engine.place(queue[k]!);
  wall[k] = (performance.now() - t0) * 1000;
  const c = process.cpuUsage(c0);
  cpu[k] = c.user + c.system;
  if (!r.ok) {
    refusalWall.push(wall[k]!);
    refusalCpu.push(cpu[k]!);
    if (r.reason.length > 0) explained++;
    const refusal = r.refusal;
    if ('kind' in refusal && refusal.kind === 'time') {
      timeRefusals++;
      if (refusal.closest.exhaustive) exhaustive++;
    }
  }
}
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpuBefore);
const cpuSeconds = (used.user + used.system) / 1e6;
const after = process.memoryUsage();
/** Peak resident memory of the process so far (the checker below is not counted). */
const peakRss = process.resourceUsage().maxRSS * 1024;
const held = engine.held();
const placed = engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
const check = checkPlacement(nodeSpecs, apps, placed);
/** The placements in one string (by instance id): equal hashes across runs and versions mean equal decisions. */
const placementHash = createHash('sha256')
  .update(
    placed
      .map((b) => `${b.id}@${b.node}+${b.phase}`)
      .sort()
      .join(';'),
  )
  .digest('hex')
  .slice(0, 16);
wall.sort();
cpu.sort();
refusalWall.sort((a, b) => a - b);
refusalCpu.sort((a, b) => a - b);
const micros = (a: Float64Array | number[]) => ({
  p50: r2(percentile(a, 0.5)),
  p99: r2(percentile(a, 0.99)),
  max: r2(a[a.length - 1] ?? 0),
});
process.stdout.write(
  `${JSON.stringify({
    strategy,
    nodes: Number(nodes),
    instances: Number(instances),
    placed: placed.length,
    refused: queue.length - placed.length,
    refusedShare: r2((queue.length - placed.length) / queue.length),
    refusalsExplained: explained,
    timeRefusals,
    timeRefusalsSearchedWhole: exhaustive,
    seconds: r2(seconds),
    cpuSeconds: r2(cpuSeconds),
    decisionsPerSecond: Math.round(queue.length / seconds),
    decisionsPerCpuSecond: Math.round(queue.length / cpuSeconds),
    decisionMicros: micros(wall),
    decisionCpuMicros: micros(cpu),
    refusalMicros: micros(refusalWall),
    refusalCpuMicros: micros(refusalCpu),
    placementHash,
    competingSlotSeconds: check.competingSlotSeconds,
    violations: check.violations,
    rssMiB: mib(after.rss),
    peakRssMiB: mib(peakRss),
    heapMiB: mib(after.heapUsed),
    arrayBuffersMiB: mib(after.arrayBuffers),
    addedHeapMiB: mib(after.heapUsed - before.heapUsed),
    slotMiB: mib(held.slotBytes),
    derivedMiB: mib(held.derivedBytes),
    slotBudgetMiB: mib(held.budgetBytes),
    evictions: held.evictions,
    rebuilds: held.rebuilds,
  })}\n`,
);
