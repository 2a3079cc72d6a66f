/**
 * Symmetry-breaking rows for the exact ILP. Identical nodes (same capacity, same links, same instances
 * eligible) and identical instances (same contract, release and keep flag; only the id differs) make many
 * plans equivalent, and branch-and-bound explores every copy of a dead end: on three identical nodes a bin
 * packing with a weak LP bound is proven six times over. The rows below keep exactly one plan of each
 * class of equivalent plans, so the optimum is unchanged.
 *
 * Why they are exact: write a plan as the sequence s = (s_0, s_1, …) with s_i = (node of i, phase index of
 * i), an unplaced instance last. Swapping two identical nodes, or two identical instances, turns a plan into
 * an equivalent one (same count, same constraints). Every class of equivalent plans has a lexicographically
 * smallest member, and that member satisfies both families of rows at once:
 *   - nodes n' < n of one class: the first instance on n comes after some instance on n'. Otherwise swapping
 *     n' and n leaves s unchanged before that instance and makes it smaller there.
 *       y[i,n] ≤ Σ_{j < i} y[j,n']
 *   - instances i < j of one class: s_i ≤ s_j. Otherwise swapping i and j makes s smaller at i. Written as
 *     "j is at or before each option o (node, phase) only if i is":
 *       Σ_{options ≤ o} x[j,·] ≤ Σ_{options ≤ o} x[i,·]
 * Both swaps preserve every row of the model (capacity, links, exclusivity, affinity, spread, keep), so the
 * smallest member of the optimum's class is feasible and optimal.
 */
import type { InstanceSpec, NodeSpec } from '../engine/index.js';
import { capacityUnits } from '../engine/units.js';

export type Term = [coefficient: number, column: string];

/** The columns of one instance on one node: x[k] per phase index, and their prefix sums when modelled. */
export interface PlacementColumns {
  i: number;
  n: number;
  x: string[];
  s: string[] | null;
}

/** Σ_{k' ≤ k} x[k']: one prefix-sum column when the model has them, the x columns otherwise. */
function prefixTerms(v: PlacementColumns, k: number, coef: number, out: Term[]): void {
  if (v.s !== null) out.push([coef, v.s[k]!]);
  else for (let q = 0; q <= k; q++) out.push([coef, v.x[q]!]);
}

const placedTerms = (v: PlacementColumns, coef: number, out: Term[]): void => prefixTerms(v, v.x.length - 1, coef, out);

function classesOf<T>(items: T[], key: (item: T, index: number) => string): number[][] {
  const byKey = new Map<string, number[]>();
  items.forEach((item, k) => {
    const id = key(item, k);
    const list = byKey.get(id) ?? [];
    list.push(k);
    byKey.set(id, list);
  });
  return [...byKey.values()].filter((list) => list.length > 1);
}

/** Nodes no plan can tell apart: same capacity in the model's units, same links, same eligible instances. */
export function identicalNodes(
  nodes: NodeSpec[],
  columns: Map<string, PlacementColumns>,
  instances: number,
): number[][] {
  return classesOf(nodes, (node, n) => {
    const eligible: number[] = [];
    for (let i = 0; i < instances; i++) if (columns.has(`${i},${n}`)) eligible.push(i);
    const links = (node.links ?? []).map((l) => l.name).sort();
    return JSON.stringify([capacityUnits(node.capacity), links, eligible]);
  });
}

/** Instances that differ only by their id (and agree on being kept or not). */
export function identicalInstances(instances: InstanceSpec[], keep: ReadonlySet<string>): number[][] {
  return classesOf(instances, (s) => {
    const { id, ...shape } = s;
    return JSON.stringify([shape, keep.has(id)]);
  });
}

/** The rows above, each as Σ terms ≤ 0. */
export function symmetryRows(
  nodes: NodeSpec[],
  instances: InstanceSpec[],
  columns: Map<string, PlacementColumns>,
  keep: ReadonlySet<string>,
): Term[][] {
  const rows: Term[][] = [];
  const at = (i: number, n: number): PlacementColumns | undefined => columns.get(`${i},${n}`);
  for (const members of identicalNodes(nodes, columns, instances.length)) {
    for (let m = 1; m < members.length; m++) {
      const [before, n] = [members[m - 1]!, members[m]!];
      const earlier: Term[] = [];
      for (let i = 0; i < instances.length; i++) {
        const v = at(i, n);
        if (!v) continue;
        const terms: Term[] = [...earlier];
        placedTerms(v, 1, terms);
        rows.push(terms);
        // Instance i itself counts for the instances after it.
        placedTerms(at(i, before)!, -1, earlier);
      }
    }
  }
  for (const members of identicalInstances(instances, keep)) {
    for (let m = 1; m < members.length; m++) {
      const [first, second] = [members[m - 1]!, members[m]!];
      const fromFirst: Term[] = [];
      const fromSecond: Term[] = [];
      for (let n = 0; n < nodes.length; n++) {
        const a = at(first, n);
        const b = at(second, n);
        if (!a || !b) continue;
        for (let k = 0; k < a.x.length; k++) {
          const terms: Term[] = [...fromSecond, ...fromFirst];
          prefixTerms(b, k, 1, terms);
          prefixTerms(a, k, -1, terms);
          rows.push(terms);
        }
        placedTerms(b, 1, fromSecond);
        placedTerms(a, -1, fromFirst);
      }
    }
  }
  return rows;
}

/** Where a plan puts one instance: node index and phase index, or null when it leaves it out. */
export type Assignment = { n: number; k: number } | null;

const compare = (a: Assignment, b: Assignment): number =>
  a === null ? (b === null ? 0 : 1) : b === null ? -1 : a.n - b.n || a.k - b.k;

/**
 * The member of a plan's class of equivalent plans that the rows above keep (a starting plan must satisfy
 * them). Alternately sorts each class of identical instances and renumbers each class of identical nodes by
 * first use; each step makes the sequence lexicographically smaller or leaves it alone, so it ends, and it
 * ends where both families of rows hold.
 */
export function canonicalAssignment(
  nodes: NodeSpec[],
  instances: InstanceSpec[],
  columns: Map<string, PlacementColumns>,
  keep: ReadonlySet<string>,
  assignment: Assignment[],
): Assignment[] {
  const nodeClasses = identicalNodes(nodes, columns, instances.length);
  const instanceClasses = identicalInstances(instances, keep);
  let current = [...assignment];
  for (;;) {
    const next = [...current];
    for (const members of instanceClasses) {
      const sorted = members.map((i) => next[i]!).sort(compare);
      members.forEach((i, m) => (next[i] = sorted[m]!));
    }
    for (const members of nodeClasses) {
      const firstUse: number[] = [];
      for (const a of next) if (a !== null && members.includes(a.n) && !firstUse.includes(a.n)) firstUse.push(a.n);
      for (const n of members) if (!firstUse.includes(n)) firstUse.push(n);
      const relabel = new Map(firstUse.map((n, m) => [n, members[m]!]));
      next.forEach((a, i) => {
        if (a !== null && relabel.has(a.n)) next[i] = { n: relabel.get(a.n)!, k: a.k };
      });
    }
    if (next.every((a, i) => compare(a, current[i]!) === 0)) return next;
    current = next;
  }
}
