/**
 * Starting plans for the exact ILP. HiGHS proves optimality by closing the gap between its best plan and its
 * bound; on pools where its own heuristics find a poor plan late (long periods: 9 placed after 5 s where the
 * engine places 12 in milliseconds), a good plan handed over at the start closes the gap at the root or prunes
 * most of the tree. A start never changes the optimum: HiGHS checks it against every row and only uses it as
 * an incumbent to beat.
 *
 * The candidates are the engine's online plan (kept instances offered first) and time-aware first-fit, plus
 * any plans the caller already has; each is judged by the independent checker, and a plan that leaves out an
 * instance that must be kept is no start at all. The best is then handed to the re-planner's search for a short
 * while (it never un-places a pod, so kept instances stay): on the small pools the ILP's bound is right at the
 * root and what it lacked was a plan that reaches it.
 */
import { checkPlacement, Engine, type InstanceSpec, type NodeSpec } from '../engine/index.js';
import { replan } from '../replan/replan.js';
import { firstFit } from './first-fit.js';

export type Plan = { id: string; node: string; phase: number }[];

/** The engine keeps one hour of slots and folds longer periods onto it (engine/period.ts). */
const ENGINE_HOURS = 3600;

function enginePlan(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
  first: ReadonlySet<string>,
): Plan {
  const engine = new Engine(nodes, { horizon: Math.min(apps.horizon, ENGINE_HOURS) });
  const order = [...apps.instances.filter((s) => first.has(s.id)), ...apps.instances.filter((s) => !first.has(s.id))];
  for (const spec of order) engine.place(spec);
  return engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
}

/** The plan that places the most among the candidates that are legal and keep every kept instance. */
export function bestStart(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
  keep: ReadonlySet<string>,
  given: readonly Plan[] = [],
  searchSeconds = 0,
): Plan | null {
  const candidates: Plan[] = [...given];
  try {
    candidates.push(enginePlan(nodes, apps, keep));
  } catch {
    // An input the engine refuses as a whole (e.g. a horizon it cannot hold) leaves first-fit and the given plans.
  }
  candidates.push(firstFit(nodes, apps).placed);
  let best: Plan | null = null;
  for (const plan of candidates) if ((best === null || plan.length > best.length) && legal(plan)) best = plan;
  if (best === null || best.length === apps.instances.length || searchSeconds <= 0) return best;
  try {
    const engineApps = { horizon: Math.min(apps.horizon, ENGINE_HOURS), instances: apps.instances };
    const searched = replan(nodes, engineApps, best, {
      migrations: apps.instances.length,
      timeLimitSeconds: searchSeconds,
      seed: 1,
    }).placed;
    if (searched.length > best.length && legal(searched)) best = searched;
  } catch {
    // The search refuses what the engine cannot hold: the plan found so far stands.
  }
  return best;

  function legal(plan: Plan): boolean {
    const ids = new Set(plan.map((p) => p.id));
    if ([...keep].some((id) => !ids.has(id))) return false;
    try {
      const report = checkPlacement(nodes, apps, plan);
      return report.competingSlotSeconds === 0 && report.violations === 0;
    } catch {
      return false;
    }
  }
}
