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
  /** Per second and resource: the share of the node's declared capacity in use (1 = full). */
  cpu: Float64Array;
  memory: Float64Array;
  bandwidth: Float64Array;
  /** Per second: how many runs are active on the node. */
  active: Uint16Array;
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
  // The per-second sums become shares in place: the arrays are not needed in absolute units after this.
  for (let s = 0; s < horizon; s++) {
    cpu[s] = ratio(cpu[s]! + idleCpu, node.capacity.cpu);
    memory[s] = ratio(memory[s]! + idleMemory, node.capacity.memory);
    bandwidth[s] = ratio(bandwidth[s]!, node.capacity.bandwidth);
    share[s] = Math.max(cpu[s]!, memory[s]!, bandwidth[s]!);
    competing[s] = share[s]! > 1 + 1e-9 || (exclusive[s]! > 0 && active[s]! > 1) ? 1 : 0;
  }
  return { share, cpu, memory, bandwidth, active, competing };
}

/** Height of the strip under a node's lanes, in pixels. */
export const LOAD_STRIP_HEIGHT = 18;

/**
 * The strip: the load as a grey area up to the capacity line (full height = 100 % of the
 * declared capacity), with the seconds where runs compete in red.
 */
export function renderLoadStrip(
  profile: Pick<LoadProfile, 'share' | 'competing'>,
  x: (t: number) => number,
  y: number,
): string {
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

/** Height of one resource strip under a node's lanes, in pixels. */
const RESOURCE_STRIP_HEIGHT = 10;
/** The rows under a node's lanes: cpu, memory, bandwidth, then the overlap row. */
export const RESOURCE_ROWS = ['cpu', 'memory', 'bandwidth'] as const;
/** Height of everything `renderCapacityStrips` draws under a node's lanes, in pixels. */
export const CAPACITY_STRIPS_HEIGHT = (RESOURCE_ROWS.length + 1) * (RESOURCE_STRIP_HEIGHT + 2);
/** Runs active together within capacity: allowed, but worth seeing (measurements may disturb each other). */
export const OVERLAP_COLOR = '#f0a000';
export const COMPETING_COLOR = '#d00';

/** Maximal runs of seconds where `on(t)` holds, as [start, end) pairs. */
function spans(horizon: number, on: (t: number) => boolean): [number, number][] {
  const out: [number, number][] = [];
  for (let t = 0; t < horizon; t++) {
    if (!on(t)) continue;
    let end = t;
    while (end + 1 < horizon && on(end + 1)) end++;
    out.push([t, end + 1]);
    t = end;
  }
  return out;
}

/**
 * A node's capacity use over the period, one strip per resource (full height = the declared
 * capacity, labelled at the left where a reader looks first), then one row marking the seconds
 * where runs overlap: amber where two or more runs co-run within capacity, red where they compete.
 */
export function renderCapacityStrips(
  profile: LoadProfile,
  x: (t: number) => number,
  y: number,
  labelX: number,
): string {
  const horizon = profile.share.length;
  const h = RESOURCE_STRIP_HEIGHT;
  const out: string[] = [];
  RESOURCE_ROWS.forEach((resource, k) => {
    const share = profile[resource];
    const top = y + k * (h + 2);
    const level = (t: number) => (top + h - Math.min(1, share[t]!) * h).toFixed(2);
    // One step of the outline per change of load, not per second: pictures of big plans stay small.
    const points: string[] = [`${x(0).toFixed(2)},${top + h}`];
    for (let t = 0; t < horizon; t++) {
      if (t === 0 || share[t] !== share[t - 1]) points.push(`${x(t).toFixed(2)},${level(t)}`);
      if (t + 1 === horizon || share[t + 1] !== share[t]) points.push(`${x(t + 1).toFixed(2)},${level(t)}`);
    }
    points.push(`${x(horizon).toFixed(2)},${top + h}`);
    const peak = share.reduce((m, v) => Math.max(m, v), 0);
    out.push(
      `<g class="strip ${resource}"><title>${resource}: peak ${Math.round(peak * 100)} % of declared capacity</title>` +
        `<text x="${labelX}" y="${top + h - 1}" text-anchor="end" font-size="9" fill="#555">${resource}</text>` +
        `<rect x="${x(0)}" y="${top}" width="${(x(horizon) - x(0)).toFixed(2)}" height="${h}" fill="#fafafa" stroke="#ddd"/>` +
        `<polygon points="${points.join(' ')}" fill="#aaa"/></g>`,
    );
  });
  const top = y + RESOURCE_ROWS.length * (h + 2);
  const overlapping = spans(horizon, (t) => profile.active[t]! > 1 && !profile.competing[t]);
  const competing = spans(horizon, (t) => profile.competing[t] === 1);
  const seconds = (list: [number, number][]) => list.reduce((n, [a, b]) => n + b - a, 0);
  const mark = ([a, b]: [number, number], color: string, kind: string) =>
    `<rect class="${kind}" x="${x(a).toFixed(2)}" y="${top}" width="${Math.max(0.6, x(b) - x(a)).toFixed(2)}" height="${h}" fill="${color}"/>`;
  const label =
    `overlap: ${seconds(overlapping)} s with runs co-running within capacity` +
    (competing.length > 0 ? `, ${seconds(competing)} s competing` : '');
  out.push(
    `<g class="overlaps"><title>${label}</title>` +
      `<text x="${labelX}" y="${top + h - 1}" text-anchor="end" font-size="9" fill="#555">overlap</text>` +
      overlapping.map((s) => mark(s, OVERLAP_COLOR, 'overlap')).join('') +
      competing.map((s) => mark(s, COMPETING_COLOR, 'competing')).join('') +
      '</g>',
  );
  return out.join('');
}
