/**
 * Run-conflict cliques for the exact ILP. Two instances whose runs together exceed a capacity (cpu, memory
 * or bandwidth of a node, or a shared link's bandwidth), or one of which is exclusive, can never run in the
 * same block there. The capacity row alone lets the LP relaxation run "1.7 large pods" at once by taking
 * fractions of their phases, which is why bin-packing-like pools showed a bound of every pod placed while
 * the best plan left two out. A clique of pairwise conflicting instances gives the row
 *   Σ_{i ∈ clique} runs(i, t) ≤ 1      (every block t)
 * which every feasible plan satisfies (any two of them running together already break a capacity), so the
 * optimum is unchanged, and the relaxation can no longer share a block between them.
 *
 * A pair conflicts on run demands alone: the idle load of every other pod only adds to the block's load.
 */

/** Above this many maximal cliques the enumeration stops: the rows are valid whatever subset is kept. */
export const MAX_CLIQUES = 256;

/**
 * Maximal cliques of at least two members of the conflict graph over `members` (Bron–Kerbosch with a
 * pivot, which lists each maximal clique once), at most MAX_CLIQUES of them, in a deterministic order.
 */
export function conflictCliques(members: number[], conflicts: (a: number, b: number) => boolean): number[][] {
  const neighbours = new Map<number, Set<number>>();
  for (const a of members) neighbours.set(a, new Set());
  for (let p = 0; p < members.length; p++)
    for (let q = p + 1; q < members.length; q++) {
      const [a, b] = [members[p]!, members[q]!];
      if (!conflicts(a, b)) continue;
      neighbours.get(a)!.add(b);
      neighbours.get(b)!.add(a);
    }
  const out: number[][] = [];
  const expand = (clique: number[], candidates: number[], excluded: number[]): void => {
    if (out.length >= MAX_CLIQUES) return;
    if (candidates.length === 0) {
      if (excluded.length === 0 && clique.length >= 2) out.push([...clique].sort((a, b) => a - b));
      return;
    }
    // Pivot: the vertex with the most neighbours among the candidates; only its non-neighbours branch.
    let pivot = candidates[0]!;
    let best = -1;
    for (const u of [...candidates, ...excluded]) {
      const around = neighbours.get(u)!;
      const count = candidates.reduce((c, v) => c + (around.has(v) ? 1 : 0), 0);
      if (count > best) [pivot, best] = [u, count];
    }
    const aroundPivot = neighbours.get(pivot)!;
    let rest = [...candidates];
    const done = [...excluded];
    for (const v of candidates) {
      if (aroundPivot.has(v)) continue;
      const around = neighbours.get(v)!;
      expand(
        [...clique, v],
        rest.filter((u) => around.has(u)),
        done.filter((u) => around.has(u)),
      );
      rest = rest.filter((u) => u !== v);
      done.push(v);
    }
  };
  expand([], [...members], []);
  return out;
}
