/**
 * Overlapping run-seconds of a node: for every slot, the runs beyond the first that are active in it. Zero
 * means the node's measurements never run at the same time; it is the re-plan's second objective.
 */
export function overlapSeconds(active: readonly number[]): number {
  let total = 0;
  for (const a of active) if (a > 1) total += a - 1;
  return total;
}
