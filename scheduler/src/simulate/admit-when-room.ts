/**
 * What a webhook admits when it never refuses a pod that some plan has room for, however much it moves:
 * pods are offered in arrival order, and each is admitted when the exact model (exact.ts, with every pod
 * admitted before it kept) finds a plan holding it beside all of them. Every such webhook admits the same
 * pods, whatever plan it keeps, so this is the outcome of a perfect repair with unlimited moves. Where it
 * stays below the optimum, the pods lost were lost by admitting earlier ones that fit, not by a repair
 * that fell short: placing more would take refusing a pod while there is room for it.
 *
 * Admitting more pods only ever removes plans (capacity, links, exclusivity, anti-affinity and spread
 * groups bind harder with every pod), so a pod refused here never fits later: retries change nothing,
 * except for a pod whose affinity partner was not admitted yet. Those are offered again after every
 * admission, as a controller's retries would, until one fits or nothing more is admitted.
 */
import type { InstanceSpec, NodeSpec } from '../engine/index.js';
import { solveExact } from './exact.js';
import type { Plan } from './exact-start.js';

export interface AdmitWhenRoomResult {
  /** The admitted pods, in the plan found with the last admission. */
  plan: Plan;
  /** Offers whose exact solve hit the time limit without a plan or a proof: counted as refusals. */
  undecided: number;
  /** Exact solves made (one per offer). */
  solves: number;
}

export async function admitWhenRoom(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
  options: { timeLimitSeconds: number },
): Promise<AdmitWhenRoomResult> {
  let admitted: InstanceSpec[] = [];
  let plan: Plan = [];
  const result: AdmitWhenRoomResult = { plan, undecided: 0, solves: 0 };
  const offer = async (spec: InstanceSpec): Promise<boolean> => {
    const set = [...admitted, spec];
    result.solves++;
    const solved = await solveExact(
      nodes,
      { horizon: apps.horizon, instances: set },
      { timeLimitSeconds: options.timeLimitSeconds, keep: set.map((s) => s.id), starts: [plan] },
    );
    if (solved.placed.length === set.length) {
      admitted = set;
      plan = solved.placed;
      return true;
    }
    if (!solved.infeasible) result.undecided++;
    return false;
  };
  let waiting: InstanceSpec[] = [];
  for (const spec of apps.instances) {
    if (!(await offer(spec))) {
      if (spec.affinity.length > 0) waiting.push(spec);
      continue;
    }
    // An admission may have brought a waiting pod's partner: offer those again until none more fits.
    for (let progress = true; progress && waiting.length > 0;) {
      progress = false;
      const still: InstanceSpec[] = [];
      for (const w of waiting) {
        if (await offer(w)) progress = true;
        else still.push(w);
      }
      waiting = still;
    }
  }
  result.plan = plan;
  return result;
}
