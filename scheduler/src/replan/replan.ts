/**
 * Offline global re-planning: from a placement (what `simulate` printed, or what the cluster runs), find a
 * better plan that needs at most K migrations. Lexicographic objective: more instances placed, then fewer
 * overlapping run-seconds on a node or behind a shared link (overlap.ts), then fewer moves.
 *
 * Large-neighbourhood search over the engine itself, so every plan is one the engine would accept: destroy a
 * few bookings on one node where a refused instance could go, book the refused one there, and repair the
 * removed ones with the engine's own decision (their old spot first, which costs no migration). Two more
 * neighbourhoods lower overlap (move the most-overlapping booking of a crowded node) and moves (put a moved
 * instance back where it was). A step is kept only if the objective does not get worse and the plan still
 * differs from the original placement in at most K already-placed instances.
 */
import { allowedPhases, type InstanceSpec, type NodeSpec } from '../engine/index.js';
import { Random } from '../engine/random.js';
import { acsReplan } from './acs.js';
import {
  cmp,
  crowdedNodes,
  mayLeave,
  pinAndSelectorAllow,
  inTheWay,
  samePlace,
  size,
  startSearch,
  summarize,
  type Gain,
  type PlacedEntry,
  type ReplanMethod,
  type ReplanOptions,
  type ReplanResult,
} from './plan.js';

export type { Gain, PlacedEntry, PlanQuality, ReplanMethod, ReplanMove, ReplanOptions, ReplanResult } from './plan.js';

export const REPLAN_METHODS: readonly ReplanMethod[] = ['auto', 'lns', 'acs'];
/**
 * auto: on pools of at most this many nodes the ant colony for half the time, then the large-neighbourhood search,
 * and the better plan; the large-neighbourhood search alone beyond. Measured on
 * held-out seeds (bench/results/replan.json): the colony places more on 20-node pools whose pods all want narrow
 * windows and as much elsewhere; on 5,000 nodes its colonies are too few in the time limit and LNS places far more.
 */
export const ACS_UP_TO_NODES = 100;
export const DEFAULT_REPLAN_METHOD: ReplanMethod = 'auto';

/** The search `auto` stands for on these nodes. */
export function resolveMethod(method: ReplanMethod, nodeCount: number): 'lns' | 'acs' {
  if (method !== 'auto') return method;
  return nodeCount <= ACS_UP_TO_NODES ? 'acs' : 'lns';
}

/** Phases tried per node when booking a refused instance there: enough to find a gap, bounded per step. */
const PHASES_PER_NODE = 48;
/** Bookings removed by one destroy step at most. */
const MAX_DESTROY = 3;

interface Step {
  /** Instances whose booking this step changed, with their booking before it (null: was refused). */
  touched: Map<string, PlacedEntry | null>;
}

export function replan(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
  current: PlacedEntry[],
  options: ReplanOptions,
  where = 'placement',
): ReplanResult {
  const method = options.method ?? DEFAULT_REPLAN_METHOD;
  if (resolveMethod(method, nodes.length) === 'lns') return lnsReplan(nodes, apps, current, options, where);
  if (method === 'acs') return acsReplan(nodes, apps, current, options, where);
  // auto on a pool the colony suits: the colony for half the time, then the LNS for the rest, both from the
  // current placement; the better plan wins (each search misses some optima the other finds).
  const t0 = performance.now();
  const half = { ...options, timeLimitSeconds: options.timeLimitSeconds / 2 };
  const colony = acsReplan(nodes, apps, current, half, where);
  const rest = Math.max(options.timeLimitSeconds / 10, options.timeLimitSeconds - colony.search.millis / 1000);
  const lns = lnsReplan(nodes, apps, current, { ...options, timeLimitSeconds: rest }, where);
  const a = colony.after;
  const b = lns.after;
  const lnsBetter =
    b.placed > a.placed ||
    (b.placed === a.placed &&
      (b.overlapSeconds < a.overlapSeconds ||
        (b.overlapSeconds === a.overlapSeconds && lns.migrations < colony.migrations)));
  const best = lnsBetter ? lns : colony;
  return {
    ...best,
    search: {
      iterations: colony.search.iterations + lns.search.iterations,
      accepted: best.search.accepted,
      millis: Math.round(performance.now() - t0),
      stoppedBy:
        colony.search.stoppedBy === 'time-limit' || lns.search.stoppedBy === 'time-limit' ? 'time-limit' : 'converged',
    },
  };
}

function lnsReplan(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
  current: PlacedEntry[],
  options: ReplanOptions,
  where: string,
): ReplanResult {
  const t0 = performance.now();
  const deadline = t0 + options.timeLimitSeconds * 1000;
  const K = options.migrations;
  const rng = new Random(options.seed);
  const start = startSearch(nodes, apps, current, where);
  const { engine, specs, order, original, overlapOf, nodeOverlap, links, before } = start;
  let overlap = start.overlap;

  /** Originally placed instances not at their original spot now: the migrations the plan needs. */
  const moved = new Set<string>();
  const refused = apps.instances.filter((s) => !original.has(s.id)).map((s) => s.id);
  const refusedSet = new Set(refused);
  const lastStep = new Map<string, { step: number; gain: Gain }>();
  let steps = 0;

  const at = (id: string): PlacedEntry | null => {
    const b = engine.get(id);
    return b ? { id, node: b.node, phase: b.phase } : null;
  };
  const same = samePlace;

  /** Remove an instance, remembering its booking for the step's undo. */
  const lift = (step: Step, id: string): void => {
    if (!step.touched.has(id)) step.touched.set(id, at(id));
    engine.remove(id);
  };
  // Forced: the bookings restored are exactly the state before the step, which was valid, but an affinity
  // booking would be refused while the instance it relies on is not back yet.
  const undo = (step: Step): void => {
    for (const id of step.touched.keys()) engine.remove(id);
    for (const [id, was] of step.touched) if (was) engine.book(specs.get(id)!, was, { force: true });
  };
  const canLeave = (id: string): boolean => mayLeave(engine, id);
  /** Nodes a spec may go to by pin and selector (time and rules are the engine's job). */
  const eligible = new Map<string, NodeSpec[]>();
  const candidatesOf = (spec: InstanceSpec): NodeSpec[] => {
    const key = JSON.stringify([spec.node, spec.nodeSelector]);
    let list = eligible.get(key);
    if (!list) {
      list = nodes.filter((n) => pinAndSelectorAllow(spec, n));
      eligible.set(key, list);
    }
    return list;
  };
  /** Book spec on one node at the first phase that fits, trying a bounded, seeded sample of its allowed phases. */
  const bookOn = (spec: InstanceSpec, node: string): boolean => {
    const phases = allowedPhases(spec.every, spec.startWithin, spec.release);
    const stride = Math.max(1, Math.ceil(phases.length / PHASES_PER_NODE));
    const offset = stride > 1 ? rng.int(0, stride - 1) : 0;
    for (let k = offset; k < phases.length; k += stride)
      if (engine.book(spec, { node, phase: phases[k]! }).ok) return true;
    return false;
  };
  /** Book spec on the node at one of a few allowed phases drawn at random (a shift in time). */
  const bookShifted = (spec: InstanceSpec, node: string): boolean => {
    const phases = allowedPhases(spec.every, spec.startWithin, spec.release);
    for (let k = 0; k < 4; k++) if (engine.book(spec, { node, phase: rng.pick(phases) }).ok) return true;
    return false;
  };
  /** Re-insert a lifted instance: its original spot first (no migration), then the engine's own decision. */
  const repair = (spec: InstanceSpec): boolean => {
    const home = original.get(spec.id);
    if (home && engine.book(spec, home).ok) return true;
    return engine.place(spec).ok;
  };

  /** Judge a step: keep it if the objective holds and the budget holds, else undo it. */
  const settle = (step: Step, mustImprove: boolean): boolean => {
    const nodesHit = new Set<string>();
    let placedDelta = 0;
    const nextMoved = new Set(moved);
    for (const [id, was] of step.touched) {
      const now = at(id);
      if (was) nodesHit.add(was.node);
      if (now) nodesHit.add(now.node);
      placedDelta += (now ? 1 : 0) - (was ? 1 : 0);
      const home = original.get(id);
      if (home) {
        if (same(now, home)) nextMoved.delete(id);
        else nextMoved.add(id);
      }
    }
    let overlapDelta = 0;
    const fresh = new Map<string, number>();
    for (const n of nodesHit) {
      const o = nodeOverlap(n);
      fresh.set(n, o);
      overlapDelta += o - overlapOf.get(n)!;
    }
    const linkChange = links.change(nodesHit);
    overlapDelta += linkChange.delta;
    const movesDelta = nextMoved.size - moved.size;
    const better =
      placedDelta > 0 ||
      (placedDelta === 0 &&
        (overlapDelta < 0 || (overlapDelta === 0 && (mustImprove ? movesDelta < 0 : movesDelta <= 0))));
    if (!better || nextMoved.size > K) {
      undo(step);
      return false;
    }
    steps++;
    const gain = { placed: placedDelta, overlapSeconds: overlapDelta };
    for (const [id, was] of step.touched) {
      if (!same(was, at(id))) lastStep.set(id, { step: steps, gain });
    }
    for (const [n, o] of fresh) overlapOf.set(n, o);
    linkChange.commit();
    overlap += overlapDelta;
    moved.clear();
    for (const id of nextMoved) moved.add(id);
    for (const id of step.touched.keys()) if (engine.has(id)) refusedSet.delete(id);
    return true;
  };

  // Free first: refused instances that fit now (largest first) cost no migration. A fifth of the time at most: the
  // engine explains every refusal, and after online placement (which only ever added bookings) few fit.
  const bySize = (a: string, b: string): number => size(specs.get(b)!) - size(specs.get(a)!) || cmp(a, b);
  const freeUntil = t0 + options.timeLimitSeconds * 200;
  for (const id of [...refused].sort(bySize)) {
    if (performance.now() > freeUntil) break;
    const step: Step = { touched: new Map([[id, null]]) };
    if (engine.place(specs.get(id)!).ok) settle(step, true);
  }

  const patience = options.patience ?? Math.max(200, 20 * refusedSet.size);
  let pending = [...refusedSet].sort(bySize);
  let iterations = 0;
  let stoppedBy: 'converged' | 'time-limit' = 'converged';
  // First place (the first objective), sometimes sending a moved instance home to win budget back; once that
  // stalls, polish: less overlap, fewer moves. Overlap moves never spend budget a placement could have used.
  for (const mode of ['place', 'polish'] as const) {
    let idle = 0;
    while (idle < patience && stoppedBy === 'converged') {
      if (performance.now() > deadline) {
        stoppedBy = 'time-limit';
        break;
      }
      if (mode === 'place' && pending.length === 0) break;
      if (mode === 'polish' && overlap === 0 && moved.size === 0) break;
      iterations++;
      const roll = rng.next();
      let kept = false;
      if (mode === 'place' && (roll < 0.9 || moved.size === 0)) {
        const id = rng.pick(pending);
        kept = options.readaptOnly ? readaptStep(id) : destroyRepairStep(id);
      } else if (mode === 'polish' && overlap > 0 && (roll < 0.8 || moved.size === 0)) {
        kept = overlapStep();
      } else if (moved.size > 0) {
        kept = homeStep();
      }
      idle = kept ? 0 : idle + 1;
      if (kept) pending = pending.filter((x) => refusedSet.has(x));
    }
  }

  function readaptStep(id: string): boolean {
    const spec = specs.get(id)!;
    const budget = K - moved.size;
    if (budget <= 0) return false;
    const step: Step = { touched: new Map([[id, null]]) };
    // The engine's readapt moves bookings itself and says from where: that is the step's undo.
    const r = engine.place(spec, { migrations: Math.min(budget, MAX_DESTROY) });
    if (!r.ok) return false;
    for (const m of r.migrations) step.touched.set(m.id, { id: m.id, node: m.from.node, phase: m.from.phase });
    return settle(step, true);
  }

  function destroyRepairStep(id: string): boolean {
    const spec = specs.get(id)!;
    const candidates = candidatesOf(spec);
    if (candidates.length === 0) return false;
    const node = rng.pick(candidates).name;
    const step: Step = { touched: new Map([[id, null]]) };
    const here = engine.bookings(node);
    // A time window: one allowed phase of the newcomer. Whom to lift: those a rule keeps apart from it, then those
    // running in that window (most overlap × size first), a seeded few.
    const phases = allowedPhases(spec.every, spec.startWithin, spec.release);
    const phase = rng.pick(phases);
    const ranked = here
      .map((b) => ({ b, w: inTheWay(spec, phase, b.instance, b.phase, apps.horizon) }))
      .filter((x) => x.w > 0)
      .map((x) => ({ b: x.b, w: x.w * (1 + 0.25 * rng.next()) }))
      .sort((a, b) => b.w - a.w)
      .map((x) => x.b);
    const count = Math.min(ranked.length, 1 + Math.floor(rng.next() * MAX_DESTROY));
    let lifted = 0;
    for (const b of ranked) {
      if (lifted >= count) break;
      if (!canLeave(b.id)) continue;
      lift(step, b.id);
      lifted++;
    }
    if (!engine.book(spec, { node, phase }).ok && !bookOn(spec, node)) {
      undo(step);
      return false;
    }
    for (const x of [...step.touched.keys()].filter((x) => x !== id).sort(bySize)) {
      if (!repair(specs.get(x)!)) {
        undo(step);
        return false;
      }
    }
    return settle(step, true);
  }

  function overlapStep(): boolean {
    const crowded = crowdedNodes(overlapOf, (n) => links.around(n));
    if (crowded.length === 0) return false;
    const node = crowded[Math.floor(rng.next() ** 2 * Math.min(crowded.length, 8))]!;
    const here = engine.bookings(node);
    if (here.length === 0) return false;
    const b = rng.pick(here);
    if (original.has(b.id) && !moved.has(b.id) && moved.size >= K) return false;
    if (!canLeave(b.id)) return false;
    const step: Step = { touched: new Map() };
    lift(step, b.id);
    const spec = specs.get(b.id)!;
    const target = rng.pick(candidatesOf(spec)).name;
    // Behind a crowded link, a shift in time on the same node can end an overlap the node alone does not see.
    const shifted = links.around(node) > 0 && rng.next() < 0.5 && bookShifted(spec, node);
    if (!shifted && !(target !== node && bookOn(spec, target)) && !engine.place(spec).ok) {
      undo(step);
      return false;
    }
    return settle(step, true);
  }

  function homeStep(): boolean {
    const list = [...moved].sort(cmp);
    const id = rng.pick(list);
    if (!canLeave(id)) return false;
    const step: Step = { touched: new Map() };
    lift(step, id);
    if (!engine.book(specs.get(id)!, original.get(id)!).ok) {
      undo(step);
      return false;
    }
    return settle(step, true);
  }

  return summarize(engine, apps, original, order, lastStep, {
    t0,
    deadline,
    before,
    overlap,
    migrations: moved.size,
    budget: K,
    search: { iterations, accepted: steps, stoppedBy },
  });
}
