/**
 * Offline re-planning (`nmaas scheduler replan`) on held-out seeds: how many more instances a plan places than
 * online placement did, within K = 1 % and 5 % of the pods as migrations, how long it takes and how many it moves.
 *   1. small pools (ILP-sized) against the optimum of `simulate --strategy exact` where HiGHS proves it, and
 *      against the optimum that keeps every placed pod placed (the ceiling of any re-plan); the same for a small
 *      colliding-windows pool;
 *   2. two families where arrival order hurts online placement: colliding start windows (every instance wants a
 *      narrow window) and largest items last (the file sorted by growing size);
 *   3. the two searches of the re-planner side by side on the same seeds, budget and time limit: large-neighbourhood
 *      search (LNS) and the ant colony system (ACS), and the engine's own readapt as the only repair (baseline);
 *   4. one large pool, as large as finishes in 60 s, with both searches.
 * Per family it also states the ceiling: how far above online placement the optimum that keeps every placed pod
 * placed lies on small pools of the family, beside the +10 points target.
 * The search's constants were set on seeds 1–100; figures are reported on seeds from 101 on. Every plan goes
 * through the independent checker.
 * REPLAN_PARTS=small,collidingSmall,largestLastSmall,colliding,largestLast,large runs only those parts and keeps the
 * others from the results file already there (each part records when it ran and the load average then).
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkPlacement,
  generateWorkload,
  replan,
  simulate,
  solveExact,
  type InstanceSpec,
  type NodeSpec,
  type ReplanMethod,
} from '@nmaas/scheduler';
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

/** One re-plan: with a method, or the engine's readapt as the only repair ('readapt'). */
function trial(
  w: Workload,
  online: { id: string; node: string; phase: number }[],
  k: number,
  search: ReplanMethod | 'readapt',
  timeLimitSeconds = TIME_LIMIT,
): Trial {
  const t0 = performance.now();
  const method = search === 'readapt' ? 'lns' : search;
  const readaptOnly = search === 'readapt';
  const r = replan(w.nodes, w.apps, online, { migrations: k, timeLimitSeconds, seed: 1, readaptOnly, method });
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
  acsK1: Trial;
  acsK5: Trial;
  autoK5: Trial;
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
  acsK5: number;
  acsAnyMoves: number;
  acsAnyMovesSeconds: number;
  autoAnyMoves: number;
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
      k1: trial(w, online.placed, k1, 'lns'),
      k5: trial(w, online.placed, k5, 'lns'),
      acsK1: trial(w, online.placed, k1, 'acs'),
      acsK5: trial(w, online.placed, k5, 'acs'),
      autoK5: trial(w, online.placed, k5, 'auto'),
      readaptK5: trial(w, online.placed, k5, 'readapt'),
    });
  }
  const pts = (placed: number, r: FamilyRow): number => (100 * (placed - r.online)) / r.instances;
  const summary = (pick: (r: FamilyRow) => Trial) => ({
    pointsAboveOnline: r2(mean(rows.map((r) => pts(pick(r).placed, r)))),
    maxPointsAboveOnline: r2(Math.max(...rows.map((r) => pts(pick(r).placed, r)))),
    seedsImproved: rows.filter((r) => pick(r).placed > r.online).length,
    meanPlacedShare: r2(mean(rows.map((r) => (100 * pick(r).placed) / r.instances))),
    meanMigrations: r1(mean(rows.map((r) => pick(r).migrations))),
    meanSeconds: r2(mean(rows.map((r) => pick(r).seconds))),
    allCheckerClean: rows.every((r) => pick(r).checkerClean),
  });
  return {
    seeds: `${FIRST_HELD_OUT}–${FIRST_HELD_OUT + SEEDS - 1}`,
    onlinePlacedShare: r2(mean(rows.map((r) => (100 * r.online) / r.instances))),
    lnsK1: summary((r) => r.k1),
    lnsK5: summary((r) => r.k5),
    acsK1: summary((r) => r.acsK1),
    acsK5: summary((r) => r.acsK5),
    autoK5: summary((r) => r.autoK5),
    readaptOnlyK5: summary((r) => r.readaptK5),
    acsAgainstLnsK5: duel(rows.map((r) => [r.acsK5, r.k5])),
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
    const plan = trial(w, online.placed, k, 'lns');
    const free = trial(w, online.placed, w.apps.instances.length, 'lns');
    const acsPlan = trial(w, online.placed, k, 'acs');
    const acsFree = trial(w, online.placed, w.apps.instances.length, 'acs');
    const autoFree = trial(w, online.placed, w.apps.instances.length, 'auto');
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
      acsK5: acsPlan.placed,
      acsAnyMoves: acsFree.placed,
      acsAnyMovesSeconds: r2(acsFree.seconds),
      autoAnyMoves: autoFree.placed,
      checkerClean:
        plan.checkerClean && free.checkerClean && acsPlan.checkerClean && acsFree.checkerClean && autoFree.checkerClean,
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
        acsK5: gap((r) => r.acsK5),
        acsAnyMoves: gap((r) => r.acsAnyMoves),
        autoAnyMoves: gap((r) => r.autoAnyMoves),
      },
      replanAnyMovesWithinOnePercent: solved.filter((r) => r.replanAnyMoves >= 0.99 * optimum(r)!).length,
      acsAnyMovesWithinOnePercent: solved.filter((r) => r.acsAnyMoves >= 0.99 * optimum(r)!).length,
      autoAnyMovesWithinOnePercent: solved.filter((r) => r.autoAnyMoves >= 0.99 * optimum(r)!).length,
      meanPlacedShare: {
        online: r2(mean(solved.map((r) => (100 * r.online) / r.instances))),
        replanAnyMoves: r2(mean(solved.map((r) => (100 * r.replanAnyMoves) / r.instances))),
        acsAnyMoves: r2(mean(solved.map((r) => (100 * r.acsAnyMoves) / r.instances))),
        autoAnyMoves: r2(mean(solved.map((r) => (100 * r.autoAnyMoves) / r.instances))),
        optimum: r2(mean(solved.map((r) => (100 * optimum(r)!) / r.instances))),
      },
      meanPointsAboveOnline: {
        optimum: r2(mean(solved.map((r) => (100 * (optimum(r)! - r.online)) / r.instances))),
        replanAnyMoves: r2(mean(solved.map((r) => (100 * (r.replanAnyMoves - r.online)) / r.instances))),
        acsAnyMoves: r2(mean(solved.map((r) => (100 * (r.acsAnyMoves - r.online)) / r.instances))),
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
  const run = (method: ReplanMethod) => {
    const t1 = performance.now();
    const r = replan(w.nodes, w.apps, online.placed, { migrations: k, timeLimitSeconds: 50, seed: 1, method });
    const seconds = (performance.now() - t1) / 1000;
    const check = checkPlacement(w.nodes, w.apps, r.placed);
    return {
      replanPlaced: r.after.placed,
      placedAboveOnline: r.after.placed - online.metrics.placed,
      migrations: r.migrations,
      movedShareOfPods: r2((100 * r.migrations) / LARGE.instances),
      replanSeconds: r1(seconds),
      searchStoppedBy: r.search.stoppedBy,
      competingSlotSeconds: check.competingSlotSeconds,
      violations: check.violations,
    };
  };
  return {
    nodes: LARGE.nodes,
    instances: LARGE.instances,
    capacityFactor: 0.2,
    onlinePlaced: online.metrics.placed,
    onlineSeconds: r1(onlineSeconds),
    budget: k,
    lns: run('lns'),
    acs: run('acs'),
  };
}

/** ACS against LNS on the same seeds: seeds where each places more, and the mean difference in placed pods. */
function duel(pairs: [Trial, Trial][]) {
  return {
    seedsAcsPlacesMore: pairs.filter(([a, l]) => a.placed > l.placed).length,
    seedsLnsPlacesMore: pairs.filter(([a, l]) => l.placed > a.placed).length,
    meanPlacedAcsMinusLns: r2(mean(pairs.map(([a, l]) => a.placed - l.placed))),
    meanMigrations: {
      acs: r1(mean(pairs.map(([a]) => a.migrations))),
      lns: r1(mean(pairs.map(([, l]) => l.migrations))),
    },
    meanSeconds: { acs: r2(mean(pairs.map(([a]) => a.seconds))), lns: r2(mean(pairs.map(([, l]) => l.seconds))) },
  };
}

const PARTS = ['small', 'collidingSmall', 'largestLastSmall', 'colliding', 'largestLast', 'large'] as const;
type Part = (typeof PARTS)[number];

/** The parts asked for (REPLAN_PARTS), all by default; an unknown name is an error, not a silent no-op. */
function partsWanted(): Set<Part> {
  const asked = process.env.REPLAN_PARTS;
  if (!asked) return new Set(PARTS);
  const names = asked.split(',').map((x) => x.trim());
  for (const n of names)
    if (!(PARTS as readonly string[]).includes(n))
      throw new Error(`REPLAN_PARTS: unknown part ${n}; the parts are ${PARTS.join(', ')}`);
  return new Set(names as Part[]);
}

/** The results file as it is: the parts not run now are kept from it. */
function previousResults(): Record<string, unknown> {
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'results', 'replan.json');
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function largestLast(w: Workload): Workload {
  const order = w.apps.instances.map((s, k) => ({ s, k })).sort((a, b) => size(a.s) - size(b.s) || a.k - b.k);
  return { nodes: w.nodes, apps: { horizon: w.apps.horizon, instances: order.map((x) => x.s) } };
}

const bench: Bench = async () => {
  const tight = { nodes: 20, instances: 400, capacityFactor: 0.2 };
  const small = { nodes: 3, instances: 30, scale: 'small' as const };
  const runners: Record<Part, [string, () => Promise<Record<string, unknown>>]> = {
    small: ['smallVsIlp', () => againstIlp((seed) => generateWorkload({ seed, ...small, narrowStartShare: 0.5 }))],
    // The two weak families, small enough for the exact model: how much a re-plan could gain at all.
    collidingSmall: [
      'collidingSmallVsIlp',
      () => againstIlp((seed) => generateWorkload({ seed, ...small, narrowStartShare: 1, capacityFactor: 0.2 }), false),
    ],
    largestLastSmall: [
      'largestLastSmallVsIlp',
      () => againstIlp((seed) => largestLast(generateWorkload({ seed, ...small, narrowStartShare: 0.5 })), false),
    ],
    colliding: [
      'collidingStartWindows',
      () => family((seed) => generateWorkload({ seed, ...tight, narrowStartShare: 1 })),
    ],
    largestLast: [
      'largestItemsLast',
      () => family((seed) => largestLast(generateWorkload({ seed, ...tight, narrowStartShare: 0.5 }))),
    ],
    large: ['large', large],
  };
  const wanted = partsWanted();
  const previous = wanted.size === PARTS.length ? {} : previousResults();
  const out: Record<string, unknown> = {
    note:
      'held-out seeds; K = 1 % and 5 % of the pods; time limit per replan ' +
      `${TIME_LIMIT} s; lns = large-neighbourhood search, acs = ant colony system; readaptOnly = the engine's own ` +
      'readapt as the only repair (the baseline of the search); parts: ' +
      PARTS.join(', '),
  };
  for (const part of PARTS) {
    const [key, run] = runners[part];
    if (!wanted.has(part)) {
      if (key in previous) out[key] = previous[key];
      continue;
    }
    const started = Date.now();
    const figures = await run();
    out[key] = {
      ...figures,
      measured: {
        at: new Date().toISOString(),
        wallSeconds: r1((Date.now() - started) / 1000),
        loadAverageAfter: os.loadavg().map(r2),
      },
    };
  }
  out.targets = targets(out);
  return out;
};

/**
 * The targets, per family, from the parts in this file: online, re-plan (each method) and optimum as a
 * share of the instances, the ceiling (optimum keeping placed pods − online, in points) beside the +10 target.
 */
function targets(out: Record<string, unknown>) {
  // Parts kept from an older results file may lack a method's figures: those read as null, never as a crash.
  const read = (key: string, ...pathTo: string[]): number | null => {
    let x: unknown = out[key];
    for (const k of pathTo) x = x !== null && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined;
    return typeof x === 'number' ? x : null;
  };
  const row = (smallKey: string, familyKey: string) => {
    const share = (m: string) => read(smallKey, 'againstOptimumKeepingPlaced', 'meanPlacedShare', m);
    const online = share('online');
    const optimum = share('optimum');
    return {
      targetPointsAboveOnline: 10,
      smallPools: {
        onlinePercent: online,
        lnsPercent: share('replanAnyMoves'),
        acsPercent: share('acsAnyMoves'),
        autoPercent: share('autoAnyMoves'),
        optimumKeepingPlacedPercent: optimum,
        ceilingPointsAboveOnline: online !== null && optimum !== null ? r2(optimum - online) : null,
      },
      pools20x400K5: {
        onlinePercent: read(familyKey, 'onlinePlacedShare'),
        lnsPercent: read(familyKey, 'lnsK5', 'meanPlacedShare'),
        acsPercent: read(familyKey, 'acsK5', 'meanPlacedShare'),
        autoPercent: read(familyKey, 'autoK5', 'meanPlacedShare'),
        lnsPointsAboveOnline: read(familyKey, 'lnsK5', 'pointsAboveOnline'),
        acsPointsAboveOnline: read(familyKey, 'acsK5', 'pointsAboveOnline'),
        autoPointsAboveOnline: read(familyKey, 'autoK5', 'pointsAboveOnline'),
      },
    };
  };
  return {
    collidingStartWindows: row('collidingSmallVsIlp', 'collidingStartWindows'),
    largestItemsLast: row('largestLastSmallVsIlp', 'largestItemsLast'),
  };
}

export default bench;
