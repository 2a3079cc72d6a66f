/**
 * Exclusive: while an exclusive instance runs, nothing else on its node runs (idle instances may stay).
 *  - filter and phases: a run is blocked in a slot where an exclusive run is active, or, for an
 *    exclusive instance, where any run is — NodeState keeps the active and exclusive counts per slot
 *    (`scanFold`, `runBlockedAt` bit 3, read by fit.ts and the refusal);
 *  - refusal: rule 'exclusive' when only exclusivity blocks the closest node, and its phrase below;
 *  - checker: `exclusiveClash`, per slot of each node.
 */

/** The definition: a slot where an exclusive run shares the node with another run. */
export function exclusiveClash(active: number, activeExclusive: number): boolean {
  return activeExclusive > 0 && active > 1;
}

/** What the instance needs, in the capacity refusal's words, when exclusivity is in the way. */
export function describeExclusiveNeed(resourcesNeed: string, self: boolean): string {
  if (resourcesNeed) return `${resourcesNeed} and ${self ? 'no other run' : 'no exclusive run'}`;
  return self ? 'a time with no other run (exclusive)' : 'a time with no exclusive run';
}
