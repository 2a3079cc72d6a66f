/**
 * The retry model: what a cluster does with a refusal. A refused pod is created again by its
 * controller with exponential back-off; here time is counted in arrival steps (one step per arrival or
 * removal), so a refused instance is re-offered after later arrivals and removals have changed the
 * cluster, as a controller's back-off would let it:
 *   attempt 1 at its arrival; attempt a + 1 at (step of attempt a) + min(maxBackoff, firstBackoff · 2^(a−1));
 *   at most `attempts` offers, then it stays refused (the last refusal reason is kept).
 * After the last event, steps keep counting (the controller keeps retrying on a quiet cluster) until
 * every pending retry has been offered or given up. A removal of a still-pending instance cancels it
 * (its pod was deleted; `remove` is called for it too, so a slot held for it is freed). Opt-in: without
 * it, `simulate` offers each instance once, in order.
 *
 * The in-cluster re-plan loop (replan-loop.ts) runs in the same steps: `afterStep` is called after each
 * step's event and due retries, with the instances still pending, and on the quiet steps after the last
 * event while some are pending.
 */
import type { InstanceSpec } from '../engine/index.js';

export interface RetryPolicy {
  /** Offers per instance, the first included (default 6). */
  attempts: number;
  /** Back-off before the first retry, in arrival steps (default 1); doubles per retry. */
  firstBackoff: number;
  /** Cap on the back-off, in arrival steps (default 32), as a controller caps its back-off. */
  maxBackoff: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 6, firstBackoff: 1, maxBackoff: 32 };

/** What runs beside the retries, step by step (the re-plan loop). */
export interface RetryHooks {
  afterStep?(step: number, pending: readonly InstanceSpec[]): void;
}

export type WorkloadEvent = { kind: 'arrive'; spec: InstanceSpec } | { kind: 'remove'; id: string };

export interface RetryOutcome {
  /** Final refusals, with the reason of the last attempt and how many offers were made. */
  refused: { id: string; reason: string; attempts: number }[];
  /** Instances placed on a retry (not on their first offer). */
  placedOnRetry: number;
  offers: number;
}

interface Pending {
  spec: InstanceSpec;
  attempt: number;
  due: number;
  order: number;
  reason: string;
}

/**
 * Runs the events; `offer` tries to place one instance (true when placed, or the refusal reason) and
 * `remove` takes one out of the plan.
 */
export function runWithRetry(
  events: WorkloadEvent[],
  offer: (spec: InstanceSpec) => true | string,
  remove: (id: string) => void,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  hooks: RetryHooks = {},
): RetryOutcome {
  if (!(Number.isInteger(policy.attempts) && policy.attempts >= 1))
    throw new RangeError(`retry attempts must be a whole number ≥ 1, got ${policy.attempts}`);
  if (!(policy.firstBackoff >= 1 && policy.maxBackoff >= policy.firstBackoff))
    throw new RangeError('retry back-off must be ≥ 1 step and its cap at least the first back-off');
  const pending = new Map<string, Pending>();
  const outcome: RetryOutcome = { refused: [], placedOnRetry: 0, offers: 0 };
  let order = 0;
  const attempt = (p: Pending, step: number): void => {
    outcome.offers++;
    const r = offer(p.spec);
    if (r === true) {
      pending.delete(p.spec.id);
      if (p.attempt > 1) outcome.placedOnRetry++;
      return;
    }
    p.reason = r;
    if (p.attempt >= policy.attempts) {
      pending.delete(p.spec.id);
      outcome.refused.push({ id: p.spec.id, reason: r, attempts: p.attempt });
      return;
    }
    p.due = step + Math.min(policy.maxBackoff, policy.firstBackoff * 2 ** (p.attempt - 1));
    p.attempt++;
    pending.set(p.spec.id, p);
  };
  const retryDue = (step: number): void => {
    const due = [...pending.values()].filter((p) => p.due <= step).sort((a, b) => a.due - b.due || a.order - b.order);
    for (const p of due) attempt(p, step);
  };
  const afterStep = (step: number): void => {
    if (!hooks.afterStep) return;
    const waiting = [...pending.values()].sort((a, b) => a.order - b.order).map((p) => p.spec);
    hooks.afterStep(step, waiting);
  };
  let step = 0;
  for (const e of events) {
    step++;
    if (e.kind === 'remove') {
      pending.delete(e.id);
      remove(e.id);
    } else {
      attempt({ spec: e.spec, attempt: 1, due: step, order: order++, reason: '' }, step);
    }
    retryDue(step);
    afterStep(step);
  }
  while (pending.size > 0) {
    retryDue(++step);
    if (pending.size > 0) afterStep(step);
  }
  return outcome;
}
