/**
 * Time-aware first-fit: the plain baseline the engine must never fall below. In arrival order, each
 * instance takes the first node (in the nodes' order) and the first phase of its start window (in
 * the window's order) where it fits in time and resources and breaks no rule; otherwise it is refused.
 * No scoring, no look-ahead, no moves. Its own state (per-second load over the horizon, per node and per
 * shared link), so it shares no code with the engine it is compared with; the independent checker judges
 * both. A shared link (a site's uplink) is honoured as a node's bandwidth is: in every second, the run
 * bandwidth of the pods active on all nodes behind it stays within the link's capacity (the smallest any
 * of them declares).
 */
import { allowedPhases, type InstanceSpec, type NodeSpec } from '../engine/index.js';

export interface FirstFitResult {
  placed: { id: string; node: string; phase: number }[];
  rejected: { id: string; reason: string }[];
}

/** Per second, the run bandwidth the pods active on the nodes behind one link send through it. */
interface LinkLoad {
  cap: number;
  load: Float64Array;
}

interface NodeLoad {
  spec: NodeSpec;
  links: LinkLoad[];
  cap: [number, number, number];
  /** Σ idle of the pods here (constant over time). */
  idle: [number, number, number];
  /** Per second, Σ (run − idle) of the pods running then. */
  extra: [Float64Array, Float64Array, Float64Array];
  /** max over seconds of extra, per resource. */
  maxExtra: [number, number, number];
  /** Per second: pods running, and exclusive pods running. */
  running: Int32Array;
  exclusive: Int32Array;
  pods: InstanceSpec[];
}

const EPS = 1e-9;

function fits(node: NodeLoad, s: InstanceSpec, phase: number, H: number): boolean {
  const idle = [s.idle.cpu, s.idle.memory, 0];
  const run = [s.run.cpu, s.run.memory, s.run.bandwidth];
  // While not running the pod only adds its idle load: checking the node's worst second covers them all.
  const idleFitsAlways = [0, 1, 2].every((r) => node.idle[r]! + node.maxExtra[r]! + idle[r]! <= node.cap[r]! + EPS);
  const slotFits = (t: number, on: boolean): boolean => {
    if (on && (node.exclusive[t]! > 0 || (s.exclusive && node.running[t]! > 0))) return false;
    for (let r = 0; r < 3; r++) {
      if (node.idle[r]! + node.extra[r]![t]! + (on ? run[r]! : idle[r]!) > node.cap[r]! + EPS) return false;
    }
    return true;
  };
  if (!idleFitsAlways) {
    for (let t = 0; t < H; t++)
      if (!slotFits(t, (((t - phase) % s.every) + s.every) % s.every < s.duration)) return false;
  } else {
    for (let c = 0; c < H; c += s.every)
      for (let d = 0; d < s.duration; d++) if (!slotFits((c + phase + d) % H, true)) return false;
  }
  return linksFit(node, s, phase, H);
}

/** Whether the run's bandwidth fits on every link behind the node in each of its active seconds. */
function linksFit(node: NodeLoad, s: InstanceSpec, phase: number, H: number): boolean {
  const bw = s.run.bandwidth;
  if (bw === 0) return true;
  for (const link of node.links)
    for (let c = 0; c < H; c += s.every)
      for (let d = 0; d < s.duration; d++) if (link.load[(c + phase + d) % H]! + bw > link.cap + EPS) return false;
  return true;
}

function rulesAllow(node: NodeLoad, s: InstanceSpec): boolean {
  if (s.node !== null && s.node !== node.spec.name) return false;
  for (const [k, v] of Object.entries(s.nodeSelector)) if (node.spec.labels[k] !== v) return false;
  for (const a of s.affinity) if (!node.pods.some((p) => p.app === a && p.id !== s.id)) return false;
  for (const p of node.pods) {
    if (s.antiAffinity.includes(p.app) || p.antiAffinity.includes(s.app)) return false;
    if (s.spreadGroup !== null && s.spreadGroup === p.spreadGroup) return false;
  }
  return true;
}

function book(node: NodeLoad, s: InstanceSpec, phase: number, H: number): void {
  node.idle[0] += s.idle.cpu;
  node.idle[1] += s.idle.memory;
  const extra = [s.run.cpu - s.idle.cpu, s.run.memory - s.idle.memory, s.run.bandwidth];
  for (let t = 0; t < H; t++) {
    if ((((t - phase) % s.every) + s.every) % s.every >= s.duration) continue;
    for (let r = 0; r < 3; r++) {
      node.extra[r]![t]! += extra[r]!;
      node.maxExtra[r] = Math.max(node.maxExtra[r]!, node.extra[r]![t]!);
    }
    node.running[t]!++;
    if (s.exclusive) node.exclusive[t]!++;
    for (const link of node.links) link.load[t]! += s.run.bandwidth;
  }
  node.pods.push(s);
}

/** Places in the given order; instances whose period does not divide the horizon are refused as such. */
export function firstFit(nodes: NodeSpec[], apps: { horizon: number; instances: InstanceSpec[] }): FirstFitResult {
  const H = apps.horizon;
  const links = new Map<string, LinkLoad>();
  const linkOf = (name: string, capacity: number): LinkLoad => {
    const known = links.get(name);
    if (known) {
      known.cap = Math.min(known.cap, capacity);
      return known;
    }
    const created = { cap: capacity, load: new Float64Array(H) };
    links.set(name, created);
    return created;
  };
  const state: NodeLoad[] = nodes.map((spec) => ({
    spec,
    links: (spec.links ?? []).map((l) => linkOf(l.name, l.capacity)),
    cap: [spec.capacity.cpu, spec.capacity.memory, spec.capacity.bandwidth],
    idle: [0, 0, 0],
    extra: [new Float64Array(H), new Float64Array(H), new Float64Array(H)],
    maxExtra: [0, 0, 0],
    running: new Int32Array(H),
    exclusive: new Int32Array(H),
    pods: [],
  }));
  const result: FirstFitResult = { placed: [], rejected: [] };
  for (const s of apps.instances) {
    if (H % s.every !== 0) {
      result.rejected.push({ id: s.id, reason: `period ${s.every} s does not divide the horizon (${H} s)` });
      continue;
    }
    let done = false;
    for (const node of state) {
      if (!rulesAllow(node, s)) continue;
      for (const phase of allowedPhases(s.every, s.startWithin, s.release)) {
        if (!fits(node, s, phase, H)) continue;
        book(node, s, phase, H);
        result.placed.push({ id: s.id, node: node.spec.name, phase });
        done = true;
        break;
      }
      if (done) break;
    }
    if (!done) result.rejected.push({ id: s.id, reason: 'no node and phase of its start window fits' });
  }
  return result;
}
