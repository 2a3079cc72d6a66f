/**
 * Exclusive: while an exclusive instance runs, nothing else on its node runs (idle instances may stay).
 *  - filter and phases: a run is blocked in a slot where an exclusive run is active, or, for an
 *    exclusive instance, where any run is — NodeState keeps the active and exclusive counts per slot
 *    (`scanFold`, `runBlockedAt` bit 3, read by fit.ts and the refusal);
 *  - refusal: rule 'exclusive' when only exclusivity blocks the closest node, and its phrase below;
 *  - bookings whose period does not divide the horizon (period.ts) are tested pairwise with `runsMeet`;
 *  - checker: `exclusiveClash`, per slot of each node.
 */
import { gcd } from '../period.js';

/** The definition: a slot where an exclusive run shares the node with another run. */
export function exclusiveClash(active: number, activeExclusive: number): boolean {
  return activeExclusive > 0 && active > 1;
}

/** What the instance needs, in the capacity refusal's words, when exclusivity is in the way. */
export function describeExclusiveNeed(resourcesNeed: string, self: boolean): string {
  if (resourcesNeed) return `${resourcesNeed} and ${self ? 'no other run' : 'no exclusive run'}`;
  return self ? 'a time with no other run (exclusive)' : 'a time with no exclusive run';
}

/**
 * Whether two strictly periodic runs (period, duration, phase) are ever active at once: they meet iff
 * their intervals meet modulo g = gcd of the periods (Korst et al.), so e₁ + e₂ ≤ g lets them avoid each
 * other. Exact for any two periods, without walking their common cycle.
 */
export function runsMeet(
  a: { every: number; duration: number; phase: number },
  b: { every: number; duration: number; phase: number },
): boolean {
  const g = gcd(a.every, b.every);
  if (a.duration + b.duration > g) return true;
  const delta = (((b.phase - a.phase) % g) + g) % g;
  return delta < a.duration || g - delta < b.duration;
}
