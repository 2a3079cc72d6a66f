/**
 * The quality reference: the whole problem as one ILP (HiGHS, via the `highs` WebAssembly build),
 * maximising the number of instances placed. Offline (sees every instance at once) and exponential in
 * the worst case, so it is meant for a few nodes and tens of instances — but at the real periods.
 *
 * Time is cut into blocks of g seconds, g = gcd of every period, duration and release. Flooring every
 * phase of a feasible plan to a multiple of g keeps it feasible (the floored plan's load in block k is
 * the original plan's load at second kg + g − 1, and a floored phase stays in its start window since the
 * release is a multiple of g), so the optimum over whole-block phases is the optimum over all phases.
 * The load repeats with the lcm of the periods, so only one such cycle is modelled.
 *
 * x[i,n,k] = 1 when instance i runs on node n with the k-th phase of its start window (k = 0…K).
 * S[i,n,k] = x[i,n,0] + … + x[i,n,k] (prefix sums): the phases that make i run in block t form at most
 *   two ranges of k, so "i runs in block t" is S[b] − S[a−1] (a few terms) however long the run is. This
 *   is what keeps the model linear in blocks × instances instead of blocks × durations.
 * y[i,n] = S[i,n,K]: i is on n.    I[n,r] = Σ_i idle[i,r]·y[i,n]: the load of idle pods.
 *   Σ_n y[i,n] ≤ 1                                                   each instance at most once
 *   I[n,r] + Σ_i (run[i,r] − idle[i,r])·runs(i,n,t) ≤ cap[n,r]       every node, block, resource
 *   Σ_{n behind l} Σ_i run[i,bw]·runs(i,n,t) ≤ cap[l]                 every shared link, block
 *   Σ_{e exclusive} runs(e,n,t) + runs(j,n,t) ≤ 1                    every non-exclusive j (a clique: a
 *                                                                    conflict row, no big-M)
 *   y[i,n] ≤ Σ_{j ≠ i, app j = a} y[j,n]                             affinity a of i
 *   y[i,n] + y[j,n] ≤ 1                                              anti-affinity (either side)
 *   Σ_{i ∈ group} y[i,n] ≤ 1                                         spread group
 * Demands are in the engine's integer units (rounded up, capacities down), like the engine itself.
 *
 * Three additions make it solve without changing the optimum (each can be turned off; the tests compare):
 *   - run-conflict cliques (exact-cliques.ts): Σ runs(i,n,t) ≤ 1 over instances no two of which fit side by
 *     side on a node, or behind a shared link; the capacity row alone lets the relaxation run fractions of
 *     several large pods at once;
 *   - symmetry rows (exact-symmetry.ts) over identical nodes and identical instances, so branch-and-bound
 *     does not prove the same dead end once per relabelling;
 *   - a starting plan (exact-start.ts): the best legal plan of the engine, first-fit and the caller's, then
 *     improved by the re-planner's search for a tenth of the time limit (at most 1 s). On the small pools the
 *     root bound was already the optimum; HiGHS's own heuristics found a plan that reaches it late.
 */
import highsModule, { type Highs } from 'highs';
import { declaredLinks, type InstanceSpec, type NodeSpec } from '../engine/index.js';
import { capacityUnits, demandUnits } from '../engine/units.js';
import { conflictCliques } from './exact-cliques.js';
import { bestStart, type Plan } from './exact-start.js';
import { canonicalAssignment, symmetryRows, type Assignment, type Term } from './exact-symmetry.js';

// `highs` is CommonJS whose typings declare an ES default export: take whichever the loader really is.
const highsLoader = ((highsModule as unknown as { default?: unknown }).default ?? highsModule) as () => Promise<Highs>;
// One WebAssembly instance per process: each solve makes (and frees) its own model in it, and instantiating
// the module costs more than solving a small pool.
let highsInstance: Promise<Highs> | null = null;
const loadHighs = (): Promise<Highs> => (highsInstance ??= highsLoader());

export interface ExactResult {
  status: string;
  optimal: boolean;
  /** Proved: no plan places every kept instance (only possible with `keep`). */
  infeasible: boolean;
  placed: { id: string; node: string; phase: number }[];
  rejected: { id: string; reason: string }[];
  /** Best bound HiGHS proved: no plan places more. Equals placed.length when optimal. */
  bound: number;
  /** (bound − placed) / bound: 0 when optimal; the time-limited gap otherwise. */
  gap: number;
  /** Block length g and modelled cycle (lcm of the periods), in seconds. */
  blockSeconds: number;
  cycleSeconds: number;
  variables: number;
  constraints: number;
  solveMillis: number;
}

interface PhaseVars {
  i: number;
  n: number;
  /** Phases of the start window in order, in seconds. */
  phases: number[];
  x: string[];
  /** Prefix sums S[k], or null when the window is short enough to sum x directly. */
  s: string[] | null;
}

/**
 * Rows that only tighten the model: each keeps the optimum (see their modules), both are on by default, and
 * turning them off gives the plain model (the tests compare the two).
 */
export interface ModelOptions {
  /** One plan of each class of equivalent plans over identical nodes and instances (exact-symmetry.ts). */
  symmetryBreaking?: boolean;
  /** Σ runs ≤ 1 over instances that pairwise cannot run together (exact-cliques.ts). */
  conflictCliques?: boolean;
}

/** Above this many terms the model is no longer "small": exact refuses rather than exhausting memory. */
export const EXACT_MAX_TERMS = 3_000_000;

export class ExactTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExactTooLargeError';
  }
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;
const mod = (a: number, m: number): number => ((a % m) + m) % m;

/** The block length g: gcd of every period, duration and release (mod period), in seconds. */
export function exactBlockSeconds(instances: InstanceSpec[]): number {
  let g = 0;
  for (const s of instances) g = gcd(gcd(gcd(g, s.every), s.duration), mod(s.release, s.every));
  return Math.max(1, g);
}

function eligible(spec: InstanceSpec, node: NodeSpec): boolean {
  if (spec.node !== null && spec.node !== node.name) return false;
  return Object.entries(spec.nodeSelector).every(([k, v]) => node.labels[k] === v);
}

/** Window indexes k (0…K) whose phase makes the instance run in block t: at most two ranges. */
function runningRanges(spec: InstanceSpec, g: number, K: number, t: number): [number, number][] {
  const P = spec.every / g;
  const D = spec.duration / g;
  const r = mod(spec.release, spec.every) / g;
  const c0 = mod(t - r - D + 1, P);
  const arcs: [number, number][] =
    c0 + D - 1 < P
      ? [[c0, c0 + D - 1]]
      : [
          [c0, P - 1],
          [0, c0 + D - 1 - P],
        ];
  const out: [number, number][] = [];
  for (const [a, b] of arcs) if (a <= K) out.push([a, Math.min(b, K)]);
  return out;
}

function rangeTerms(v: PhaseVars, [a, b]: [number, number], coef: number, out: Term[]): void {
  if (v.s === null || b - a < 2) {
    for (let k = a; k <= b; k++) out.push([coef, v.x[k]!]);
    return;
  }
  out.push([coef, v.s[b]!]);
  if (a > 0) out.push([-coef, v.s[a - 1]!]);
}

function row(terms: Term[], sense: '<=' | '=', rhs: number): string {
  const merged = new Map<string, number>();
  for (const [c, name] of terms) merged.set(name, (merged.get(name) ?? 0) + c);
  const parts: string[] = [];
  for (const [name, c] of merged) if (c !== 0) parts.push(`${c >= 0 ? '+' : '-'} ${Math.abs(c)} ${name}`);
  return parts.length === 0 ? '' : `${parts.join(' ')} ${sense} ${rhs}`;
}

export function buildExactModel(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
  keep: ReadonlySet<string> = new Set(),
  options: ModelOptions = {},
): { lp: string; vars: PhaseVars[]; constraints: number; blockSeconds: number; cycleSeconds: number } {
  const inst = apps.instances;
  const g = exactBlockSeconds(inst);
  const cycle = inst.reduce((l, s) => lcm(l, s.every), 1);
  const B = cycle / g;
  const windows = inst.map((s) => Math.floor(Math.min(s.startWithin, s.every - 1) / g));
  let estimate = 0;
  for (const [i, spec] of inst.entries()) {
    const on = nodes.filter((n) => eligible(spec, n)).length;
    estimate += on * (2 * (windows[i]! + 1) + B * 4 * 5);
  }
  if (!Number.isSafeInteger(B) || estimate > EXACT_MAX_TERMS) {
    throw new ExactTooLargeError(
      `the exact ILP would have about ${estimate.toExponential(1)} terms (${B} blocks of ${g} s over a ${cycle}-s cycle), ` +
        `above ${EXACT_MAX_TERMS.toExponential(0)}; exact is the quality reference for small inputs (a few nodes, tens of instances): ` +
        'use fewer nodes or instances, periods with a larger common divisor, or narrower startWithin',
    );
  }
  const rows: string[] = [];
  const vars: PhaseVars[] = [];
  const byIN = new Map<string, PhaseVars>();
  const y = (v: PhaseVars): Term[] => (v.s ? [[1, v.s[v.s.length - 1]!]] : v.x.map((x): Term => [1, x]));
  inst.forEach((spec, i) => {
    const K = windows[i]!;
    const release = mod(spec.release, spec.every);
    nodes.forEach((node, n) => {
      if (!eligible(spec, node)) return;
      const phases: number[] = [];
      const x: string[] = [];
      for (let k = 0; k <= K; k++) {
        phases.push(mod(release + k * g, spec.every));
        x.push(`x${i}_${n}_${k}`);
      }
      let s: string[] | null = null;
      if (K >= 3) {
        s = x.map((_, k) => `s${i}_${n}_${k}`);
        rows.push(
          row(
            [
              [1, s[0]!],
              [-1, x[0]!],
            ],
            '=',
            0,
          ),
        );
        for (let k = 1; k <= K; k++)
          rows.push(
            row(
              [
                [1, s[k]!],
                [-1, s[k - 1]!],
                [-1, x[k]!],
              ],
              '=',
              0,
            ),
          );
      }
      const v = { i, n, phases, x, s };
      vars.push(v);
      byIN.set(`${i},${n}`, v);
    });
  });
  // Each instance at most once.
  inst.forEach((_, i) => {
    const terms = nodes.flatMap((_, n) => {
      const v = byIN.get(`${i},${n}`);
      return v ? y(v) : [];
    });
    // Even on a single eligible node: its phases are alternatives, only one of them is taken. A kept
    // instance (placed now, and a re-plan never un-places one) is taken exactly once.
    if (terms.length > 0) rows.push(row(terms, keep.has(inst[i]!.id) ? '=' : '<=', 1));
  });
  const demands = inst.map((s) => ({
    run: demandUnits(s.run),
    idle: demandUnits({ cpu: s.idle.cpu, memory: s.idle.memory, bandwidth: 0 }),
  }));
  nodes.forEach((node, n) => {
    const cap = capacityUnits(node.capacity);
    const here = vars.filter((v) => v.n === n);
    if (here.length === 0) return;
    // Idle load as one variable per resource, so that block rows carry only the instances that run.
    const idleSum = [0, 0, 0];
    for (let r = 0; r < 3; r++) {
      const terms: Term[] = [[1, `idle${n}_${r}`]];
      for (const v of here) {
        const c = demands[v.i]!.idle[r]!;
        idleSum[r]! += c;
        if (c !== 0) for (const [cc, name] of y(v)) terms.push([-c * cc, name]);
      }
      rows.push(row(terms, '=', 0));
    }
    const seen = new Set<string>();
    const push = (text: string): void => {
      if (text !== '' && !seen.has(text)) {
        seen.add(text);
        rows.push(text);
      }
    };
    const exclusive = here.filter((v) => inst[v.i]!.exclusive);
    // Pairs that can never run together here, grouped into cliques (exact-cliques.ts).
    const cliques = !(options.conflictCliques ?? true)
      ? []
      : conflictCliques(
          here.map((_, k) => k),
          (a, b) => {
            const [da, db] = [demands[here[a]!.i]!.run, demands[here[b]!.i]!.run];
            return (
              inst[here[a]!.i]!.exclusive ||
              inst[here[b]!.i]!.exclusive ||
              [0, 1, 2].some((r) => da[r]! + db[r]! > cap[r]!)
            );
          },
        ).map((members) => members.map((k) => here[k]!));
    for (let t = 0; t < B; t++) {
      const running = new Map<PhaseVars, [number, number][]>();
      for (const v of here) {
        const ranges = runningRanges(inst[v.i]!, g, v.x.length - 1, t);
        if (ranges.length > 0) running.set(v, ranges);
      }
      for (let r = 0; r < 3; r++) {
        const terms: Term[] = [[1, `idle${n}_${r}`]];
        let worst = idleSum[r]!;
        for (const [v, ranges] of running) {
          const d = demands[v.i]!;
          const extra = d.run[r]! - d.idle[r]!;
          if (extra === 0) continue;
          worst += Math.max(0, extra);
          for (const range of ranges) rangeTerms(v, range, extra, terms);
        }
        // A row that even the worst choice of every instance satisfies can never bind.
        if (worst > cap[r]!) push(row(terms, '<=', cap[r]!));
      }
      for (const clique of cliques) {
        const members = clique.filter((v) => running.has(v));
        if (members.length < 2) continue;
        const terms: Term[] = [];
        for (const v of members) for (const range of running.get(v)!) rangeTerms(v, range, 1, terms);
        push(row(terms, '<=', 1));
      }
      const ex: Term[] = [];
      for (const v of exclusive) for (const range of running.get(v) ?? []) rangeTerms(v, range, 1, ex);
      if (ex.length === 0) continue;
      if (new Set(exclusive.filter((v) => running.has(v))).size > 1) push(row(ex, '<=', 1));
      for (const [v, ranges] of running) {
        if (inst[v.i]!.exclusive) continue;
        const terms = [...ex];
        for (const range of ranges) rangeTerms(v, range, 1, terms);
        push(row(terms, '<=', 1));
      }
    }
    // Affinity, anti-affinity, spread.
    const groups = new Map<string, Term[]>();
    for (const v of here) {
      const si = inst[v.i]!;
      for (const a of si.affinity) {
        const terms = [...y(v)];
        for (const w of here) if (w.i !== v.i && inst[w.i]!.app === a) for (const [c, x] of y(w)) terms.push([-c, x]);
        rows.push(row(terms, '<=', 0));
      }
      for (const w of here) {
        if (w.i <= v.i) continue;
        const sj = inst[w.i]!;
        if (si.antiAffinity.includes(sj.app) || sj.antiAffinity.includes(si.app))
          rows.push(row([...y(v), ...y(w)], '<=', 1));
      }
      if (si.spreadGroup !== null) {
        const list = groups.get(si.spreadGroup) ?? [];
        list.push(...y(v));
        groups.set(si.spreadGroup, list);
      }
    }
    for (const terms of groups.values()) if (terms.length > 1) rows.push(row(terms, '<=', 1));
  });
  // Shared links: the bandwidth of every run on the nodes behind a link, block by block (idle sends nothing).
  const nodeIndex = new Map(nodes.map((node, n) => [node.name, n]));
  for (const [, link] of declaredLinks(nodes)) {
    const behind = new Set(link.nodes.map((name) => nodeIndex.get(name)!));
    const here = vars.filter((v) => behind.has(v.n) && demands[v.i]!.run[2] > 0);
    const cap = capacityUnits({ cpu: 0, memory: 0, bandwidth: link.capacity })[2];
    // Instances no two of which the link carries at once, wherever behind it they run (exact-cliques.ts).
    const senders = [...new Set(here.map((v) => v.i))];
    const cliques = !(options.conflictCliques ?? true)
      ? []
      : conflictCliques(senders, (a, b) => demands[a]!.run[2] + demands[b]!.run[2] > cap).map(
          (members) => new Set(members),
        );
    for (let t = 0; t < B; t++) {
      const terms: Term[] = [];
      let worst = 0;
      const onInstance = new Map<number, number>();
      const running: [PhaseVars, [number, number][]][] = [];
      for (const v of here) {
        const ranges = runningRanges(inst[v.i]!, g, v.x.length - 1, t);
        if (ranges.length === 0) continue;
        running.push([v, ranges]);
        const bw = demands[v.i]!.run[2];
        // An instance runs on one node at most: its worst is counted once, whatever the nodes.
        onInstance.set(v.i, bw);
        for (const range of ranges) rangeTerms(v, range, bw, terms);
      }
      for (const bw of onInstance.values()) worst += bw;
      if (worst > cap) rows.push(row(terms, '<=', cap));
      for (const clique of cliques) {
        const on = running.filter(([v]) => clique.has(v.i));
        if (new Set(on.map(([v]) => v.i)).size < 2) continue;
        const cliqueTerms: Term[] = [];
        for (const [v, ranges] of on) for (const range of ranges) rangeTerms(v, range, 1, cliqueTerms);
        rows.push(row(cliqueTerms, '<=', 1));
      }
    }
  }
  // Identical nodes and identical instances: one plan of each class of equivalent plans (exact-symmetry.ts).
  if (options.symmetryBreaking ?? true)
    for (const terms of symmetryRows(nodes, inst, byIN, keep)) rows.push(row(terms, '<=', 0));
  const kept = rows.filter((r) => r !== '');
  const objective = vars.flatMap((v) => v.x.map((x) => `+ ${x}`));
  const lp = [
    'Maximize',
    ` obj: ${objective.length ? objective.join(' ') : '0 x_dummy'}`,
    'Subject To',
    ...kept.map((r, k) => ` c${k}: ${r}`),
    'Binary',
    ...vars.flatMap((v) => v.x.map((x) => ` ${x}`)),
    'End',
  ].join('\n');
  return { lp, vars, constraints: kept.length, blockSeconds: g, cycleSeconds: cycle };
}

/**
 * Column values of a legal plan: x at its phase floored to the block (still legal, see above), the prefix
 * sums, the idle loads. Symmetry rows may cut this exact plan off while keeping an equivalent one: it is
 * first relabelled to the representative those rows keep.
 */
function startColumns(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
  vars: PhaseVars[],
  g: number,
  keep: ReadonlySet<string>,
  symmetryBreaking: boolean,
  plan: Plan,
): Map<string, number> {
  const inst = apps.instances;
  const index = new Map(inst.map((s, i) => [s.id, i]));
  const nodeIndex = new Map(nodes.map((node, n) => [node.name, n]));
  const byIN = new Map(vars.map((v) => [`${v.i},${v.n}`, v]));
  let assignment: Assignment[] = inst.map(() => null);
  for (const p of plan) {
    const i = index.get(p.id)!;
    const n = nodeIndex.get(p.node)!;
    const spec = inst[i]!;
    assignment[i] = { n, k: Math.floor(mod(p.phase - mod(spec.release, spec.every), spec.every) / g) };
  }
  if (symmetryBreaking) assignment = canonicalAssignment(nodes, inst, byIN, keep, assignment);
  const values = new Map<string, number>();
  const idle = nodes.map(() => [0, 0, 0]);
  assignment.forEach((a, i) => {
    const v = a === null ? undefined : byIN.get(`${i},${a.n}`);
    if (a === null || !v || a.k >= v.x.length) return;
    values.set(v.x[a.k]!, 1);
    if (v.s) for (let q = a.k; q < v.s.length; q++) values.set(v.s[q]!, 1);
    const d = demandUnits({ cpu: inst[i]!.idle.cpu, memory: inst[i]!.idle.memory, bandwidth: 0 });
    for (let r = 0; r < 3; r++) idle[a.n]![r]! += d[r]!;
  });
  idle.forEach((load, n) => load.forEach((u, r) => values.set(`idle${n}_${r}`, u)));
  return values;
}

export async function solveExact(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
  options: {
    timeLimitSeconds?: number;
    /** Instances every plan must place (e.g. those placed now: the optimum a re-plan can reach). */
    keep?: readonly string[];
    /** Plans already known (legal ones only are used): the best becomes HiGHS's first incumbent. */
    starts?: readonly Plan[];
    /** Start from the best of the given plans, the engine's and first-fit's; on by default. */
    heuristicStart?: boolean;
  } & ModelOptions = {},
): Promise<ExactResult> {
  const keep = new Set(options.keep ?? []);
  const symmetryBreaking = options.symmetryBreaking ?? true;
  const { lp, vars, constraints, blockSeconds, cycleSeconds } = buildExactModel(nodes, apps, keep, {
    symmetryBreaking,
    conflictCliques: options.conflictCliques ?? true,
  });
  const highs = await loadHighs();
  const started = performance.now();
  const limit = options.timeLimitSeconds ?? 60;
  // A tenth of the time limit, at most a second, searching for a better start (exact-start.ts).
  const start =
    (options.heuristicStart ?? true)
      ? bestStart(nodes, apps, keep, options.starts ?? [], Math.min(1, limit / 10))
      : null;
  const startValues =
    start === null ? null : startColumns(nodes, apps, vars, blockSeconds, keep, symmetryBreaking, start);
  const solved = highs.withModel({ format: 'lp', data: lp }, (model) => {
    // The start's search came out of the same budget.
    model.options.set({ time_limit: Math.max(0.01, limit - (performance.now() - started) / 1000), output_flag: false });
    if (startValues !== null) {
      const columns = model.getDimensions().numCols;
      const colValue = new Float64Array(columns);
      for (let c = 0; c < columns; c++) colValue[c] = startValues.get(model.getColName(c)) ?? 0;
      model.setSolution({ colValue });
    }
    model.run();
    const code = model.getModelStatus();
    const st = highs.constants.modelStatus;
    const status =
      code === st.optimal
        ? 'Optimal'
        : code === st.timeLimit
          ? 'Time limit reached'
          : code === st.infeasible
            ? 'Infeasible'
            : `HiGHS model status ${code}`;
    const value = new Map<string, number>();
    // A time limit may strike before any feasible plan is found: read the columns only when there is one.
    const feasible = Number(model.info.get('primal_solution_status')) === 2;
    const hasSolution = (code === st.optimal || code === st.timeLimit) && feasible;
    let bound = Number.POSITIVE_INFINITY;
    if (hasSolution) {
      const cols = model.getSolution().colValue;
      for (let c = 0; c < cols.length; c++) value.set(model.getColName(c), cols[c]!);
      const dual = Number(model.info.get('mip_dual_bound'));
      if (Number.isFinite(dual)) bound = dual;
    }
    return { status, optimal: code === st.optimal, infeasible: code === st.infeasible, hasSolution, value, bound };
  });
  const solveMillis = performance.now() - started;
  const placed: ExactResult['placed'] = [];
  const chosen = new Set<number>();
  for (const v of vars) {
    v.x.forEach((x, k) => {
      if ((solved.value.get(x) ?? 0) > 0.5 && !chosen.has(v.i)) {
        chosen.add(v.i);
        placed.push({ id: apps.instances[v.i]!.id, node: nodes[v.n]!.name, phase: v.phases[k]! });
      }
    });
  }
  const rejected = apps.instances
    .filter((_, i) => !chosen.has(i))
    .map((s) => ({
      id: s.id,
      reason: solved.hasSolution
        ? 'not selected by the ILP optimum (placing it would displace more than it adds)'
        : `ILP not solved: ${solved.status}`,
    }));
  const order = new Map(apps.instances.map((s, i) => [s.id, i]));
  placed.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  // The solver's bound is fractional up to its tolerance: no plan places more than its floor.
  const bound = solved.optimal
    ? placed.length
    : Math.max(placed.length, Math.floor(Math.min(solved.bound, apps.instances.length) + 1e-6));
  // The objective counts placed instances, so it is whole: a plan that reaches the floor of the proven bound
  // is optimal even when the time limit struck before HiGHS closed its fractional gap.
  const proven = solved.optimal || (solved.hasSolution && placed.length === bound);
  return {
    status: proven && !solved.optimal ? 'Optimal (the plan reaches the bound proven by the time limit)' : solved.status,
    optimal: proven,
    infeasible: solved.infeasible,
    placed,
    rejected,
    bound,
    gap: bound === 0 ? 0 : Math.round(((bound - placed.length) / bound) * 10000) / 10000,
    blockSeconds,
    cycleSeconds,
    variables: vars.reduce((s, v) => s + v.x.length * (v.s ? 2 : 1), 0) + 3 * nodes.length,
    constraints,
    solveMillis,
  };
}
