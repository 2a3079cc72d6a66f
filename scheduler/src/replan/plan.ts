/**
 * What both re-plan searches share: the plan's types, loading the current placement into an engine, the result
 * with its moves, and the small measures (size of an instance, how much a booking stands in the way of another).
 */
import { Engine, isActive, type InstanceSpec, type NodeSpec, UsageError } from '../engine/index.js';
import { LinkOverlap, overlapSeconds } from './overlap.js';

export interface PlacedEntry {
  id: string;
  node: string;
  phase: number;
}

export interface ReplanOptions {
  /** Most already-placed instances whose node or phase may change. */
  migrations: number;
  timeLimitSeconds: number;
  seed: number;
  /** Stop after this many steps in a row that kept nothing (the search has converged); default scales with size. */
  patience?: number;
  /** Only the engine's own readapt as the repair (the baseline LNS is measured against). */
  readaptOnly?: boolean;
  /** The search: large-neighbourhood search, the ant colony system, or auto (default: by pool size). */
  method?: ReplanMethod;
}

export type ReplanMethod = 'lns' | 'acs' | 'auto';

export interface Gain {
  /** Instances placed more (+1 for a refused instance now placed). */
  placed: number;
  /** Change of overlapping run-seconds (negative is better). */
  overlapSeconds: number;
}

export interface ReplanMove {
  id: string;
  /** place: a refused instance now placed (no migration); move: a placed instance changes node or phase. */
  kind: 'place' | 'move';
  from: { node: string; phase: number } | null;
  to: { node: string; phase: number };
  /** The step that last changed this instance, and what that step gained (a step places or moves a few together). */
  step: number;
  gain: Gain;
}

export interface PlanQuality {
  placed: number;
  rejected: number;
  overlapSeconds: number;
}

export interface ReplanResult {
  before: PlanQuality;
  after: PlanQuality;
  migrations: number;
  budget: number;
  moves: ReplanMove[];
  placed: PlacedEntry[];
  rejected: { id: string; reason: string }[];
  search: { iterations: number; accepted: number; millis: number; stoppedBy: 'converged' | 'time-limit' };
}

/** Rebuild the current placement in an engine; a placement that does not fit these nodes and apps is bad input. */
export function loadPlacement(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
  placed: PlacedEntry[],
  where: string,
): Engine {
  const engine = new Engine(nodes, { horizon: apps.horizon });
  const specs = new Map(apps.instances.map((s) => [s.id, s]));
  const entries = placed.map((p, k) => {
    const spec = specs.get(p.id);
    if (!spec)
      throw new UsageError(
        `${where}: placed[${k}]: ${p.id} is not an instance of the apps file; the placement must come from the same apps file`,
      );
    return { p, k, spec };
  });
  const { left } = bookUntilSettled(entries, ({ p, spec }) => engine.book(spec, { node: p.node, phase: p.phase }).ok);
  const first = left[0];
  if (first) {
    const r = engine.book(first.spec, { node: first.p.node, phase: first.p.phase });
    const problems = r.ok ? '' : r.problems.join('; ');
    throw new UsageError(
      `${where}: placed[${first.k}]: ${first.p.id} on ${first.p.node} at phase ${first.p.phase} does not fit: ${problems}` +
        ' (the placement must come from the same nodes and apps files; "nmaas scheduler check" lists what is wrong)',
    );
  }
  return engine;
}

/** An instance held where it is booked (pinned to its node, one allowed phase): what a plan may not move. */
export function fixedWhereItIs(instance: InstanceSpec, node: string, phase: number): InstanceSpec {
  return { ...instance, node, release: phase, startWithin: 0 };
}

/**
 * Books a placement whatever order it is listed in: a dependant listed before the partner its affinity needs
 * (a partner replaced or moved after it was booked comes later in the engine's booking order) is booked on a
 * later pass, once its partner is. Passes stop when one books nothing more. `left`: what never booked, in the
 * order given.
 */
export function bookUntilSettled<T>(items: readonly T[], tryBook: (item: T) => boolean): { booked: T[]; left: T[] } {
  const booked: T[] = [];
  let left = [...items];
  for (;;) {
    const next = left.filter((item) => {
      if (!tryBook(item)) return true;
      booked.push(item);
      return false;
    });
    if (next.length === left.length) return { booked, left };
    left = next;
  }
}

/** What the search ended with, as the result: the plan, the moves with the step that made each, the refusals. */
export function summarize(
  engine: Engine,
  apps: { horizon: number; instances: InstanceSpec[] },
  original: Map<string, PlacedEntry>,
  order: Map<string, number>,
  lastStep: Map<string, { step: number; gain: Gain }>,
  end: {
    t0: number;
    deadline: number;
    before: PlanQuality;
    overlap: number;
    migrations: number;
    budget: number;
    search: { iterations: number; accepted: number; stoppedBy: 'converged' | 'time-limit' };
  },
): ReplanResult {
  const placed = engine
    .bookings()
    .map((b) => ({ id: b.id, node: b.node, phase: b.phase }))
    .sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  // The engine's reason for each still refused instance, while a second of grace lasts: explaining scans every
  // candidate node, which thousands of refusals on thousands of nodes would turn into minutes.
  const explainUntil = Math.max(performance.now(), end.deadline) + 1000;
  const rejected = apps.instances
    .filter((s) => !engine.has(s.id))
    .map((s) => {
      if (performance.now() > explainUntil)
        return { id: s.id, reason: 'no node and phase fits it (reason not computed within the time limit)' };
      const r = engine.place(s, { dryRun: true });
      return { id: s.id, reason: r.ok ? 'not placed by the re-plan' : r.reason };
    });
  const moves: ReplanMove[] = [];
  for (const p of placed) {
    const home = original.get(p.id) ?? null;
    if (samePlace(home, p)) continue;
    const s = lastStep.get(p.id) ?? { step: 0, gain: { placed: 0, overlapSeconds: 0 } };
    moves.push({
      id: p.id,
      kind: home ? 'move' : 'place',
      from: home ? { node: home.node, phase: home.phase } : null,
      to: { node: p.node, phase: p.phase },
      step: s.step,
      gain: s.gain,
    });
  }
  moves.sort((a, b) => a.step - b.step || order.get(a.id)! - order.get(b.id)!);
  return {
    before: end.before,
    after: { placed: placed.length, rejected: rejected.length, overlapSeconds: end.overlap },
    migrations: end.migrations,
    budget: end.budget,
    moves,
    placed,
    rejected,
    search: { ...end.search, millis: Math.round(performance.now() - end.t0) },
  };
}

export function samePlace(a: PlacedEntry | null, b: PlacedEntry | null): boolean {
  return a === b || (a !== null && b !== null && a.node === b.node && a.phase === b.phase);
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Run demand weighted by duty cycle: the order repairs re-insert in (large first, like FFD). */
export function size(s: InstanceSpec): number {
  return ((s.run.cpu + s.run.memory + s.run.bandwidth) * s.duration) / s.every;
}

/**
 * How much booking b (at phase bPhase) stands in the way of spec at phase: a rule between them, or an exclusive
 * run that meets the other, counts above any overlap; else the seconds both run, times b's size.
 */
export function inTheWay(spec: InstanceSpec, phase: number, b: InstanceSpec, bPhase: number, horizon: number): number {
  if (
    spec.antiAffinity.includes(b.app) ||
    b.antiAffinity.includes(spec.app) ||
    (spec.spreadGroup !== null && spec.spreadGroup === b.spreadGroup)
  )
    return horizon * 1e6;
  let both = 0;
  for (let t = 0; t < horizon; t++)
    if (isActive(t, spec.every, spec.duration, phase) && isActive(t, b.every, b.duration, bPhase)) both++;
  if (both === 0) return 0;
  return (spec.exclusive || b.exclusive ? horizon * 1e3 : 0) + both * (1 + size(b));
}

/** Whether a pod's pin and node selector let it go to this node (time and rules are the engine's job). */
export function pinAndSelectorAllow(spec: InstanceSpec, node: NodeSpec): boolean {
  return (
    (spec.node === null || spec.node === node.name) &&
    Object.entries(spec.nodeSelector).every(([k, v]) => node.labels[k] === v)
  );
}

/** An instance may leave its node unless another one there relies on its app (affinity) and it is the last. */
export function mayLeave(engine: Engine, id: string): boolean {
  const b = engine.get(id);
  if (!b) return false;
  const here = engine.bookings(b.node);
  if (here.filter((o) => o.app === b.app).length > 1) return true;
  return !here.some((o) => o.id !== id && o.instance.affinity.includes(b.app));
}

/** Nodes with overlapping runs (their own, plus their share of a crowded link's), most crowded first. */
export function crowdedNodes(overlapOf: Map<string, number>, linkOverlapAround: (node: string) => number): string[] {
  return [...overlapOf]
    .map(([n, o]): [string, number] => [n, o + linkOverlapAround(n)])
    .filter(([, o]) => o > 0)
    .sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]))
    .map(([n]) => n);
}

/** What every search starts from: the current placement loaded into an engine, and its quality. */
export interface SearchStart {
  engine: Engine;
  specs: Map<string, InstanceSpec>;
  /** Each instance's position in the apps file (the order repairs fall back on). */
  order: Map<string, number>;
  /** Where each placed instance is now: a plan's migrations are the instances no longer there. */
  original: Map<string, PlacedEntry>;
  /** Overlapping run-seconds per node, kept up to date by the search. */
  overlapOf: Map<string, number>;
  nodeOverlap: (name: string) => number;
  /** Runs sending at once behind a shared link, which count as overlap too. */
  links: LinkOverlap;
  /** Σ overlapOf plus the links' overlap. */
  overlap: number;
  before: PlanQuality;
}

export function startSearch(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
  current: PlacedEntry[],
  where: string,
): SearchStart {
  const engine = loadPlacement(nodes, apps, current, where);
  const specs = new Map(apps.instances.map((s) => [s.id, s]));
  const order = new Map(apps.instances.map((s, k) => [s.id, k]));
  const original = new Map(current.map((p) => [p.id, { id: p.id, node: p.node, phase: p.phase }]));
  const overlapOf = new Map<string, number>();
  const nodeOverlap = (name: string): number => overlapSeconds(engine.loadProfile(name)!.active);
  let overlap = 0;
  for (const n of nodes) {
    const o = nodeOverlap(n.name);
    overlapOf.set(n.name, o);
    overlap += o;
  }
  const links = new LinkOverlap(nodes, (name) => engine.loadProfile(name)!.bandwidth);
  overlap += links.total();
  const before: PlanQuality = {
    placed: current.length,
    rejected: apps.instances.length - current.length,
    overlapSeconds: overlap,
  };
  return { engine, specs, order, original, overlapOf, nodeOverlap, links, overlap, before };
}
