/**
 * Offline re-planning (`nmaas scheduler replan`) on held-out seeds: how many more instances a plan places than
 * online placement did, within K = 1 % and 5 % of the pods as migrations, how long it takes and how many it moves.
 *   1. small pools (ILP-sized) against the optimum of `simulate --strategy exact` where HiGHS proves it, and
 *      against the optimum that keeps every placed pod placed (the ceiling of any re-plan); the same for a small
 *      colliding-windows pool;
 *   2. two families where arrival order hurts online placement: colliding start windows (every instance wants a
 *      narrow window) and largest items last (the file sorted by growing size);
 *   3. the large-neighbourhood search against the engine's own readapt as the only repair, same budget and time;
 *   4. one large pool, as large as finishes in 60 s.
 * The search's constants were set on seeds 1–100; figures are reported on seeds from 101 on. Every plan goes
 * through the independent checker.
 */
import {
  checkPlacement,
  generateWorkload,
  replan,
  simulate,
  solveExact,
  type InstanceSpec,
  type NodeSpec,
} from '@nmaas/scheduler';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Bench } from './index.js';

const SEEDS = Number(process.env.REPLAN_SEEDS ?? 10);
const FIRST_HELD_OUT = 101;
const TIME_LIMIT = 5;
const LARGE = {
  nodes: Number(process.env.REPLAN_LARGE_NODES ?? 5000),
  instances: Number(process.env.REPLAN_LARGE_INSTANCES ?? 50000),
};

type Workload = { nodes: NodeSpec[]; apps: { horizon: number; instances: InstanceSpec[] } };

const r1 = (x: number): number => Math.round(x * 10) / 10;
const r2 = (x: number): number => Math.round(x * 100) / 100;
const mean = (xs: number[]): number => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
const seeds = (): number[] => Array.from({ length: SEEDS }, (_, k) => FIRST_HELD_OUT + k);

function size(s: InstanceSpec): number {
  return ((s.run.cpu + s.run.memory + s.run.bandwidth) * s.duration) / s.every;
}

interface Trial {
  placed: number;
  migrations: number;
  moves: number;
  seconds: number;
  checkerClean: boolean;
}

function trial(
  w: Workload,
  online: { id: string; node: string; phase: number }[],
  k: number,
  readaptOnly = false,
): Trial {
  const t0 = performance.now();
  const r = replan(w.nodes, w.apps, online, { migrations: k, timeLimitSeconds: TIME_LIMIT, seed: 1, readaptOnly });
  const seconds = (performance.now() - t0) / 1000;
  const check = checkPlacement(w.nodes, w.apps, r.placed);
  if (r.migrations > k) throw new Error(`replan used ${r.migrations} migrations over a budget of ${k}`);
  return {
    placed: r.after.placed,
    migrations: r.migrations,
    moves: r.moves.length,
    seconds,
    checkerClean: check.competingSlotSeconds === 0 && check.violations === 0,
  };
}

interface FamilyRow {
  seed: number;
  instances: number;
  online: number;
  k1: Trial;
  k5: Trial;
  readaptK5: Trial;
}

interface IlpRow {
  seed: number;
  instances: number;
  online: number;
  /** The optimum over all plans, even those that leave out a pod placed now (null when not proved). */
  ilp: number | null;
  ilpSeconds: number;
  /** The optimum over plans that keep every pod placed now placed (what a re-plan may reach with any moves). */
  ilpKeepingPlaced: number | null;
  ilpKeepingPlacedSeconds: number;
  replanK5: number;
  replanAnyMoves: number;
  replanAnyMovesSeconds: number;
  checkerClean: boolean;
}

/** One family over the held-out seeds: online, replan at 1 % and 5 %, readapt-only at 5 %. */
async function family(make: (seed: number) => Workload) {
  const rows: FamilyRow[] = [];
  for (const seed of seeds()) {
    const w = make(seed);
    const n = w.apps.instances.length;
    const online = await simulate(w.nodes, w.apps);
    const k1 = Math.max(1, Math.floor(n * 0.01));
    const k5 = Math.max(1, Math.floor(n * 0.05));
    rows.push({
      seed,
      instances: n,
      online: online.metrics.placed,
      k1: trial(w, online.placed, k1),
      k5: trial(w, online.placed, k5),
      readaptK5: trial(w, online.placed, k5, true),
    });
  }
  const pts = (placed: number, r: FamilyRow): number => (100 * (placed - r.online)) / r.instances;
  const summary = (pick: (r: FamilyRow) => Trial) => ({
    pointsAboveOnline: r2(mean(rows.map((r) => pts(pick(r).placed, r)))),
    maxPointsAboveOnline: r2(Math.max(...rows.map((r) => pts(pick(r).placed, r)))),
    seedsImproved: rows.filter((r) => pick(r).placed > r.online).length,
    meanMigrations: r1(mean(rows.map((r) => pick(r).migrations))),
    meanSeconds: r2(mean(rows.map((r) => pick(r).seconds))),
    allCheckerClean: rows.every((r) => pick(r).checkerClean),
  });
  return {
    seeds: `${FIRST_HELD_OUT}–${FIRST_HELD_OUT + SEEDS - 1}`,
    onlinePlacedShare: r2(mean(rows.map((r) => (100 * r.online) / r.instances))),
    lnsK1: summary((r) => r.k1),
    lnsK5: summary((r) => r.k5),
    readaptOnlyK5: summary((r) => r.readaptK5),
    rows,
  };
}

/**
 * Small pools against the exact model: the plain optimum (which may leave out pods placed now, so no re-plan can
 * reach it) and the optimum keeping every placed pod placed (the true ceiling of a re-plan with any moves).
 */
async function againstIlp(make: (seed: number) => Workload, plainIlp = true) {
  const rows: IlpRow[] = [];
  for (const seed of seeds()) {
    const w = make(seed);
    const online = await simulate(w.nodes, w.apps);
    const exact = plainIlp ? await solveExact(w.nodes, w.apps, { timeLimitSeconds: 10 }) : null;
    const kept = await solveExact(w.nodes, w.apps, { timeLimitSeconds: 10, keep: online.placed.map((p) => p.id) });
    const k = Math.max(1, Math.floor(w.apps.instances.length * 0.05));
    const plan = trial(w, online.placed, k);
    const free = trial(w, online.placed, w.apps.instances.length);
    rows.push({
      seed,
      instances: w.apps.instances.length,
      online: online.metrics.placed,
      ilp: exact?.optimal ? exact.placed.length : null,
      ilpSeconds: r2((exact?.solveMillis ?? 0) / 1000),
      ilpKeepingPlaced: kept.optimal ? kept.placed.length : null,
      ilpKeepingPlacedSeconds: r2(kept.solveMillis / 1000),
      replanK5: plan.placed,
      replanAnyMoves: free.placed,
      replanAnyMovesSeconds: r2(free.seconds),
      checkerClean: plan.checkerClean && free.checkerClean,
    });
  }
  const gapTo = (optimum: (r: IlpRow) => number | null) => {
    const solved = rows.filter((r) => optimum(r) !== null);
    const gap = (placed: (r: IlpRow) => number) =>
      r2(mean(solved.map((r) => (100 * (optimum(r)! - placed(r))) / optimum(r)!)));
    return {
      solved: solved.length,
      meanGapPercent: {
        online: gap((r) => r.online),
        replanK5: gap((r) => r.replanK5),
        replanAnyMoves: gap((r) => r.replanAnyMoves),
      },
      replanAnyMovesWithinOnePercent: solved.filter((r) => r.replanAnyMoves >= 0.99 * optimum(r)!).length,
      meanPointsAboveOnline: {
        optimum: r2(mean(solved.map((r) => (100 * (optimum(r)! - r.online)) / r.instances))),
        replanAnyMoves: r2(mean(solved.map((r) => (100 * (r.replanAnyMoves - r.online)) / r.instances))),
      },
    };
  };
  return {
    seeds: `${FIRST_HELD_OUT}–${FIRST_HELD_OUT + SEEDS - 1}`,
    ...(plainIlp ? { againstOptimum: gapTo((r) => r.ilp) } : {}),
    againstOptimumKeepingPlaced: gapTo((r) => r.ilpKeepingPlaced),
    rows,
  };
}

async function large() {
  const w = generateWorkload({
    seed: FIRST_HELD_OUT,
    nodes: LARGE.nodes,
    instances: LARGE.instances,
    capacityFactor: 0.2,
    narrowStartShare: 0.5,
  });
  const t0 = performance.now();
  const online = await simulate(w.nodes, w.apps);
  const onlineSeconds = (performance.now() - t0) / 1000;
  const k = Math.floor(LARGE.instances * 0.01);
  const t1 = performance.now();
  const r = replan(w.nodes, w.apps, online.placed, { migrations: k, timeLimitSeconds: 50, seed: 1 });
  const seconds = (performance.now() - t1) / 1000;
  const check = checkPlacement(w.nodes, w.apps, r.placed);
  return {
    nodes: LARGE.nodes,
    instances: LARGE.instances,
    capacityFactor: 0.2,
    onlinePlaced: online.metrics.placed,
    onlineSeconds: r1(onlineSeconds),
    budget: k,
    replanPlaced: r.after.placed,
    migrations: r.migrations,
    movedShareOfPods: r2((100 * r.migrations) / LARGE.instances),
    replanSeconds: r1(seconds),
    searchStoppedBy: r.search.stoppedBy,
    competingSlotSeconds: check.competingSlotSeconds,
    violations: check.violations,
  };
}

const PARTS = ['smallVsIlp', 'collidingSmallVsIlp', 'collidingStartWindows', 'largestItemsLast', 'large'] as const;
type Part = (typeof PARTS)[number];

/**
 * REPLAN_PARTS=smallVsIlp,… re-runs only those parts (the whole bench takes about 16 minutes); the others are
 * carried over from the last results file, and `partDates` says when each part was measured.
 */
function partsToRun(): Part[] {
  const spec = process.env.REPLAN_PARTS;
  if (spec === undefined || spec === '') return [...PARTS];
  const asked = spec.split(',').map((p) => p.trim());
  const unknown = asked.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0)
    throw new Error(`REPLAN_PARTS: unknown part ${unknown.join(', ')}; parts: ${PARTS.join(', ')}`);
  return asked as Part[];
}

function previousResults(): Record<string, unknown> {
  const file = fileURLToPath(new URL('../results/replan.json', import.meta.url));
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
}

const bench: Bench = async () => {
  const tight = { nodes: 20, instances: 400, capacityFactor: 0.2 };
  const run = partsToRun();
  const previous = run.length < PARTS.length ? previousResults() : {};
  const previousDates = (previous.partDates ?? {}) as Record<string, string>;
  const now = new Date().toISOString();
  const parts: Record<Part, () => Promise<unknown>> = {
    smallVsIlp: () =>
      againstIlp((seed) => generateWorkload({ seed, nodes: 3, instances: 30, scale: 'small', narrowStartShare: 0.5 })),
    // The colliding-windows family, small enough for the exact model: how much a re-plan could gain at all.
    collidingSmallVsIlp: () =>
      againstIlp(
        (seed) =>
          generateWorkload({ seed, nodes: 3, instances: 30, scale: 'small', narrowStartShare: 1, capacityFactor: 0.2 }),
        false,
      ),
    collidingStartWindows: () => family((seed) => generateWorkload({ seed, ...tight, narrowStartShare: 1 })),
    largestItemsLast: () =>
      family((seed) => {
        const w = generateWorkload({ seed, ...tight, narrowStartShare: 0.5 });
        const order = w.apps.instances.map((s, k) => ({ s, k })).sort((a, b) => size(a.s) - size(b.s) || a.k - b.k);
        return { nodes: w.nodes, apps: { horizon: w.apps.horizon, instances: order.map((x) => x.s) } };
      }),
    large,
  };
  const figures: Record<string, unknown> = {};
  const partDates: Record<string, string> = {};
  for (const part of PARTS) {
    if (run.includes(part)) {
      figures[part] = await parts[part]();
      partDates[part] = now;
    } else if (part in previous) {
      figures[part] = previous[part];
      partDates[part] = previousDates[part] ?? String(previous.date);
    }
  }
  return {
    note:
      'held-out seeds; K = 1 % and 5 % of the pods; time limit per replan ' +
      `${TIME_LIMIT} s; readaptOnly = the engine's own readapt as the only repair (the baseline for the choice of LNS)`,
    partDates,
    ...figures,
  };
};

export default bench;
