/**
 * What "competes with nothing" means, drawn under each node of the plan picture. A node's load
 * at a second is the idle footprint of every instance placed on it plus, for each run active at
 * that second, what the run uses beyond its idle footprint; per resource (cpu, memory,
 * bandwidth). Runs compete when that load exceeds the node's declared measurement capacity in any
 * resource, or when an exclusive run is active together with any other run. Co-running within
 * capacity is not competition: the capacity is what the node owner gives to measurements.
 */
import type { InstanceSpec, NodeSpec } from '../engine/index.js';

export interface LoadProfile {
  /** Per second of the horizon: the highest share of capacity used over cpu, memory and bandwidth. */
  share: Float64Array;
  /** Per second: true when runs compete there (over capacity, or an exclusive run not alone). */
  competing: Uint8Array;
}

export function loadProfile(
  node: NodeSpec,
  horizon: number,
  placed: { spec: InstanceSpec; phase: number }[],
): LoadProfile {
  const cpu = new Float64Array(horizon);
  const memory = new Float64Array(horizon);
  const bandwidth = new Float64Array(horizon);
  const active = new Uint16Array(horizon);
  const exclusive = new Uint16Array(horizon);
  let idleCpu = 0;
  let idleMemory = 0;
  for (const { spec, phase } of placed) {
    idleCpu += spec.idle.cpu;
    idleMemory += spec.idle.memory;
    for (let start = phase; start < horizon; start += spec.every) {
      for (let t = start; t < start + spec.duration; t++) {
        const s = t % horizon;
        cpu[s]! += spec.run.cpu - spec.idle.cpu;
        memory[s]! += spec.run.memory - spec.idle.memory;
        bandwidth[s]! += spec.run.bandwidth;
        active[s]! += 1;
        if (spec.exclusive) exclusive[s]! += 1;
      }
    }
  }
  const share = new Float64Array(horizon);
  const competing = new Uint8Array(horizon);
  const ratio = (used: number, capacity: number) => (capacity > 0 ? used / capacity : used > 0 ? Infinity : 0);
  for (let s = 0; s < horizon; s++) {
    const c = ratio(cpu[s]! + idleCpu, node.capacity.cpu);
    const m = ratio(memory[s]! + idleMemory, node.capacity.memory);
    const b = ratio(bandwidth[s]!, node.capacity.bandwidth);
    share[s] = Math.max(c, m, b);
    competing[s] = share[s]! > 1 + 1e-9 || (exclusive[s]! > 0 && active[s]! > 1) ? 1 : 0;
  }
  return { share, competing };
}

/** Height of the strip under a node's lanes, in pixels. */
export const LOAD_STRIP_HEIGHT = 18;

/**
 * The strip: the load as a grey area up to the capacity line (full height = 100 % of the
 * declared capacity), with the seconds where runs compete in red.
 */
export function renderLoadStrip(profile: LoadProfile, x: (t: number) => number, y: number): string {
  const h = LOAD_STRIP_HEIGHT - 4;
  const horizon = profile.share.length;
  const level = (t: number) => (y + h - Math.min(1, profile.share[t]!) * h).toFixed(2);
  // One step of the outline per change of load, not per second: pictures of big plans stay small.
  const points: string[] = [`${x(0).toFixed(2)},${y + h}`];
  const red: string[] = [];
  for (let t = 0; t < horizon; t++) {
    if (t === 0 || profile.share[t] !== profile.share[t - 1]) points.push(`${x(t).toFixed(2)},${level(t)}`);
    if (t + 1 === horizon || profile.share[t + 1] !== profile.share[t])
      points.push(`${x(t + 1).toFixed(2)},${level(t)}`);
    if (profile.competing[t] && (t === 0 || !profile.competing[t - 1])) {
      let end = t;
      while (end + 1 < horizon && profile.competing[end + 1]) end++;
      red.push(
        `<rect x="${x(t).toFixed(2)}" y="${y}" width="${Math.max(0.6, x(end + 1) - x(t)).toFixed(2)}" height="${h}" fill="#d00"/>`,
      );
    }
  }
  points.push(`${x(horizon).toFixed(2)},${y + h}`);
  const peak = profile.share.reduce((m, v) => Math.max(m, v), 0);
  const competingSeconds = profile.competing.reduce((n, c) => n + c, 0);
  const label = `load: peak ${Math.round(peak * 100)} % of declared capacity${competingSeconds > 0 ? `, ${competingSeconds} s competing` : ''}`;
  return [
    `<g class="load"><title>${label}</title>`,
    `<polygon points="${points.join(' ')}" fill="#bbb"/>`,
    ...red,
    `<line x1="${x(0)}" y1="${y}" x2="${x(horizon)}" y2="${y}" stroke="#888" stroke-dasharray="3,2"/>`,
    '</g>',
  ].join('');
}
