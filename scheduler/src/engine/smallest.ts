/**
 * The `k` least items under `cmp`, least first: exactly `[...items].sort(cmp).slice(0, k)` (the sort is
 * stable, and so is this: among equal items the earlier comes first). A repair ranks thousands of nodes
 * to try a few dozen of them; sorting them all cost more than the tries at 5,000 nodes. Here an item
 * that does not beat the k-th kept costs one comparison.
 */
export function smallest<T>(items: Iterable<T>, k: number, cmp: (a: T, b: T) => number): T[] {
  const out: T[] = [];
  if (k <= 0) return out;
  for (const x of items) {
    if (out.length === k && cmp(x, out[k - 1]!) >= 0) continue;
    // After every kept item not greater than x: equal items keep their input order.
    let lo = 0;
    let hi = out.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(out[mid]!, x) <= 0) lo = mid + 1;
      else hi = mid;
    }
    out.splice(lo, 0, x);
    if (out.length > k) out.pop();
  }
  return out;
}
