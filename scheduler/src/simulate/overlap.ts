/**
 * The secondary objective, as a metric: run-seconds that overlap another run on the same node. Co-running
 * within capacity is allowed, but two measurements that need not share a node's time measure each other's
 * load; fewer such seconds is better once the number of placed instances is equal.
 */
import type { InstanceSpec } from '../engine/index.js';

/** Σ over nodes and seconds of the horizon of the runs active then, counted where at least two are. */
export function overlapRunSeconds(
  apps: { horizon: number; instances: InstanceSpec[] },
  placed: { id: string; node: string; phase: number }[],
): number {
  const H = apps.horizon;
  const specs = new Map(apps.instances.map((s) => [s.id, s]));
  const active = new Map<string, Uint16Array>();
  for (const p of placed) {
    const spec = specs.get(p.id);
    if (!spec) continue;
    let counts = active.get(p.node);
    if (!counts) active.set(p.node, (counts = new Uint16Array(H)));
    for (let start = p.phase % spec.every; start < H; start += spec.every)
      for (let d = 0; d < spec.duration; d++) counts[(start + d) % H]!++;
  }
  let overlap = 0;
  for (const counts of active.values()) for (const c of counts) if (c >= 2) overlap += c;
  return overlap;
}
