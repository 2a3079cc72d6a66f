/**
 * The re-plan as an Ant Colony System (Dorigo and Gambardella's ACS, the metaheuristic of Orange's "Allocating and
 * Scheduling Measurement Applications"), over the engine's public API so that every plan is one the engine accepts.
 *
 * A colony works on a region: all nodes of a small pool, else a few nodes where a refused instance (the target) may
 * go. Each ant first aims the target at a (node, phase bucket) by the transition rule, then frees bookings of the
 * region (a small pool: all of them, or as many as the migration budget allows; a larger one: a few), drawn by
 * pheromone × how much each stands in the way of the target there. It builds the region again: the target first,
 * then the freed instances, then other refused ones, each group largest first. Each instance chooses a (node, phase
 * bucket) by the ACS transition rule (the best pheromone × heuristic with probability Q0, else a roulette) and takes
 * the first phase of the bucket the engine books (its own phase first, which costs no migration). A choice the
 * engine refuses is struck out and the instance chooses again. An ant that cannot place a freed pod again fails: a
 * re-plan moves pods, it never leaves one pending. Local update after each choice; the colony's best ant replaces
 * the region's plan when it is better (more placed, then fewer overlapping run-seconds on a node or behind a shared
 * link, then fewer moves), and the plan's choices are reinforced (global update). Only freed instances can move,
 * so a plan never needs more than K migrations; the same seed and inputs give the same plan when the search stops
 * by convergence.
 */
import { allowedPhases, type Booking, type InstanceSpec, type NodeSpec } from '../engine/index.js';
import { Random } from '../engine/random.js';
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
  type ReplanOptions,
  type ReplanResult,
} from './plan.js';

/** Further runs from the same placement, with fresh pheromone, when a run converges before the time limit. */
const RESTARTS = 4;
/** Ants per colony. */
const ANTS = 8;
/** Phase buckets per instance: the time granularity of the pheromone. */
const BUCKETS = 12;
/** Phases the engine is asked for in one bucket at most (evenly spread, earliest first). */
const PHASES_PER_BUCKET = 8;
/** Bookings the engine is asked for per instance and ant at most: a refused instance must not cost a full scan. */
const TRIES_PER_INSTANCE = 24;
/** A pool of at most this many nodes is one region: ants rebuild the whole pool. */
const WHOLE_POOL_NODES = 4;
/** Nodes in a region of a larger pool. */
const REGION_NODES = 3;
/** Bookings an ant of a larger pool frees at most. */
const FREE_PER_ANT = 4;
/** Refused instances offered to one ant of a larger pool at most (the target first). */
const REFUSED_PER_ANT = 6;
/** ACS constants: exploitation probability, local evaporation, global evaporation, initial pheromone. */
const Q0 = 0.8;
const RHO = 0.1;
const ALPHA = 0.1;
const TAU0 = 0.1;
/** Heuristic weight of an instance's own (node, bucket): staying costs no migration. */
const HOME_WEIGHT = 3;

interface Option {
  node: string;
  bucket: number;
}

interface Ant {
  /** Every instance the ant touched, with its booking before the ant (null: was refused), in the order booked. */
  before: Map<string, PlacedEntry | null>;
  /** Where the ant put each of them (null: left refused). */
  after: Map<string, PlacedEntry | null>;
  placedDelta: number;
  overlapDelta: number;
  movesDelta: number;
  overlapAfter: Map<string, number>;
  /** Keeps the links' overlap as the ant left it (measured before the region was put back). */
  commitLinks: () => void;
}

/**
 * Colonies from the current placement until they converge; while time is left, up to RESTARTS more runs from the
 * same placement with fresh pheromone and the next seed, and the best plan wins (more placed, then less overlap,
 * then fewer migrations). A colony that converged early has settled on one basin; a fresh one may find another.
 */
export function acsReplan(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
  current: PlacedEntry[],
  options: ReplanOptions,
  where: string,
): ReplanResult {
  const t0 = performance.now();
  const deadline = t0 + options.timeLimitSeconds * 1000;
  let best = colonies(nodes, apps, current, options, where, options.seed, deadline);
  let iterations = best.search.iterations;
  // Restarts look for more placed pods; once every pod is placed, one run's polish is enough.
  for (let r = 1; r <= RESTARTS && best.search.stoppedBy === 'converged' && best.after.rejected > 0; r++) {
    if (performance.now() > deadline) break;
    const next = colonies(nodes, apps, current, options, where, options.seed + r * 7919, deadline);
    iterations += next.search.iterations;
    const a = next.after;
    const b = best.after;
    const stopped = next.search.stoppedBy;
    if (
      a.placed > b.placed ||
      (a.placed === b.placed &&
        (a.overlapSeconds < b.overlapSeconds ||
          (a.overlapSeconds === b.overlapSeconds && next.migrations < best.migrations)))
    )
      best = next;
    best = { ...best, search: { ...best.search, stoppedBy: stopped } };
  }
  return { ...best, search: { ...best.search, iterations, millis: Math.round(performance.now() - t0) } };
}

function colonies(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
  current: PlacedEntry[],
  options: ReplanOptions,
  where: string,
  seed: number,
  deadline: number,
): ReplanResult {
  const t0 = performance.now();
  const K = options.migrations;
  const rng = new Random(seed);
  const start = startSearch(nodes, apps, current, where);
  const { engine, specs, order, original, overlapOf, nodeOverlap, links, before } = start;
  const nodeNames = nodes.map((n) => n.name);
  let overlap = start.overlap;
  const moved = new Set<string>();
  const refused = new Set(apps.instances.filter((s) => !original.has(s.id)).map((s) => s.id));
  const lastStep = new Map<string, { step: number; gain: Gain }>();
  let accepted = 0;
  let iterations = 0;
  let stoppedBy: 'converged' | 'time-limit' = 'converged';

  const at = (id: string): PlacedEntry | null => {
    const b = engine.get(id);
    return b ? { id, node: b.node, phase: b.phase } : null;
  };

  // --- the search space: eligible nodes per shape of pin and selector, phase buckets per time shape
  const eligibleMemo = new Map<string, string[]>();
  const eligible = (spec: InstanceSpec): string[] => {
    const key = JSON.stringify([spec.node, spec.nodeSelector]);
    let list = eligibleMemo.get(key);
    if (!list) {
      list = nodes.filter((n) => pinAndSelectorAllow(spec, n)).map((n) => n.name);
      eligibleMemo.set(key, list);
    }
    return list;
  };
  const bucketsMemo = new Map<string, number[][]>();
  /** The allowed phases of a spec cut into at most BUCKETS runs of neighbours, each sampled to PHASES_PER_BUCKET. */
  const bucketsOf = (spec: InstanceSpec): number[][] => {
    const key = `${spec.every}/${spec.startWithin}/${spec.release}`;
    let list = bucketsMemo.get(key);
    if (!list) {
      const phases = allowedPhases(spec.every, spec.startWithin, spec.release);
      const count = Math.min(BUCKETS, phases.length);
      list = [];
      for (let b = 0; b < count; b++) {
        const from = Math.floor((b * phases.length) / count);
        const to = Math.floor(((b + 1) * phases.length) / count);
        const stride = Math.max(1, Math.ceil((to - from) / PHASES_PER_BUCKET));
        const sample: number[] = [];
        for (let k = from; k < to; k += stride) sample.push(phases[k]!);
        list.push(sample);
      }
      bucketsMemo.set(key, list);
    }
    return list;
  };
  const bucketOfPhase = (spec: InstanceSpec, phase: number): number => {
    const buckets = bucketsOf(spec);
    for (let b = buckets.length - 1; b >= 0; b--) if (buckets[b]![0]! <= phase) return b;
    return 0;
  };

  // --- pheromone: on (instance, node, bucket) choices, and on freeing an instance
  const tau = new Map<string, number>();
  const choiceKey = (id: string, o: Option): string => `${id}\u0000${o.node}\u0000${o.bucket}`;
  const tauOf = (key: string): number => tau.get(key) ?? TAU0;
  /** Pheromone summed over a node's buckets for one instance: how a region is chosen for a refused target. */
  const nodeTau = new Map<string, number>();
  const nodeTauOf = (id: string, node: string, buckets: number): number =>
    nodeTau.get(`${id}\u0000${node}`) ?? TAU0 * buckets;
  const setTau = (id: string, o: Option, value: number, buckets: number): void => {
    const key = choiceKey(id, o);
    const nk = `${id}\u0000${o.node}`;
    nodeTau.set(nk, nodeTauOf(id, o.node, buckets) + value - tauOf(key));
    tau.set(key, value);
  };
  const freeTau = new Map<string, number>();

  const canLeave = (id: string): boolean => mayLeave(engine, id);

  const byName = new Map(nodes.map((n) => [n.name, n]));
  /** The refused instances whose pin and selector let them go to a node of the region. */
  const mayGoTo = (region: string[], pending: string[]): string[] => {
    const here = region.map((n) => byName.get(n)!);
    return pending.filter((id) => {
      const spec = specs.get(id)!;
      return here.some((n) => pinAndSelectorAllow(spec, n));
    });
  };

  /** The region of one colony: the whole small pool, else a target's node (by pheromone) and a few others. */
  const regionFor = (target: string | null): string[] => {
    if (nodeNames.length <= WHOLE_POOL_NODES) return nodeNames;
    const region = new Set<string>();
    if (target !== null) {
      const spec = specs.get(target)!;
      const list = eligible(spec);
      if (list.length === 0) return [];
      const nb = bucketsOf(spec).length;
      region.add(rng.weighted(list.map((n) => [n, nodeTauOf(target, n, nb)] as const)));
      for (let k = 0; k < 4 * REGION_NODES && region.size < Math.min(REGION_NODES, list.length); k++)
        region.add(rng.pick(list));
    } else {
      // Polish: the most crowded nodes, and the nodes of moved instances that could go home.
      const crowded = crowdedNodes(overlapOf, (n) => links.around(n));
      if (crowded.length > 0) region.add(crowded[Math.floor(rng.next() ** 2 * Math.min(crowded.length, 8))]!);
      if (moved.size > 0) {
        const id = rng.pick([...moved].sort(cmp));
        region.add(original.get(id)!.node);
        const now = engine.get(id);
        if (now) region.add(now.node);
      }
      while (region.size < Math.min(REGION_NODES, nodeNames.length)) region.add(rng.pick(nodeNames));
    }
    return [...region];
  };

  /** ACS transition rule over the options not yet struck out. */
  const choose = (spec: InstanceSpec, options: Option[], home: Option | null, nb: number): number => {
    const weight = (o: Option): number => {
      const eta =
        (home !== null && o.node === home.node && o.bucket === home.bucket ? HOME_WEIGHT : 1) *
        // Earlier buckets first, gently: packing runs towards the start of the window keeps the holes whole.
        (1 + (nb - o.bucket) / nb);
      return tauOf(choiceKey(spec.id, o)) * eta;
    };
    if (rng.next() < Q0) {
      let best = 0;
      let bestWeight = -1;
      for (let k = 0; k < options.length; k++) {
        const w = weight(options[k]!);
        if (w > bestWeight) {
          best = k;
          bestWeight = w;
        }
      }
      return best;
    }
    return rng.weighted(options.map((o, k) => [k, weight(o)] as const));
  };

  /** Instances alike for the engine's rules (all but the id): a spot one refuses, the other is refused too. */
  const likeness = new Map<string, string>();
  const likeKey = (spec: InstanceSpec): string => {
    let key = likeness.get(spec.id);
    if (key === undefined) {
      key = JSON.stringify({ ...spec, id: '' });
      likeness.set(spec.id, key);
    }
    return key;
  };
  /**
   * Book spec at one option: its own phase first when the option is its home (node and bucket), then the bucket's
   * phases. While an ant builds, bookings only come, so a spot refused to an alike instance is not asked again
   * (`refusedHere`); `tries` counts the engine's answers left for this instance.
   */
  const tryOption = (
    spec: InstanceSpec,
    o: Option,
    home: PlacedEntry | undefined,
    refusedHere: Set<string>,
    tries: { left: number },
  ): number | null => {
    const like = likeKey(spec);
    const attempt = (phase: number): boolean => {
      const key = `${like}\u0000${o.node}\u0000${phase}`;
      if (refusedHere.has(key) || tries.left <= 0) return false;
      tries.left--;
      if (engine.book(spec, { node: o.node, phase }).ok) return true;
      refusedHere.add(key);
      return false;
    };
    // The instance's own phase only in its own bucket: elsewhere on its node the ant means to shift it in time.
    if (home && home.node === o.node && bucketOfPhase(spec, home.phase) === o.bucket && attempt(home.phase))
      return home.phase;
    for (const phase of bucketsOf(spec)[o.bucket]!) if (attempt(phase)) return phase;
    return null;
  };

  /** One ant: free part of the region, rebuild it, measure the change, and put the region back as it was. */
  const runAnt = (region: string[], target: string | null, offerable: readonly string[]): Ant | 'lost' | null => {
    const inRegion = new Set(region);
    const ant: Ant = {
      before: new Map(),
      after: new Map(),
      placedDelta: 0,
      overlapDelta: 0,
      movesDelta: 0,
      overlapAfter: new Map(),
      commitLinks: () => {},
    };
    // Aim: the target's (node, bucket), by the transition rule; the ant frees what stands in its way there.
    const targetSpec = target === null ? null : specs.get(target)!;
    let aim: Option | null = null;
    let aimPhase = 0;
    if (targetSpec !== null) {
      const nb = bucketsOf(targetSpec).length;
      const options: Option[] = [];
      for (const node of eligible(targetSpec))
        if (inRegion.has(node)) for (let b = 0; b < nb; b++) options.push({ node, bucket: b });
      if (options.length > 0) {
        aim = options[choose(targetSpec, options, null, nb)]!;
        const sample = bucketsOf(targetSpec)[aim.bucket]!;
        aimPhase = sample[Math.floor(sample.length / 2)]!;
      }
    }
    // Free: moved instances always (they may go home), others within the budget, by pheromone × heuristic.
    const here = region.flatMap((n) => engine.bookings(n));
    // Instances relying on a partner first, so the partner may leave after them.
    here.sort((a, b) => b.instance.affinity.length - a.instance.affinity.length || cmp(a.id, b.id));
    // A whole small pool may be rebuilt; in a larger one an ant frees a few bookings, mostly those in the way.
    let budget = Math.min(K - moved.size, nodeNames.length <= WHOLE_POOL_NODES ? Infinity : FREE_PER_ANT);
    const others = here.filter((b) => !moved.has(b.id));
    const chosen = new Set<string>(here.filter((b) => moved.has(b.id)).map((b) => b.id));
    if (budget >= others.length) for (const b of others) chosen.add(b.id);
    else {
      // Heuristic: how much a booking stands in the way of the target at the target's chosen spot (as the LNS
      // ranks whom to lift), on a log scale so a rule clash outweighs overlap without drowning the pheromone.
      const way = (b: Booking): number =>
        aim === null || b.node !== aim.node
          ? 0
          : Math.log1p(inTheWay(targetSpec!, aimPhase, b.instance, b.phase, apps.horizon));
      const pool = others.map((b) => [b.id, (freeTau.get(b.id) ?? TAU0) * (1 + way(b))] as const);
      while (budget > 0 && pool.length > 0) {
        const id = rng.weighted(pool);
        pool.splice(
          pool.findIndex(([x]) => x === id),
          1,
        );
        chosen.add(id);
        budget--;
      }
    }
    for (const b of here) {
      if (!chosen.has(b.id) || !canLeave(b.id)) continue;
      ant.before.set(b.id, at(b.id));
      engine.remove(b.id);
    }
    // Offer refused instances that may go to the region: all in a small pool, else the target and a seeded few.
    const offered: string[] = [];
    if (target !== null) offered.push(target);
    const candidates = offerable.filter((id) => id !== target);
    if (nodeNames.length <= WHOLE_POOL_NODES) offered.push(...candidates);
    else
      for (let k = 0; k < REFUSED_PER_ANT - 1 && candidates.length > 0; k++)
        offered.push(candidates.splice(Math.floor(rng.next() * candidates.length), 1)[0]!);
    for (const id of offered) ant.before.set(id, null);
    // The target first, at its aim if it fits there; then freed instances (they must find a place again, or the ant
    // fails); then other refused ones; each group largest first with a
    // little noise so ants differ in order as well as in choices.
    const noisy = new Map(
      [...ant.before.keys()].map((id) => [
        id,
        (id === target ? 2e12 : ant.before.get(id) ? 1e12 : 0) + size(specs.get(id)!) * (1 + 0.3 * rng.next()),
      ]),
    );
    const sequence = [...ant.before.keys()].sort((a, b) => noisy.get(b)! - noisy.get(a)! || cmp(a, b));
    const refusedHere = new Set<string>();
    for (const id of sequence) {
      if (performance.now() > deadline) {
        restore(ant);
        return null;
      }
      const spec = specs.get(id)!;
      const home = original.get(id);
      const nb = bucketsOf(spec).length;
      const homeOption =
        home && inRegion.has(home.node) ? { node: home.node, bucket: bucketOfPhase(spec, home.phase) } : null;
      const options: Option[] = [];
      for (const node of eligible(spec))
        if (inRegion.has(node)) for (let b = 0; b < nb; b++) options.push({ node, bucket: b });
      let placedAt: PlacedEntry | null = null;
      const tries = { left: TRIES_PER_INSTANCE };
      if (id === target && aim !== null) {
        const phase = tryOption(spec, aim, home, refusedHere, tries);
        if (phase !== null) placedAt = { id, node: aim.node, phase };
      }
      while (options.length > 0 && placedAt === null && tries.left > 0) {
        const k = choose(spec, options, homeOption, nb);
        const o = options[k]!;
        const phase = tryOption(spec, o, home, refusedHere, tries);
        if (phase === null) {
          options[k] = options[options.length - 1]!;
          options.pop();
          continue;
        }
        placedAt = { id, node: o.node, phase };
        setTau(id, o, (1 - RHO) * tauOf(choiceKey(id, o)) + RHO * TAU0, nb);
      }
      ant.after.set(id, placedAt);
    }
    // A pod placed before the ant stays placed: back to its spot if the ant left it out, else the ant fails (a
    // re-plan evicts pods to move them, never to leave them pending).
    for (const [id, was] of ant.before) {
      if (!was || ant.after.get(id)) continue;
      if (engine.book(specs.get(id)!, was).ok) ant.after.set(id, was);
      else {
        restore(ant);
        return 'lost';
      }
    }
    // Measure against the plan before the ant.
    for (const [id, was] of ant.before) {
      const now = ant.after.get(id) ?? null;
      ant.placedDelta += (now ? 1 : 0) - (was ? 1 : 0);
      const home = original.get(id);
      if (home) ant.movesDelta += (samePlace(now, home) ? 0 : 1) - (moved.has(id) ? 1 : 0);
    }
    for (const n of region) {
      const o = nodeOverlap(n);
      ant.overlapAfter.set(n, o);
      ant.overlapDelta += o - overlapOf.get(n)!;
    }
    const linkChange = links.change(region);
    ant.overlapDelta += linkChange.delta;
    ant.commitLinks = linkChange.commit;
    restore(ant);
    return ant;
  };

  /** Take the ant's bookings out and book the region's plan from before the ant again. */
  function restore(ant: Ant): void {
    for (const id of ant.before.keys()) engine.remove(id);
    // Forced: this is exactly the valid plan before the ant, but an affinity booking would be refused while the
    // instance it relies on is not back yet.
    for (const [id, was] of ant.before) if (was) engine.book(specs.get(id)!, was, { force: true });
  }

  /** Apply a better ant: the same removals and bookings in the same order, then its measures. */
  const apply = (ant: Ant): void => {
    for (const [id, was] of ant.before) if (was) engine.remove(id);
    for (const [id, now] of ant.after) if (now) engine.book(specs.get(id)!, now, { force: true });
    accepted++;
    const gain = { placed: ant.placedDelta, overlapSeconds: ant.overlapDelta };
    for (const [id, was] of ant.before) {
      const now = ant.after.get(id) ?? null;
      if (!samePlace(was, now)) lastStep.set(id, { step: accepted, gain });
      const home = original.get(id);
      if (home) {
        if (samePlace(now, home)) moved.delete(id);
        else moved.add(id);
      }
      if (now) refused.delete(id);
      else refused.add(id);
    }
    for (const [n, o] of ant.overlapAfter) overlapOf.set(n, o);
    ant.commitLinks();
    overlap += ant.overlapDelta;
  };

  /** Global update: reinforce the plan's choices for the instances the colony worked on. */
  const reinforce = (ids: Iterable<string>, freed: Iterable<string>): void => {
    for (const id of ids) {
      const now = at(id);
      if (!now) continue;
      const spec = specs.get(id)!;
      const o = { node: now.node, bucket: bucketOfPhase(spec, now.phase) };
      setTau(id, o, (1 - ALPHA) * tauOf(choiceKey(id, o)) + ALPHA, bucketsOf(spec).length);
    }
    for (const id of freed) freeTau.set(id, (1 - ALPHA) * (freeTau.get(id) ?? TAU0) + ALPHA);
  };

  const better = (a: Ant, than: Ant | null): boolean =>
    than === null
      ? a.placedDelta > 0 || (a.placedDelta === 0 && (a.overlapDelta < 0 || (a.overlapDelta === 0 && a.movesDelta < 0)))
      : a.placedDelta > than.placedDelta ||
        (a.placedDelta === than.placedDelta &&
          (a.overlapDelta < than.overlapDelta ||
            (a.overlapDelta === than.overlapDelta && a.movesDelta < than.movesDelta)));

  // Free first, as the LNS does: refused instances that fit now (largest first) cost no migration.
  const freeUntil = t0 + options.timeLimitSeconds * 200;
  for (const id of [...refused].sort((a, b) => size(specs.get(b)!) - size(specs.get(a)!) || cmp(a, b))) {
    if (performance.now() > freeUntil) break;
    const spec = specs.get(id)!;
    const r = engine.place(spec);
    if (!r.ok) continue;
    refused.delete(id);
    accepted++;
    const o = nodeOverlap(r.node);
    const linkChange = links.change([r.node]);
    const delta = o - overlapOf.get(r.node)! + linkChange.delta;
    lastStep.set(id, { step: accepted, gain: { placed: 1, overlapSeconds: delta } });
    overlap += delta;
    overlapOf.set(r.node, o);
    linkChange.commit();
  }

  const patience = options.patience ?? Math.max(15, 3 * refused.size);
  let idle = 0;
  while (idle < patience) {
    if (performance.now() > deadline) {
      stoppedBy = 'time-limit';
      break;
    }
    const pending = [...refused].sort((a, b) => order.get(a)! - order.get(b)!);
    // Placing is the first objective; once nothing is refused, colonies only lower overlap and moves.
    if (pending.length === 0 && overlap === 0 && moved.size === 0) break;
    const target =
      pending.length > 0 && (rng.next() < 0.9 || (overlap === 0 && moved.size === 0)) ? rng.pick(pending) : null;
    const region = regionFor(target);
    if (region.length === 0) {
      idle++;
      continue;
    }
    iterations++;
    const offerable = mayGoTo(region, pending);
    let best: Ant | null = null;
    for (let a = 0; a < ANTS; a++) {
      const ant = runAnt(region, target, offerable);
      if (ant === null) break;
      if (ant !== 'lost' && better(ant, best)) best = ant;
    }
    const kept = best !== null && better(best, null) && moved.size + best.movesDelta <= K;
    if (kept) apply(best!);
    if (best !== null)
      reinforce(best.before.keys(), kept ? [...best.before.keys()].filter((id) => best!.before.get(id)) : []);
    idle = kept ? 0 : idle + 1;
  }

  return summarize(engine, apps, original, order, lastStep, {
    t0,
    deadline,
    before,
    overlap,
    migrations: moved.size,
    budget: K,
    search: { iterations, accepted, stoppedBy },
  });
}
