/**
 * What a cluster's controllers make of the pods refused at admission, on the clock. A ReplicaSet, Job or
 * StatefulSet whose pod creation is refused creates the pod again after client-go's default per-item
 * back-off (5 ms, doubling, at most 1,000 s between tries) and keeps trying. Each new pod is a new arrival
 * for the webhook: its start window opens at its own creation second (`arrivalPhase`). So a pod whose
 * window had no room may find room seconds or minutes later, in a window the first pod did not have; its
 * first run then starts within `startWithin` of its own creation, later than that of the first pod.
 *
 * The retry model (retry.ts) counts arrival steps and keeps every pod's window, so its plans are judged
 * against an exact model that has the same windows; this model says how many of its refusals a cluster
 * would still place, and how late. All pods arrive at second 0 in order (a chart's or a rollout's burst);
 * the refused ones are offered again at the whole seconds at which client-go's back-off has moved their
 * creation to a later second, all of them in arrival order at each such second, until `untilSeconds`.
 * A re-creation within the same second asks the same question on an unchanged cluster, so it is left out;
 * so is one whose window would be the first one again (a shift by a whole period), and a pod whose window
 * spans its whole period is offered once (a later second changes none of its phases). The controller's
 * overall rate limit (10 per second, bursts of 100, per controller) is left out: it delays a retry only
 * when a controller has many refused pods at once.
 */
import type { InstanceSpec } from '../engine/index.js';

/** client-go's `DefaultControllerRateLimiter`: per-item exponential back-off, 5 ms doubling to 1,000 s. */
export const CLIENT_GO_BACKOFF = { baseMs: 5, maxMs: 1_000_000 } as const;

/**
 * The whole seconds after a refusal at second 0 at which the pod is created again in a later second than
 * its previous creation, up to and including `untilSeconds`.
 */
export function recreationSeconds(untilSeconds: number): number[] {
  if (!(Number.isInteger(untilSeconds) && untilSeconds >= 0))
    throw new RangeError(`untilSeconds must be a whole number of seconds ≥ 0, got ${untilSeconds}`);
  const out: number[] = [];
  let atMs = 0;
  for (let delay: number = CLIENT_GO_BACKOFF.baseMs; ; delay = Math.min(2 * delay, CLIENT_GO_BACKOFF.maxMs)) {
    atMs += delay;
    const second = Math.floor(atMs / 1000);
    if (second > untilSeconds) return out;
    if (second > (out.at(-1) ?? 0)) out.push(second);
  }
}

export interface LatePlacement {
  id: string;
  /** Seconds after the first refusal at which the pod that was placed was created. */
  delaySeconds: number;
  /** That pod's arrival phase: its start window opens there (the first pod's `release` moved on). */
  release: number;
}

export interface ControllerRetryOutcome {
  /** The instances placed by a re-created pod, in the order they were placed. */
  late: LatePlacement[];
  /** Still refused at `untilSeconds`, with the reason of the last offer, in arrival order. */
  refused: { id: string; reason: string }[];
  offers: number;
}

/**
 * Offers every instance in arrival order at second 0, then the refused ones again at each re-creation
 * second up to `untilSeconds`; `offer` places one (true) or says why not.
 */
export function runWithControllerRetries(
  instances: InstanceSpec[],
  offer: (spec: InstanceSpec) => true | string,
  untilSeconds = 3600,
): ControllerRetryOutcome {
  const outcome: ControllerRetryOutcome = { late: [], refused: [], offers: 0 };
  const refused = new Map<string, { spec: InstanceSpec; reason: string }>();
  const tryOffer = (spec: InstanceSpec, first: InstanceSpec): boolean => {
    outcome.offers++;
    const r = offer(spec);
    if (r === true) return true;
    refused.set(spec.id, { spec: first, reason: r });
    return false;
  };
  for (const spec of instances) tryOffer(spec, spec);
  for (const second of recreationSeconds(untilSeconds)) {
    // Map order is insertion order: the refused are offered in their arrival order.
    for (const [id, { spec }] of [...refused]) {
      if (spec.startWithin >= spec.every - 1 || second % spec.every === 0) continue;
      const release = (spec.release + second) % spec.every;
      if (!tryOffer({ ...spec, release }, spec)) continue;
      refused.delete(id);
      outcome.late.push({ id, delaySeconds: second, release });
    }
  }
  outcome.refused = [...refused].map(([id, { reason }]) => ({ id, reason }));
  return outcome;
}

/** The instances as last created: a late one with the arrival phase of the pod that was placed. */
export function asLastCreated(instances: InstanceSpec[], late: readonly LatePlacement[]): InstanceSpec[] {
  const moved = new Map(late.map((l) => [l.id, l.release]));
  return instances.map((s) => (moved.has(s.id) ? { ...s, release: moved.get(s.id)! } : s));
}
