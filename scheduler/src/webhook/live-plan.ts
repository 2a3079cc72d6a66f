/**
 * The live plan as data (GET /plan): which measurement runs when on which node, as the engine of
 * this replica holds it. One document is the checker's three inputs at once (`nodes`, `horizon` +
 * `instances`, `placed`): `nmaas scheduler check --nodes plan.json --apps plan.json --placement
 * plan.json` judges it as it comes. Bounded: a cluster of
 * thousands of nodes answers with the first `limit` nodes (those hosting runs first, then by name)
 * and a note saying how to ask for the others.
 */
import { nodeSpecFromOffer, type InstanceSpec, type NodeSpec } from '../engine/index.js';
import type { SchedulerState } from './state.js';

/** Nodes in one answer when the client names none. */
export const DEFAULT_PLAN_NODES = 200;
/** Nodes in one answer at most, whatever the client asks. */
export const MAX_PLAN_NODES = 1000;

export interface PlanQuery {
  /** Only these nodes (an unknown name is an error, not an empty answer). */
  nodes?: string[];
  /** At most this many nodes (1..MAX_PLAN_NODES). */
  limit?: number;
}

export interface LivePlan {
  horizon: number;
  /** True when this replica decides; a follower answers from the state it rebuilt from the API server. */
  leader: boolean;
  nodes: (NodeSpec & { pool: string })[];
  instances: InstanceSpec[];
  placed: { id: string; app: string; node: string; phase: number; pod: string | null }[];
  /** Nodes in this answer, of how many the replica knows. */
  shown: number;
  of: number;
  /** Present when nodes were left out: what was cut and how to see the rest. */
  note?: string;
}

export class UnknownPlanNode extends Error {}

export function livePlan(state: SchedulerState, query: PlanQuery, leader: boolean): LivePlan {
  const engine = state.engine;
  const known = [...state.nodes.keys()];
  for (const name of query.nodes ?? [])
    if (!state.nodes.has(name))
      throw new UnknownPlanNode(`no measurement node named ${name} (the scheduler knows ${known.length} nodes)`);
  const hosting = new Map<string, number>();
  for (const b of engine.bookings()) hosting.set(b.node, (hosting.get(b.node) ?? 0) + 1);
  const wanted = query.nodes !== undefined ? [...new Set(query.nodes)] : known;
  const ranked = wanted.sort((a, b) => Number(hosting.has(b)) - Number(hosting.has(a)) || (a < b ? -1 : a > b ? 1 : 0));
  const limit = Math.min(MAX_PLAN_NODES, query.limit ?? DEFAULT_PLAN_NODES);
  const chosen = ranked.slice(0, limit).sort();
  const nodes: LivePlan['nodes'] = [];
  const instances: InstanceSpec[] = [];
  const placed: LivePlan['placed'] = [];
  for (const name of chosen) {
    const offer = state.nodes.get(name)!.offer;
    nodes.push({ ...nodeSpecFromOffer(offer), pool: offer.pool });
    for (const b of engine.bookings(name)) {
      instances.push(b.instance);
      const pod = state.podOf(b.id);
      placed.push({
        id: b.id,
        app: b.app,
        node: b.node,
        phase: b.phase,
        pod: pod === null ? null : `${pod.namespace}/${pod.name}`,
      });
    }
  }
  const plan: LivePlan = {
    horizon: engine.horizon,
    leader,
    nodes,
    instances,
    placed,
    shown: chosen.length,
    of: known.length,
  };
  if (ranked.length > chosen.length)
    plan.note =
      `showing ${chosen.length} of ${ranked.length} nodes (those hosting runs first, then by name); ` +
      `ask for others with ?node=NAME (repeatable) or ?limit=N (at most ${MAX_PLAN_NODES})`;
  return plan;
}
