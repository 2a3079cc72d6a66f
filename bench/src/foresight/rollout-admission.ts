/**
 * An admission policy that looks into the future it is told about: what knowing more than the arrivals
 * so far is worth, measured with one search whatever the knowledge.
 *
 * Pods are offered once, in arrival order, and a pod the engine has room for is never refused (nor is any
 * pod moved), as the webhook does. Its place is chosen among the engine's own choice and up to
 * `phasesPerNode` allowed phases on every node that fits (evenly spaced over the start window): each is
 * booked in turn (phases on the workload's time grid, the exact model's block), the same `rollouts` futures are placed after it by the engine's ordinary decision, and
 * the place after which the most future pods fit wins (the engine's choice on ties, then candidate order).
 * What a future holds is the caller's: pods drawn from what may come, or the pods that will come in a
 * shuffled order. The search is the same, so the difference between two runs is the knowledge alone.
 */
import { Engine, type InstanceSpec, type NodeSpec } from '@nmaas/scheduler/engine';
import { exactBlockSeconds, Random, type Plan } from '@nmaas/scheduler/simulate';

/** The pods that might follow arrival `index` (0-based) of `instances`: one future a call. */
export type FutureSource = (instances: readonly InstanceSpec[], index: number, rnd: Random) => InstanceSpec[];

export interface RolloutOptions {
  futures: FutureSource;
  /** Futures per decision, shared by every candidate place (common random numbers). */
  rollouts: number;
  /** Seeds the futures: the same seed and workload give the same plan. */
  seed: number;
  /** Most allowed phases weighed per node, evenly spaced over the start window. */
  phasesPerNode: number;
}

export interface RolloutResult {
  plan: Plan;
  refused: string[];
}

interface Booked {
  spec: InstanceSpec;
  at: { node: string; phase: number };
}

export function rolloutAdmission(
  nodes: NodeSpec[],
  apps: { horizon: number; instances: InstanceSpec[] },
  options: RolloutOptions,
): RolloutResult {
  const rnd = new Random(options.seed);
  const booked: Booked[] = [];
  const refused: string[] = [];
  const step = exactBlockSeconds(apps.instances);
  /** An engine holding what is booked so far (the engine has no copy: it is rebuilt, which is cheap at this size). */
  const current = (): Engine => {
    const engine = new Engine(nodes, { horizon: apps.horizon });
    for (const b of booked) engine.book(b.spec, b.at);
    return engine;
  };
  apps.instances.forEach((spec, index) => {
    const engine = current();
    const own = engine.place(spec, { dryRun: true });
    if (!own.ok) {
      refused.push(spec.id);
      return;
    }
    const candidates = [{ node: own.node, phase: own.phase }];
    for (const node of nodes)
      for (const phase of spreadPhases(spec, step, options.phasesPerNode)) {
        if (node.name === own.node && phase === own.phase) continue;
        if (engine.book(spec, { node: node.name, phase }).ok) {
          candidates.push({ node: node.name, phase });
          engine.remove(spec.id);
        }
      }
    let best = candidates[0]!;
    if (candidates.length > 1) {
      const futures = Array.from({ length: options.rollouts }, () => options.futures(apps.instances, index, rnd));
      let bestFit = -1;
      for (const at of candidates) {
        let fit = 0;
        for (const future of futures) {
          const trial = current();
          trial.book(spec, at);
          for (const pod of future) if (trial.place(pod).ok) fit++;
        }
        if (fit > bestFit) {
          bestFit = fit;
          best = at;
        }
      }
    }
    booked.push({ spec, at: best });
  });
  return { plan: booked.map((b) => ({ id: b.spec.id, ...b.at })), refused };
}

/** Up to `most` allowed phases on the `step` grid, evenly spaced from the window's opening to its end. */
function spreadPhases(spec: InstanceSpec, step: number, most: number): number[] {
  const steps = Math.floor(Math.min(spec.startWithin, spec.every - 1) / step) + 1;
  const count = Math.min(most, steps);
  const out = new Set<number>();
  for (let i = 0; i < count; i++) {
    const k = count === 1 ? 0 : Math.round((i * (steps - 1)) / (count - 1));
    out.add((spec.release + k * step) % spec.every);
  }
  return [...out];
}
