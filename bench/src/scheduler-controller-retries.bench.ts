/**
 * What a cluster's controllers place after the webhook refused a pod, on the quality bench's families and
 * held-out seeds (101–400 by default; NMAAS_QUALITY_SEEDS and NMAAS_QUALITY_FAMILIES as there, the other
 * families carried over from the last run). A refused pod is created again with client-go's back-off, and
 * each new pod's start window opens at its own creation (scheduler/src/simulate/controller-retries.ts):
 * per family, the pods placed on arrival (the quality table's online column), those placed later by a
 * re-created pod within an hour, how late, and the checker's verdict on the final plan with every late pod
 * judged in its own window. The late pods start outside the first pod's window, so they are not counted
 * against the optimum, whose windows are the first pods'.
 */
import {
  asLastCreated,
  CLIENT_GO_BACKOFF,
  checkPlacement,
  ENGINE_HORIZON,
  family,
  FAMILY_NAMES,
  percentile,
  simulate,
} from '@nmaas/scheduler';
import type { Bench } from './index.js';
import {
  heldOutSeeds,
  ILP_SIZE,
  PLANTED_SIZE,
  secondsSince,
  selectedFamilies,
  withEarlierFamilies,
} from './quality-families.js';

/** How long the controllers keep re-creating a refused pod in the model. */
const UNTIL_SECONDS = 3600;

interface FamilyRetries {
  family: string;
  seeds: string;
  size: { nodes: number; instances: number };
  instances: number;
  placedOnArrival: number;
  placedLater: number;
  stillRefused: number;
  /** Of the pods refused on arrival, the share a re-created pod placed. */
  laterOfRefused: number;
  /** Seconds from the first refusal to the creation of the pod that was placed. */
  delaySeconds: { median: number; p90: number; max: number } | null;
  offers: number;
  competingSlotSeconds: number;
  violations: number;
  seconds: number;
}

async function familyRetries(name: string, seeds: number[]): Promise<FamilyRetries> {
  const size = name.startsWith('planted') ? PLANTED_SIZE : ILP_SIZE;
  const started = performance.now();
  const f = family(name);
  const delays: number[] = [];
  const totals = { instances: 0, placed: 0, late: 0, refused: 0, offers: 0, competing: 0, violations: 0 };
  for (const seed of seeds) {
    const { nodes, apps } = f.generate({ seed, ...size });
    const engineApps = { horizon: Math.min(apps.horizon, ENGINE_HORIZON), instances: apps.instances };
    const r = await simulate(nodes, engineApps, { strategy: 'nmaas', controllerRetries: UNTIL_SECONDS });
    const { late, offers } = r.controllerRetries!;
    // Judged again over the workload's whole horizon (the lcm of its periods), each late pod in its own window.
    const check = checkPlacement(
      nodes,
      { horizon: apps.horizon, instances: asLastCreated(apps.instances, late) },
      r.placed,
    );
    totals.instances += apps.instances.length;
    totals.placed += r.metrics.placed;
    totals.late += late.length;
    totals.refused += r.metrics.rejected;
    totals.offers += offers;
    totals.competing += check.competingSlotSeconds;
    totals.violations += check.violations;
    delays.push(...late.map((l) => l.delaySeconds));
  }
  delays.sort((a, b) => a - b);
  const refusedOnArrival = totals.late + totals.refused;
  return {
    family: name,
    seeds: `${seeds[0]}–${seeds[seeds.length - 1]}`,
    size,
    instances: totals.instances,
    placedOnArrival: totals.placed - totals.late,
    placedLater: totals.late,
    stillRefused: totals.refused,
    laterOfRefused: refusedOnArrival === 0 ? 0 : Math.round((totals.late / refusedOnArrival) * 1000) / 1000,
    delaySeconds:
      delays.length === 0
        ? null
        : { median: percentile(delays, 0.5), p90: percentile(delays, 0.9), max: delays[delays.length - 1]! },
    offers: totals.offers,
    competingSlotSeconds: totals.competing,
    violations: totals.violations,
    seconds: secondsSince(started),
  };
}

const bench: Bench = async () => {
  const seeds = heldOutSeeds('NMAAS_QUALITY_SEEDS', '101-400');
  const measured: FamilyRetries[] = [];
  for (const name of selectedFamilies(FAMILY_NAMES)) {
    const result = await familyRetries(name, seeds);
    process.stdout.write(`${name}: ${result.seconds} s\n`);
    measured.push(result);
  }
  return {
    // client-go's DefaultControllerRateLimiter, per item: the first delay, doubling up to the cap.
    backoff: CLIENT_GO_BACKOFF,
    untilSeconds: UNTIL_SECONDS,
    families: await withEarlierFamilies(measured, FAMILY_NAMES, 'scheduler-controller-retries'),
  };
};

export default bench;
