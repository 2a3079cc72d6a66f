/**
 * Link: nodes behind one shared link (a site's uplink) share its bandwidth. In every slot, the run
 * bandwidth of the instances active on all nodes behind a link stays within the link's capacity, as a
 * node's own bandwidth does (two bandwidth tests behind one uplink distort each other exactly as two
 * on one node do). A node declares its links and their capacities (contract: NODE_LINK_* keys); where
 * declarations disagree, the smallest capacity wins and the disagreement is reported.
 *  - filter and phases: a run is blocked in a slot where it would push any of its node's links over
 *    capacity — LinkState keeps the per-slot load (`markLinkBlocked`, read by fit.ts);
 *  - refusal: rule 'link' when some node would take the run but its links are full at every allowed
 *    phase, naming the link and its load ("link site-a is full at that time: 2 × 600 Mbps on 1 Gbps");
 *  - checker: `checkLinks`, per slot of each link, counted as competing slot-seconds.
 */
import type { InstanceSpec, NodeSpec } from '../instance.js';
import { forEachRunSlot, type LinkState } from '../link-state.js';
import type { NodeState } from '../node-state.js';
import type { Shape } from '../shape.js';
import { InputError } from '@nmaas/sdk/kit';
import { gcd, slotStep } from '../period.js';
import { formatSlot } from '../time.js';
import { formatValue } from '../units.js';
import { idleShortfall, overCapacity } from './capacity.js';

/** Whether any of the node's links constrains a run of `shape` (else the node-only shortcuts hold). */
export function linksConstrain(node: NodeState, shape: Shape): boolean {
  for (const l of node.links) if (l.constrains(shape)) return true;
  return false;
}

/** ORs into bad[0..P) the period offsets where some repetition of a run would overflow one of the node's links. */
export function markLinkBlocked(node: NodeState, shape: Shape, bad: Uint8Array): void {
  for (const l of node.links) l.markBlocked(shape, bad);
}

/** How many active slots of a run at `phase` would overflow link `l` (for a given booking; 0: it fits). */
export function linkOverSlots(l: LinkState, shape: Shape, phase: number): number {
  if (shape.run[2] === 0) return 0;
  let over = 0;
  forEachRunSlot(phase, shape.every, shape.duration, l.horizon, (t) => {
    if (l.blockedAt(t, shape)) over++;
  });
  return over;
}

/** A link full at the time a run needs it: its name, capacity, and the runs sending through it then. */
export interface LinkBlock {
  link: string;
  /** Capacity in Mbps. */
  capacity: number;
  /** First slot of the run's best allowed window where the link is full. */
  at: number;
  /** Bandwidth (Mbps) of each run active on the link then, largest first, and their booking ids. */
  runs: number[];
  culprits: string[];
}

/**
 * The link that blocks a run on `node` at `phase`: the first of the node's links over capacity in one of
 * the run's slots, with what sends through it then. Null when no link blocks that phase.
 */
export function linkBlockAt(node: NodeState, shape: Shape, phase: number): LinkBlock | null {
  const { step, length } = slotStep(shape.every, shape.duration, node.horizon);
  for (let start = phase % step; start < node.horizon; start += step)
    for (let d = 0; d < length; d++) {
      const t = (start + d) % node.horizon;
      for (const l of node.links)
        if (l.blockedAt(t, shape))
          // A link smaller than the run itself is named as such, whatever else is sending then.
          return shape.run[2] > l.cap ? { ...blockOf(l, t), runs: [], culprits: [] } : blockOf(l, t);
    }
  return null;
}

function blockOf(l: LinkState, t: number): LinkBlock {
  const active = l.activeAt(t).sort((a, b) => b.shape.run[2] - a.shape.run[2] || (a.spec.id < b.spec.id ? -1 : 1));
  return {
    link: l.name,
    capacity: l.capacityMbps,
    at: t,
    runs: active.map((b) => b.shape.run[2] / 1000),
    culprits: active.map((b) => b.spec.id),
  };
}

/**
 * For a refusal: the nodes whose own slots would take the run at some allowed phase while their links
 * are full (the decision found no place, so every such phase is link-blocked). The closest is the first
 * in engine order, with the link full at its first node-feasible phase. Null when no node is blocked by
 * its links alone (the node-capacity refusal then applies). O(H) per node behind a link.
 */
export function closestLinkBlock(
  shape: Shape,
  roomy: readonly NodeState[],
): { closest: { node: string; phase: number }; block: LinkBlock; linkBlocked: number } | null {
  if (shape.run[2] === 0) return null;
  const P = shape.every;
  const bad = new Uint8Array(P);
  let found: { closest: { node: string; phase: number }; block: LinkBlock } | null = null;
  let linkBlocked = 0;
  for (const node of roomy) {
    if (node.links.length === 0 || idleShortfall(node, shape) >= 0) continue;
    node.scanFold(shape, bad, null);
    let phase = -1;
    for (let k = 0, p = shape.release; k <= shape.kmax && phase < 0; k++, p = (p + 1) % P) {
      let free = true;
      for (let d = 0; d < shape.duration && free; d++) if (bad[(p + d) % P]) free = false;
      if (free) phase = p;
    }
    if (phase < 0) continue;
    const block = linkBlockAt(node, shape, phase);
    if (block === null) continue;
    linkBlocked++;
    found ??= { closest: { node: node.name, phase }, block };
  }
  return found ? { ...found, linkBlocked } : null;
}

/** "2 × 600 Mbps + 300 Mbps on 1 Gbps". */
export function describeLinkLoad(runs: number[], capacity: number): string {
  const groups: { mbps: number; n: number }[] = [];
  for (const r of runs) {
    const g = groups.find((x) => x.mbps === r);
    if (g) g.n++;
    else groups.push({ mbps: r, n: 1 });
  }
  const load = groups.map((g) => (g.n > 1 ? `${g.n} × ${formatValue(2, g.mbps)}` : formatValue(2, g.mbps))).join(' + ');
  return `${load || 'nothing'} on ${formatValue(2, capacity)}`;
}

/** The refusal's sentence about the link. */
export function describeLinkBlock(b: LinkBlock, nameOf: (id: string) => string): string {
  const who = b.culprits.length > 0 ? ` (${b.culprits.map(nameOf).join(', ')})` : '';
  if (b.runs.length === 0) return `link ${b.link} is smaller than one run: ${formatValue(2, b.capacity)}`;
  return `link ${b.link} is full at that time: ${describeLinkLoad(b.runs, b.capacity)} at ${formatSlot(b.at)}${who}`;
}

/** Links as declared by nodes: per link, the smallest capacity and the nodes behind it. */
export function declaredLinks(nodes: NodeSpec[]): Map<string, { capacity: number; nodes: string[] }> {
  const out = new Map<string, { capacity: number; nodes: string[] }>();
  for (const n of nodes)
    for (const l of n.links ?? []) {
      const known = out.get(l.name);
      if (known) {
        known.capacity = Math.min(known.capacity, l.capacity);
        known.nodes.push(n.name);
      } else out.set(l.name, { capacity: l.capacity, nodes: [n.name] });
    }
  return out;
}

/** Most run starts and ends the checker sweeps on one link; a longer cycle is refused, not half-checked. */
const MAX_LINK_SWEEP_EVENTS = 4_000_000;

/**
 * The checker's view, from the definition: per link, the run bandwidth of every instance active on a node
 * behind it, in floating point, swept from run start to run end over one cycle (the lcm of the horizon and
 * of the periods sending through the link), as the checker sweeps a node. Returns the link-seconds over
 * capacity and one message per link.
 */
export function checkLinks(
  nodes: NodeSpec[],
  onNode: Map<string, { spec: InstanceSpec; phase: number }[]>,
  horizon: number,
): { overSlots: number; messages: string[] } {
  let overSlots = 0;
  const messages: string[] = [];
  for (const [name, link] of declaredLinks(nodes)) {
    const runs = link.nodes.flatMap((n) => onNode.get(n) ?? []).filter((x) => x.spec.run.bandwidth > 0);
    if (runs.length === 0) continue;
    let cycle = horizon;
    for (const { spec } of runs) {
      cycle = (cycle / gcd(cycle, spec.every)) * spec.every;
      if (!Number.isSafeInteger(cycle)) break;
    }
    const edges = Number.isSafeInteger(cycle)
      ? runs.reduce((n, { spec }) => n + 2 * (cycle / spec.every) + 2, 0)
      : Infinity;
    if (edges > MAX_LINK_SWEEP_EVENTS) {
      const periods = [...new Set(runs.map((r) => r.spec.every))].sort((a, b) => a - b);
      throw new InputError(
        `link ${name}: the periods sending through it (${periods.slice(0, 8).join(', ')} s) repeat together only ` +
          `every ${Number.isSafeInteger(cycle) ? `${cycle} s` : 'more than 2^53 s'}; checking that cycle exactly takes more ` +
          `than ${MAX_LINK_SWEEP_EVENTS} run starts and ends. Use periods with a larger common divisor (whole minutes or hours)`,
      );
    }
    // Edges as [time, +bandwidth at a start / −bandwidth at an end]; at one instant ends come first
    // (runs are half-open), so the sort is by time, then by sign.
    const events: [number, number][] = [];
    for (const { spec, phase } of runs) {
      const p = ((phase % spec.every) + spec.every) % spec.every;
      const bw = spec.run.bandwidth;
      for (let t = p; t < cycle; t += spec.every) {
        const end = t + spec.duration;
        events.push([t, bw]);
        if (end <= cycle) events.push([end, -bw]);
        else events.push([cycle, -bw], [0, bw], [end - cycle, -bw]);
      }
    }
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let over = 0;
    let first = -1;
    let worst = 0;
    let load = 0;
    let at = 0;
    for (const [time, delta] of events) {
      if (time > at) {
        if (overCapacity(load, link.capacity)) {
          over += time - at;
          if (first < 0 || at < first) first = at;
          if (load > worst) worst = load;
        }
        at = time;
      }
      load += delta;
    }
    if (over > 0) {
      overSlots += over;
      messages.push(
        `link ${name}: bandwidth over capacity in ${over} slot(s), first at ${formatSlot(first)} (up to ${formatValue(2, worst)} on ${formatValue(2, link.capacity)})`,
      );
    }
  }
  return { overSlots, messages };
}
