/**
 * How much of the gap between online placement and the optimum any re-plan could close, on the quality
 * bench's ILP families and held-out seeds (101–160 by default; NMAAS_CEILING_SEEDS=101-130 for a shorter
 * run; NMAAS_QUALITY_FAMILIES as in the quality bench, the other families carried over from the last run;
 * NMAAS_CEILING_REPAIR_SECONDS for the perfect repair's solver limit per offer, 5 s by default). An admission webhook
 * cannot take back a pod it admitted, so per seed it solves the exact model twice at the quality bench's
 * size and time limit: free (the optimum the quality table reports) and with every pod online placement
 * admitted forced in (`solveExact(…, { keep })`: the ceiling of any plan that keeps them, whatever it
 * moves). Beside them: online, retries with `--migrations 5`, and what a webhook admits when it never
 * refuses a pod some plan has room for, however much it moves (`admitWhenRoom`: a perfect repair). Where
 * the ceiling's proven bound is below a target, that target asks for other pods admitted, not the same
 * ones moved; where the perfect repair stays below it, it asks for refusing pods there is room for.
 * And per seed, whether the optimum's own plan refuses a pod it had room for when pods are offered in
 * arrival order (`leftOutWithRoom`): where it refuses none, a webhook that never refuses a pod it has room
 * for, and never moves one, reaches the optimum by placing each pod where that plan does; what online
 * placement lacks there is knowing the pods still to come.
 */
import {
  admitWhenRoom,
  ENGINE_HORIZON,
  FAMILY_NAMES,
  family,
  leftOutWithRoom,
  simulate,
  solveExact,
} from '@nmaas/scheduler';
import type { Bench } from './index.js';
import {
  EXACT_TIME_LIMIT_SECONDS,
  heldOutSeeds,
  ILP_SIZE,
  MIGRATIONS,
  percentsOf,
  secondsSince,
  selectedFamilies,
  withEarlierFamilies,
} from './quality-families.js';

/**
 * The perfect repair's solver limit per offer: an offer undecided at the limit counts as a refusal, so a
 * family whose feasibility questions are hard (long periods) needs longer to give a ceiling.
 */
function perfectRepairSeconds(): number {
  const spec = process.env['NMAAS_CEILING_REPAIR_SECONDS'];
  if (spec === undefined) return EXACT_TIME_LIMIT_SECONDS;
  const seconds = Number(spec);
  if (!(Number.isInteger(seconds) && seconds >= 1 && seconds <= 600))
    throw new Error(`NMAAS_CEILING_REPAIR_SECONDS must be whole seconds from 1 to 600, got ${spec}`);
  return seconds;
}

interface Totals {
  optimum: number;
  optimumBound: number;
  online: number;
  retryMigrations: number;
  keepingOnline: number;
  keepingOnlineBound: number;
  keepingOnlineProven: number;
  admitWhenRoom: number;
  admitWhenRoomUndecided: number;
  firstFit: number;
  /** Seeds where retries with migrations, and where the perfect repair, place fewer pods than first-fit. */
  retryMigrationsBelowFirstFit: number;
  admitWhenRoomBelowFirstFit: number;
  /** Seeds where the optimum found refuses no pod it had room for in arrival order, and the pods it does refuse with room. */
  optimumRefusesNoneWithRoom: number;
  optimumRefusedWithRoom: number;
  /** Optimum minus online, summed over the seeds where the optimum refuses no pod it had room for. */
  onlineGapWhereOptimumRefusesNone: number;
  competingSlotSeconds: number;
  violations: number;
}

interface FamilyCeiling extends Record<string, unknown> {
  family: string;
}

async function familyCeiling(name: string, seeds: number[], repairSeconds: number): Promise<FamilyCeiling> {
  const t: Totals = {
    optimum: 0,
    optimumBound: 0,
    online: 0,
    retryMigrations: 0,
    keepingOnline: 0,
    keepingOnlineBound: 0,
    keepingOnlineProven: 0,
    admitWhenRoom: 0,
    admitWhenRoomUndecided: 0,
    firstFit: 0,
    retryMigrationsBelowFirstFit: 0,
    admitWhenRoomBelowFirstFit: 0,
    optimumRefusesNoneWithRoom: 0,
    optimumRefusedWithRoom: 0,
    onlineGapWhereOptimumRefusesNone: 0,
    competingSlotSeconds: 0,
    violations: 0,
  };
  const started = performance.now();
  for (const seed of seeds) {
    const { nodes, apps } = family(name).generate({ seed, ...ILP_SIZE });
    const engineApps = { horizon: Math.min(apps.horizon, ENGINE_HORIZON), instances: apps.instances };
    const online = await simulate(nodes, engineApps, { strategy: 'nmaas' });
    const migrated = await simulate(nodes, engineApps, { strategy: 'nmaas', retry: true, migrations: MIGRATIONS });
    const starts = [online.placed, migrated.placed];
    const free = await solveExact(nodes, apps, { timeLimitSeconds: EXACT_TIME_LIMIT_SECONDS, starts });
    const kept = await solveExact(nodes, apps, {
      timeLimitSeconds: EXACT_TIME_LIMIT_SECONDS,
      keep: online.placed.map((p) => p.id),
      starts: [online.placed],
    });
    const perfectRepair = await admitWhenRoom(nodes, apps, { timeLimitSeconds: repairSeconds });
    const firstFit = (await simulate(nodes, apps, { strategy: 'first-fit' })).metrics.placed;
    t.admitWhenRoom += perfectRepair.plan.length;
    t.admitWhenRoomUndecided += perfectRepair.undecided;
    t.firstFit += firstFit;
    if (migrated.metrics.placed < firstFit) t.retryMigrationsBelowFirstFit++;
    if (perfectRepair.plan.length < firstFit) t.admitWhenRoomBelowFirstFit++;
    const refusedWithRoom = leftOutWithRoom(nodes, engineApps, free.placed).length;
    t.optimumRefusedWithRoom += refusedWithRoom;
    if (refusedWithRoom === 0) {
      t.optimumRefusesNoneWithRoom++;
      t.onlineGapWhereOptimumRefusesNone += free.placed.length - online.metrics.placed;
    }
    t.optimum += free.placed.length;
    t.optimumBound += free.bound;
    t.online += online.metrics.placed;
    t.retryMigrations += migrated.metrics.placed;
    t.keepingOnline += kept.placed.length;
    t.keepingOnlineBound += kept.bound;
    if (kept.optimal) t.keepingOnlineProven++;
    for (const r of [online, migrated]) {
      t.competingSlotSeconds += r.metrics.competingSlotSeconds;
      t.violations += r.metrics.violations;
    }
  }
  const seconds = secondsSince(started);
  process.stdout.write(`${name}: ${seconds} s\n`);
  return {
    family: name,
    perfectRepairTimeLimitSeconds: repairSeconds,
    totals: t,
    ofOptimum: percentsOf(t.optimum, {
      online: t.online,
      retryMigrations: t.retryMigrations,
      keepingOnline: t.keepingOnline,
      keepingOnlineBound: t.keepingOnlineBound,
      admitWhenRoom: t.admitWhenRoom,
      firstFit: t.firstFit,
    }),
    seconds,
  };
}

const bench: Bench = async () => {
  const seeds = heldOutSeeds('NMAAS_CEILING_SEEDS', '101-160');
  const ilpFamilies = FAMILY_NAMES.filter((n) => !n.startsWith('planted'));
  const repairSeconds = perfectRepairSeconds();
  const measured: FamilyCeiling[] = [];
  for (const name of selectedFamilies(ilpFamilies)) measured.push(await familyCeiling(name, seeds, repairSeconds));
  const families = await withEarlierFamilies(measured, ilpFamilies, 'scheduler-ceiling');
  return {
    seeds: { tuning: '1–100', reported: `${seeds[0]}–${seeds[seeds.length - 1]}` },
    size: ILP_SIZE,
    exactTimeLimitSeconds: EXACT_TIME_LIMIT_SECONDS,
    migrations: MIGRATIONS,
    note: 'keepingOnline: the best plan found that keeps every pod online placement admitted; keepingOnlineBound: its proven bound, the most any plan keeping them can place. admitWhenRoom: pods admitted, in arrival order, whenever some plan holds them beside every pod admitted before (a perfect repair, unlimited moves); admitWhenRoomUndecided: offers whose solve hit the time limit undecided, counted as refusals; *BelowFirstFit: seeds where that column places fewer pods than time-aware first-fit. optimumRefusesNoneWithRoom: seeds where the optimum found, offered in arrival order (each pod booked where it places it), refuses no pod that had room at its offer or, waiting for an affinity partner, at a later one; optimumRefusedWithRoom: the pods it does refuse with room; onlineGapWhereOptimumRefusesNone: optimum minus online on the first kind of seed. % of the free optimum found (time-limited seeds: the best plan found).',
    families,
  };
};

export default bench;
