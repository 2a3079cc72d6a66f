/**
 * Refusals in words a person acts on, rendered at the edge: the service hands over structured
 * refusals whose culprits are booking ids, and here they become pod names (or "a pending <app>
 * pod" while the pod is not created yet; the pod being decided is "this pod").
 */
import type { BookingName, Refused } from './admission-service.js';

export type NameOf = (bookingId: string) => BookingName;

/** How a booking is called in a sentence. */
export function bookingLabel(id: string, self: string | null, nameOf: NameOf): string {
  if (id === self) return 'this pod';
  const name = nameOf(id);
  if (name === null) return 'another pod';
  return 'pod' in name ? `${name.pod.namespace}/${name.pod.name}` : `a pending ${name.pendingApp} pod`;
}

/** The engine's account names bookings by id (dry runs carry a prefix); each becomes its label. */
const BOOKING_ID = /(?:dry-run:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Why the pod cannot be placed (one sentence, without the subject). */
export function describeRefused(refused: Refused, nameOf: NameOf): string {
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
      return refused.reason
        .split(refused.self)
        .join('this pod')
        .replace(BOOKING_ID, (id) => bookingLabel(id, refused.self, nameOf));
  }
}
