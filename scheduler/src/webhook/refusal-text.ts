/**
 * Refusals in words a person acts on, rendered at the edge: the service hands over structured
 * refusals whose culprits are booking ids, and here they become pod names (or "a pending <app>
 * pod" while the pod is not created yet; the pod being decided is "this pod").
 */
import { describeRefusal } from '../engine/index.js';
import type { BookingName, Refused } from './admission-service.js';

export type BookingNameOf = (bookingId: string) => BookingName;

/** How a booking is called in a sentence. */
export function bookingLabel(id: string, self: string | null, nameOf: BookingNameOf): string {
  if (id === self) return 'this pod';
  const name = nameOf(id);
  if (name === null) return 'another pod';
  return 'pod' in name ? `${name.pod.namespace}/${name.pod.name}` : `a pending ${name.pendingApp} pod`;
}

/** Said after a refusal whose search for moves the replica's time limit ended (time-limits.ts). */
const REPAIR_CUT =
  "; moving other measurements to make room was tried and stopped at the scheduler's time limit (a share of the webhook's timeoutSeconds): a retry may place it, and a longer timeoutSeconds gives that search more time";

/**
 * Sentences already written for a refusal, with the label each booking had then. The admission
 * service hands out the same refusal object while it remembers it (a controller retrying, a flood
 * of identical pods); its sentence is reused as long as every booking it names is still called the
 * same (a pending pod gets its name once created), so a remembered refusal is not worded again.
 */
const worded = new WeakMap<Refused, { why: string; labels: string[] }>();

/** Why the pod cannot be placed (one sentence, without the subject). */
export function describeRefused(refused: Refused, nameOf: BookingNameOf): string {
  const before = worded.get(refused);
  if (before !== undefined && sameLabels(refused, before.labels, nameOf)) return before.why;
  const labels: string[] = [];
  const label = (id: string, self: string | null) => {
    const text = bookingLabel(id, self, nameOf);
    labels.push(id, text);
    return text;
  };
  const why = word(refused, label);
  worded.set(refused, { why, labels });
  return why;
}

/** Whether each booking named in a sentence (id, label, id, label…) is still called the same. */
function sameLabels(refused: Refused, labels: string[], nameOf: BookingNameOf): boolean {
  const self = refused.code === 'migration-blocked' ? null : 'refusal' in refused ? refused.refusal.id : null;
  for (let i = 0; i < labels.length; i += 2) if (bookingLabel(labels[i]!, self, nameOf) !== labels[i + 1]) return false;
  return true;
}

function word(refused: Refused, label: (id: string, self: string | null) => string): string {
  switch (refused.code) {
    case 'unknown-node':
      return `the pod carries an NMaaS decision for node ${refused.node}, which is not a measurement node`;
    case 'stale-decision':
      return `the pod carries an NMaaS decision (${refused.node} at +${refused.phase} s) that now competes with other measurements: ${refused.problems.join('; ')}`;
    case 'migration-blocked': {
      const who = label(refused.culprit, null);
      if (refused.cause === 'not-created') return `measurement ${who} that would move is not created yet`;
      const why =
        refused.cause === 'disruption-budget'
          ? 'its PodDisruptionBudget allows no disruption now'
          : (refused.detail ?? 'the eviction failed');
      return `evicting ${who} was refused (${why})`;
    }
    default: {
      const why = describeRefusal(refused.refusal, (id) => label(id, refused.refusal.id));
      return refused.repairCut ? `${why}${REPAIR_CUT}` : why;
    }
  }
}
