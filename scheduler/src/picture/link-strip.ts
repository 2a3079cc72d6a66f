/**
 * Shared links in the plan picture: per link, the bandwidth of the runs active on all nodes behind it
 * against the link's capacity (the smallest any of them declares), drawn as the nodes' load strips are.
 */
import { declaredLinks, type InstanceSpec, type NodeSpec } from '../engine/index.js';
import type { LoadProfile } from './load-strip.js';

export function linkProfiles(
  nodes: NodeSpec[],
  horizon: number,
  byNode: Map<string, { spec: InstanceSpec; phase: number }[]>,
): { name: string; capacity: number; profile: Pick<LoadProfile, 'share' | 'competing'> }[] {
  return [...declaredLinks(nodes)].map(([name, link]) => {
    const load = new Float64Array(horizon);
    for (const node of link.nodes)
      for (const { spec, phase } of byNode.get(node) ?? [])
        for (let start = phase; start < horizon; start += spec.every)
          for (let t = start; t < start + spec.duration; t++) load[t % horizon]! += spec.run.bandwidth;
    const share = new Float64Array(horizon);
    const competing = new Uint8Array(horizon);
    for (let t = 0; t < horizon; t++) {
      share[t] = load[t]! / link.capacity;
      competing[t] = share[t]! > 1 + 1e-9 ? 1 : 0;
    }
    return { name, capacity: link.capacity, profile: { share, competing } };
  });
}
