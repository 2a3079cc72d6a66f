/**
 * Placement quality on workload families nobody tuned for (scheduler/src/simulate/families.ts), on
 * HELD-OUT seeds: seeds 1–100 are the tuning range, the report uses seeds from 101 on (101–400 by
 * default; NMAAS_QUALITY_SEEDS=101-160 for a shorter run; NMAAS_QUALITY_FAMILIES=a,b for some families
 * only, the others carried over from the previous results, see quality-families.ts). Per family and seed:
 * the optimum (exact ILP at the real periods, or the planted optimum), nmaas online, nmaas with the retry
 * model, with retry and --migrations 5, with retry and the in-cluster re-plan loop (every 16 arrival steps,
 * at most 5 moves per run: scheduler/src/simulate/replan-loop.ts), and time-aware first-fit; every plan
 * judged by the independent checker, the plans the loop's runs applied included, and the pods moved counted.
 *
 * Kept bounded: ILP families on 3 nodes × 16 instances with a 5-s solver limit per seed (a
 * time-limited seed reports the best plan found and the solver's proven bound); planted families,
 * whose optimum is known at any size, on 8 nodes × about 80 instances.
 */
import {
  familyQuality,
  FAMILY_NAMES,
  formatFamilyTable,
  QUALITY_REPLAN_LOOP,
  type FamilyQuality,
} from '@nmaas/scheduler';
import type { Bench } from './index.js';
import {
  EXACT_TIME_LIMIT_SECONDS,
  heldOutSeeds,
  ILP_SIZE,
  MIGRATIONS,
  PLANTED_SIZE,
  selectedFamilies,
  withEarlierFamilies,
} from './quality-families.js';

const bench: Bench = async () => {
  const seeds = heldOutSeeds('NMAAS_QUALITY_SEEDS', '101-400');
  const measured: FamilyQuality[] = [];
  for (const name of selectedFamilies(FAMILY_NAMES)) {
    const size = name.startsWith('planted') ? PLANTED_SIZE : ILP_SIZE;
    const result = await familyQuality(name, seeds, size, {
      migrations: MIGRATIONS,
      exactTimeLimitSeconds: EXACT_TIME_LIMIT_SECONDS,
      replanLoop: QUALITY_REPLAN_LOOP,
    });
    process.stdout.write(`${name}: ${result.seconds} s\n`);
    measured.push(result);
  }
  const families = await withEarlierFamilies(measured, FAMILY_NAMES);
  return {
    seeds: { tuning: '1–100', reported: `${seeds[0]}–${seeds[seeds.length - 1]}` },
    sizes: { ilpFamilies: ILP_SIZE, plantedFamilies: PLANTED_SIZE },
    exactTimeLimitSeconds: EXACT_TIME_LIMIT_SECONDS,
    replanLoop: measured[0]?.replanLoop ?? null,
    targets: {
      withRetryOfIlp: 0.97,
      withMigrationsOfIlp: 0.99,
      planted90: 0.97,
      planted100: 0.9,
      seedsBelowFirstFit: 0,
      competingSlotSecondsAndViolations: 0,
    },
    summary: families.map((f) => ({
      family: f.family,
      ofOptimum: f.ofOptimum,
      seedsBelowFirstFit: f.seedsBelowFirstFit,
      migrationsPerPlaced: f.migrationsPerPlaced ?? null,
      modelLimit: f.totals.modelLimit,
      optimumProvenSeeds: f.totals.optimumProvenSeeds,
      competingSlotSeconds: f.totals.competingSlotSeconds,
      violations: f.totals.violations,
      seconds: f.seconds,
    })),
    table: formatFamilyTable(families),
    families,
  };
};

export default bench;
