/**
 * Planted optimum: pods cut from a perfect packing, so that the best plan is known at any size.
 *
 * Each node's cpu is split into lanes; each lane has a period and its period is cut into consecutive
 * runs, one pod per run, whose cpu is the lane's width and memory twice that (both resources are
 * filled to the brim). Every pod's start window contains its planted phase. At fill 1 the packing uses
 * 100 % of cpu and memory at every second; at fill f < 1 a random (1 − f) share of the pods is dropped.
 * The arrival order is shuffled. Every pod fits in the planted plan, so the optimum places them all.
 */
import type { InstanceSpec, NodeSpec } from '../engine/index.js';
import { NODE_POOL_LABEL } from '@nmaas/sdk/contract';
import { Random } from './random.js';
import type { Workload } from './workload.js';

export interface PlantedOptions {
  seed: number;
  nodes: number;
  /** About how many pods to keep (the packing decides the exact count). */
  instances: number;
  /** Share of the perfect packing kept: 1 (every second of every node full) or less. */
  fill: number;
}

const PERIODS = [300, 600, 900, 1800, 3600] as const;
const STEP = 30;

/** k positive whole parts summing to total (a random composition). */
function composition(rnd: Random, total: number, k: number): number[] {
  const cuts = new Set<number>();
  while (cuts.size < k - 1) cuts.add(rnd.int(1, total - 1));
  const points = [0, ...[...cuts].sort((a, b) => a - b), total];
  return points.slice(1).map((p, i) => p - points[i]!);
}

export function shuffle<T>(rnd: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rnd.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export function plantedWorkload(
  options: PlantedOptions,
): Workload & { knownOptimum: number; plan: Map<string, { node: string; phase: number }> } {
  if (!(options.fill > 0 && options.fill <= 1)) throw new RangeError(`fill must be in (0, 1], got ${options.fill}`);
  const rnd = new Random(options.seed);
  const nodes: NodeSpec[] = [];
  const cut: { spec: Omit<InstanceSpec, 'id'>; node: string; phase: number }[] = [];
  const perNode = Math.max(2, Math.ceil(options.instances / options.fill / Math.max(1, options.nodes)));
  for (let n = 0; n < options.nodes; n++) {
    const cpu = rnd.pick([500, 1000, 2000]);
    const name = `node-${n}`;
    nodes.push({ name, labels: { [NODE_POOL_LABEL]: 'edge' }, capacity: { cpu, memory: 2 * cpu, bandwidth: cpu } });
    const lanes = Math.min(cpu / 50, rnd.int(2, 4), perNode);
    const widths = composition(rnd, cpu / 50, lanes).map((w) => w * 50);
    const runs = composition(rnd, perNode, lanes);
    widths.forEach((width, l) => {
      const wanted = runs[l]!;
      const fitting = PERIODS.filter((p) => p / STEP >= wanted);
      const every = fitting.length > 0 ? rnd.pick(fitting) : PERIODS[PERIODS.length - 1]!;
      const parts = composition(rnd, every / STEP, Math.min(wanted, every / STEP));
      let start = 0;
      for (const len of parts) {
        const duration = len * STEP;
        const early = STEP * rnd.int(0, 4);
        const late = STEP * rnd.int(0, 4);
        cut.push({
          node: name,
          phase: start,
          spec: {
            app: `planted-${rnd.int(0, 7)}`,
            every,
            duration,
            startWithin: Math.min(every - 1, early + late),
            release: (((start - early) % every) + every) % every,
            run: { cpu: width, memory: 2 * width, bandwidth: Math.round(width / 2) },
            idle: { cpu: 0, memory: 0 },
            nodeSelector: {},
            affinity: [],
            antiAffinity: [],
            exclusive: false,
            node: null,
            spreadGroup: null,
          },
        });
        start += duration;
      }
    });
  }
  shuffle(rnd, cut);
  const kept = cut.slice(0, Math.round(cut.length * options.fill));
  const counters = new Map<string, number>();
  const plan = new Map<string, { node: string; phase: number }>();
  const instances: InstanceSpec[] = kept.map(({ spec, node, phase }) => {
    const k = counters.get(spec.app) ?? 0;
    counters.set(spec.app, k + 1);
    const id = `${spec.app}-${k}`;
    plan.set(id, { node, phase });
    return { id, ...spec };
  });
  return { nodes, apps: { horizon: 3600, instances }, knownOptimum: instances.length, plan };
}
