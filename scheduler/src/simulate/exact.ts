/**
 * The quality reference: the whole problem as one ILP (HiGHS, via the `highs` WebAssembly build),
 * maximising the number of instances placed. Offline (sees every instance at once) and exponential in
 * the worst case, so it is meant for small instances only.
 *
 * x[i,n,φ] = 1 when instance i runs on node n with phase φ (φ allowed, n passes pin and selector).
 *   Σ_{n,φ} x[i,n,φ] ≤ 1                                             each instance at most once
 *   Σ_{i,φ} (idle_ir + (run_ir − idle_ir)·active(i,φ,t)) x ≤ cap_nr    every node n, slot t, resource r
 *   Σ_{j≠i,φ'} active(j,φ',t) x[j,n,φ'] + M·Σ_φ active(i,φ,t) x[i,n,φ] ≤ M   exclusive i, node n, slot t
 *   Σ_φ x[i,n,φ] ≤ Σ_{j≠i: app_j=a} Σ_φ x[j,n,φ]                      affinity a of i
 *   y[i,n] + y[j,n] ≤ 1                                                 anti-affinity pair, spread pair
 * Demands are in the engine's integer units (rounded up, capacities down), like the engine itself.
 */
import highsModule from 'highs';

type Solver = {
  solve(lp: string, options?: Record<string, unknown>): { Status: string; Columns: Record<string, unknown> };
};
// `highs` is CommonJS whose typings declare an ES default export: take whichever the loader really is.
const highsLoader = ((highsModule as unknown as { default?: unknown }).default ??
  highsModule) as unknown as () => Promise<Solver>;
import { allowedPhases, type InstanceSpec, type NodeSpec } from '../engine/index.js';
import { capacityUnits, demandUnits } from '../engine/units.js';

export interface ExactResult {
  status: string;
  optimal: boolean;
  placed: { id: string; node: string; phase: number }[];
  rejected: { id: string; reason: string }[];
  variables: number;
  constraints: number;
  solveMillis: number;
}

interface Var {
  name: string;
  i: number;
  n: number;
  phase: number;
}

function active(t: number, every: number, duration: number, phase: number): boolean {
  return (((t - phase) % every) + every) % every < duration;
}

/** Above this many (variable × slot) terms the LP text alone would not fit in memory: exact is for small inputs. */
export const EXACT_MAX_TERMS = 20_000_000;

export class ExactTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExactTooLargeError';
  }
}

export function buildExactModel(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
): { lp: string; vars: Var[]; constraints: number } {
  const H = apps.horizon;
  const inst = apps.instances;
  let estimate = 0;
  for (const spec of inst) {
    const eligible = nodes.filter(
      (n) =>
        (spec.node === null || spec.node === n.name) &&
        Object.entries(spec.nodeSelector).every(([k, v]) => n.labels[k] === v),
    ).length;
    estimate += eligible * (Math.min(spec.startWithin, spec.every - 1) + 1) * H * 3;
  }
  if (estimate > EXACT_MAX_TERMS) {
    throw new ExactTooLargeError(
      `the exact ILP would have about ${estimate.toExponential(1)} terms (instances × nodes × phases × ${H} slots × 3 resources), above ${EXACT_MAX_TERMS.toExponential(0)}; ` +
        'exact is the quality reference for small inputs: use a shorter horizon (e.g. 120 s), fewer nodes or instances, or narrower startWithin',
    );
  }
  const vars: Var[] = [];
  const byIN = new Map<string, Var[]>(); // `${i},${n}` → vars
  inst.forEach((spec, i) => {
    if (H % spec.every !== 0) return;
    nodes.forEach((node, n) => {
      if (spec.node !== null && spec.node !== node.name) return;
      for (const [k, v] of Object.entries(spec.nodeSelector)) if (node.labels[k] !== v) return;
      const list: Var[] = [];
      for (const phase of allowedPhases(spec.every, spec.startWithin, spec.release)) {
        const v = { name: `x${i}_${n}_${phase}`, i, n, phase };
        vars.push(v);
        list.push(v);
      }
      byIN.set(`${i},${n}`, list);
    });
  });
  const rows: string[] = [];
  const term = (coef: number, name: string): string => `${coef >= 0 ? '+' : '-'} ${Math.abs(coef)} ${name}`;
  // Each instance at most once.
  inst.forEach((_, i) => {
    const vs: string[] = [];
    nodes.forEach((_, n) => byIN.get(`${i},${n}`)?.forEach((v) => vs.push(v.name)));
    if (vs.length > 1) rows.push(`${vs.map((x) => `+ ${x}`).join(' ')} <= 1`);
  });
  const demands = inst.map((s) => ({
    run: demandUnits(s.run),
    idle: demandUnits({ cpu: s.idle.cpu, memory: s.idle.memory, bandwidth: 0 }),
  }));
  nodes.forEach((node, n) => {
    const cap = capacityUnits(node.capacity);
    const here: Var[] = [];
    inst.forEach((_, i) => byIN.get(`${i},${n}`)?.forEach((v) => here.push(v)));
    if (here.length === 0) return;
    const y = (i: number): string[] => (byIN.get(`${i},${n}`) ?? []).map((v) => v.name);
    for (let t = 0; t < H; t++) {
      for (let r = 0; r < 3; r++) {
        const terms: string[] = [];
        let worst = 0;
        const perInstance = new Map<number, number>();
        for (const v of here) {
          const s = inst[v.i]!;
          const d = demands[v.i]!;
          const coef = active(t, s.every, s.duration, v.phase) ? d.run[r]! : d.idle[r]!;
          if (coef !== 0) terms.push(term(coef, v.name));
          perInstance.set(v.i, Math.max(perInstance.get(v.i) ?? 0, coef));
        }
        for (const c of perInstance.values()) worst += c;
        // Skip rows that can never bind: even the worst choice of every instance fits.
        if (worst > cap[r]! && terms.length > 0) rows.push(`${terms.join(' ')} <= ${cap[r]}`);
      }
      for (const v0 of here) {
        const si = inst[v0.i]!;
        if (!si.exclusive || v0.phase !== byIN.get(`${v0.i},${n}`)![0]!.phase) continue; // one row per (i, n, t)
        const mine = byIN.get(`${v0.i},${n}`)!.filter((v) => active(t, si.every, si.duration, v.phase));
        if (mine.length === 0) continue;
        const others = here.filter((v) => v.i !== v0.i && active(t, inst[v.i]!.every, inst[v.i]!.duration, v.phase));
        if (others.length === 0) continue;
        const M = new Set(others.map((v) => v.i)).size;
        rows.push(
          `${others.map((v) => `+ ${v.name}`).join(' ')} ${mine.map((v) => term(M, v.name)).join(' ')} <= ${M}`,
        );
      }
    }
    // Affinity, anti-affinity, spread.
    inst.forEach((si, i) => {
      const yi = y(i);
      if (yi.length === 0) return;
      for (const a of si.affinity) {
        const partners: string[] = [];
        inst.forEach((sj, j) => {
          if (j !== i && sj.app === a) partners.push(...y(j));
        });
        rows.push(`${yi.map((x) => `+ ${x}`).join(' ')} ${partners.map((x) => `- ${x}`).join(' ')} <= 0`);
      }
      inst.forEach((sj, j) => {
        if (j <= i) return;
        const yj = y(j);
        if (yj.length === 0) return;
        const anti = si.antiAffinity.includes(sj.app) || sj.antiAffinity.includes(si.app);
        const spread = si.spreadGroup !== null && si.spreadGroup === sj.spreadGroup;
        if (anti || spread) rows.push(`${[...yi, ...yj].map((x) => `+ ${x}`).join(' ')} <= 1`);
      });
    });
  });
  const lp = [
    'Maximize',
    ` obj: ${vars.length ? vars.map((v) => `+ ${v.name}`).join(' ') : '0 x_dummy'}`,
    'Subject To',
    ...rows.map((r, k) => ` c${k}: ${r}`),
    'Binary',
    ...vars.map((v) => ` ${v.name}`),
    'End',
  ].join('\n');
  return { lp, vars, constraints: rows.length };
}

export async function solveExact(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
  options: { timeLimitSeconds?: number } = {},
): Promise<ExactResult> {
  const { lp, vars, constraints } = buildExactModel(nodes, apps);
  const highs = await highsLoader();
  const started = performance.now();
  const solution = highs.solve(lp, { time_limit: options.timeLimitSeconds ?? 60, output_flag: false });
  const solveMillis = performance.now() - started;
  const placed: ExactResult['placed'] = [];
  const chosen = new Set<number>();
  const hasSolution = solution.Status === 'Optimal' || solution.Status === 'Time limit reached';
  if (hasSolution) {
    for (const v of vars) {
      const col = solution.Columns[v.name] as { Primal?: number } | undefined;
      if (col && (col.Primal ?? 0) > 0.5 && !chosen.has(v.i)) {
        chosen.add(v.i);
        placed.push({ id: apps.instances[v.i]!.id, node: nodes[v.n]!.name, phase: v.phase });
      }
    }
  }
  const rejected = apps.instances
    .filter((_, i) => !chosen.has(i))
    .map((s) => ({
      id: s.id,
      reason: hasSolution
        ? 'not selected by the ILP optimum (placing it would displace more than it adds)'
        : `ILP not solved: ${solution.Status}`,
    }));
  const order = new Map(apps.instances.map((s, i) => [s.id, i]));
  placed.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return {
    status: solution.Status,
    optimal: solution.Status === 'Optimal',
    placed,
    rejected,
    variables: vars.length,
    constraints,
    solveMillis,
  };
}
