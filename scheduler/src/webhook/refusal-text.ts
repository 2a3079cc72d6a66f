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

/** Why the pod cannot be placed (one sentence, without the subject). */
export function describeRefused(refused: Refused, nameOf: BookingNameOf): string {
  switch (refused.code) {
    case 'unknown-node':
      return `the pod carries an NMaaS decision for node ${refused.node}, which is not a measurement node`;
    case 'stale-decision':
      return `the pod carries an NMaaS decision (${refused.node} at +${refused.phase} s) that now competes with other measurements: ${refused.problems.join('; ')}`;
    case 'migration-blocked': {
      const who = bookingLabel(refused.culprit, null, nameOf);
      if (refused.cause === 'not-created') return `measurement ${who} that would move is not created yet`;
      const why =
        refused.cause === 'disruption-budget'
          ? 'its PodDisruptionBudget allows no disruption now'
          : (refused.detail ?? 'the eviction failed');
      return `evicting ${who} was refused (${why})`;
    }
    default:
      return describeRefusal(refused.refusal, (id) => bookingLabel(id, refused.refusal.id, nameOf));
  }
}
