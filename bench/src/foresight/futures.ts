/**
 * What a rollout may be told about the pods still to come (rollout-admission.ts), from less to more:
 * - `drawnFromTheWorkloadsApps`: how many pods remain, and the distribution they come from. Each is an app
 *   of the workload drawn uniformly, its window opening at a multiple of the workload's time grid drawn
 *   uniformly over its period: the way the quality families draw their pods (before `largest-last` sorts
 *   them by size). A webhook that had seen the whole catalogue and knew how the pods are drawn would
 *   know this much.
 * - `theRemainingPodsShuffled`: which pods remain, not in which order.
 */
import type { InstanceSpec } from '@nmaas/scheduler/engine';
import { exactBlockSeconds, type Random } from '@nmaas/scheduler/simulate';
import type { FutureSource } from './rollout-admission.js';

export function drawnFromTheWorkloadsApps(instances: readonly InstanceSpec[]): FutureSource {
  const apps = [...new Map(instances.map((s) => [s.app, s])).values()];
  const step = exactBlockSeconds([...instances]);
  let drawn = 0;
  return (all, index, rnd) =>
    Array.from({ length: all.length - index - 1 }, () => {
      const app = rnd.pick(apps);
      return { ...app, id: `${app.app}-future-${drawn++}`, release: step * rnd.int(0, app.every / step - 1) };
    });
}

export const theRemainingPodsShuffled = (all: readonly InstanceSpec[], index: number, rnd: Random): InstanceSpec[] =>
  shuffled(all.slice(index + 1), rnd);

function shuffled<T>(items: T[], rnd: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rnd.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
