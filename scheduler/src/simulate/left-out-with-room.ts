/**
 * Could an admission webhook have made this plan without ever refusing a pod it had room for, and without
 * moving one? Offer the pods in arrival order: a pod the plan places is booked where the plan puts it; a
 * pod the plan leaves out must find no room at that moment, beside the pods booked so far. The pods that
 * did find room are returned. Where none did, the plan is one a webhook that never refuses a pod it has
 * room for could have reached by placing each pod where the plan does: what it lacked was knowing where,
 * that is, knowing the pods still to come.
 *
 * The retry model's exceptions hold here too: a pod whose affinity partner has not arrived yet has no room
 * until it has, so pods waiting for a partner (placed by the plan or not) are offered again after every
 * booking, as a controller's retries would be. With no departures, room only shrinks otherwise.
 */
import { Engine, type InstanceSpec, type NodeSpec } from '../engine/index.js';
import type { Plan } from './exact-start.js';

export function leftOutWithRoom(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
  plan: Plan,
): string[] {
  const engine = new Engine(nodes, { horizon: apps.horizon });
  const at = new Map(plan.map((p) => [p.id, p]));
  const withRoom: string[] = [];
  /** Pods the plan places that could not be booked yet (their affinity partner is still to come). */
  let placedWaiting: InstanceSpec[] = [];
  /** Pods the plan leaves out that had no room so far, but might once a partner arrives. */
  let leftOutWaiting: InstanceSpec[] = [];
  /** Why each pod the plan places could not be booked at its last try. */
  const problems = new Map<string, string[]>();
  const hasRoom = (spec: InstanceSpec): boolean => engine.place(spec, { dryRun: true }).ok;
  const book = (spec: InstanceSpec): boolean => {
    const r = engine.book(spec, at.get(spec.id)!);
    if (!r.ok) problems.set(spec.id, r.problems);
    return r.ok;
  };
  const doesNotHold = (specs: InstanceSpec[]): RangeError => {
    const why = specs.map((s) => {
      const p = at.get(s.id)!;
      return `${s.id} at ${p.node}, phase ${p.phase}: ${problems.get(s.id)!.join('; ')}`;
    });
    return new RangeError(`the plan does not hold in arrival order: ${why.join(' | ')}`);
  };
  const settle = (): void => {
    for (let progress = true; progress;) {
      const before = placedWaiting.length;
      placedWaiting = placedWaiting.filter((s) => !book(s));
      progress = placedWaiting.length < before;
    }
    leftOutWaiting = leftOutWaiting.filter((s) => {
      if (!hasRoom(s)) return true;
      withRoom.push(s.id);
      return false;
    });
  };
  for (const spec of apps.instances) {
    if (at.has(spec.id)) {
      // Only a missing affinity partner can make a pod of a plan that holds wait.
      if (!book(spec)) {
        if (spec.affinity.length === 0) throw doesNotHold([spec]);
        placedWaiting.push(spec);
      }
    } else if (hasRoom(spec)) withRoom.push(spec.id);
    else if (spec.affinity.length > 0) leftOutWaiting.push(spec);
    settle();
  }
  if (placedWaiting.length > 0) throw doesNotHold(placedWaiting);
  return withRoom;
}
