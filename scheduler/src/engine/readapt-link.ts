/**
 * Readapt through a shared link: when a node would take the newcomer by its own slots but a link it sits
 * behind is full at every allowed phase, evicting on that node frees nothing — the runs filling the link
 * send from the other nodes behind it. This repair picks a node and a phase its own slots allow, evicts
 * (at most k) bookings that send through the blocking link at that time, on any node behind it, books
 * the newcomer, then re-places the evicted ones with the ordinary decision. Net gain: the newcomer, with
 * nobody lost; any failure rolls everything back, so the cluster is as before. Every placement goes
 * through the engine's own fit (node and link slots), so the result is legal by construction.
 */
import type { Cluster } from './cluster.js';
import { staticFilter } from './filter.js';
import { idleFits, searchPhase, type Scratch } from './fit.js';
import type { InstanceSpec } from './instance.js';
import { forEachRunSlot } from './link-state.js';
import { slotStep } from './period.js';
import type { Choice } from './lookahead.js';
import type { BookedInstance, NodeState } from './node-state.js';
import { linksConstrain } from './rules/link.js';
import type { Shape } from './shape.js';
import type { Migration } from './types.js';

/** Nodes behind a blocking link tried, in engine order (a repair is rare; its cost stays bounded). */
const LINK_READAPT_NODES = 8;
/** Node-feasible phases examined per node, evenly spread over the start window. */
const PHASES_PER_NODE = 4;
/** Attempts (node, phase) carried out per repair, fewest moves first. */
const ATTEMPTS = 8;

/** What an attempt moved, so that it can be undone (readapt.ts's Undo). */
interface Moved {
  evicted: BookedInstance[];
  placed: BookedInstance[];
}

/** A placement made by moving others (readapt.ts's Readapted). */
export interface LinkRepair {
  node: string;
  phase: number;
  migrations: Migration[];
  undo: Moved;
}

export interface LinkRepairContext {
  cluster: Cluster;
  scratch: Scratch;
  /** The ordinary decision, used to re-place the evicted instances. */
  decide: (spec: InstanceSpec, shape: Shape) => Choice | null;
  /** Puts back what an attempt moved. */
  rollback: (undo: Moved) => void;
  /** Whether a booking may leave its node (no instance there relies on it for affinity). */
  canLeave: (b: BookedInstance) => boolean;
}

/** A node, a phase its own slots allow, and the runs whose eviction frees its links then. */
interface Attempt {
  node: NodeState;
  phase: number;
  evict: BookedInstance[];
}

/**
 * Places `spec` by moving at most k bookings that send through a link blocking it, or returns null with
 * the cluster unchanged. Only instances that send bandwidth can be blocked by a link.
 */
export function readaptThroughLinks(
  ctx: LinkRepairContext,
  spec: InstanceSpec,
  shape: Shape,
  k: number,
): LinkRepair | null {
  if (k <= 0 || shape.run[2] === 0) return null;
  const attempts: Attempt[] = [];
  let nodes = 0;
  for (const node of ctx.cluster.candidates(spec)) {
    if (nodes >= LINK_READAPT_NODES) break;
    if (node.links.length === 0 || !linksConstrain(node, shape)) continue;
    if (staticFilter(node, spec) !== null || !idleFits(node, shape)) continue;
    const phases = nodeFeasiblePhases(node, shape);
    if (phases.length === 0) continue;
    nodes++;
    const step = Math.max(1, Math.floor(phases.length / PHASES_PER_NODE));
    for (let i = 0; i < phases.length; i += step) {
      const evict = evictionSet(ctx, node, shape, phases[i]!, k);
      if (evict) attempts.push({ node, phase: phases[i]!, evict });
    }
  }
  // Fewest moves first, then engine order, then the earliest phase.
  attempts.sort((a, b) => a.evict.length - b.evict.length || a.node.index - b.node.index || a.phase - b.phase);
  for (const attempt of attempts.slice(0, ATTEMPTS)) {
    const done = tryAttempt(ctx, spec, shape, attempt);
    if (done) return done;
  }
  return null;
}

/** Allowed phases of the start window where the node's own slots (capacity, exclusivity) take the run. */
function nodeFeasiblePhases(node: NodeState, shape: Shape): number[] {
  const P = shape.every;
  const bad = new Uint8Array(P);
  node.scanFold(shape, bad, null);
  const out: number[] = [];
  for (let i = 0, p = shape.release; i <= shape.kmax; i++, p = (p + 1) % P) {
    let free = true;
    for (let d = 0; d < shape.duration && free; d++) if (bad[(p + d) % P]) free = false;
    if (free) out.push(p);
  }
  return out;
}

/**
 * The runs to evict so that a run of `shape` at `phase` fits every link of the node, or null when no set
 * of at most k (each free to leave its node) does. Per link, the slots where the run would overflow it and
 * by how much; the bookings sending then, heaviest first (bandwidth × overflowing slots they share with
 * the run), are taken until every overflow is gone. Arithmetic only: nothing is unbooked to find out.
 */
function evictionSet(ctx: LinkRepairContext, node: NodeState, shape: Shape, phase: number, k: number) {
  const H = node.horizon;
  const bw = shape.run[2];
  /** Per link behind the node that the run would overflow: its slots and the excess in each (engine units). */
  const overflows: { slots: number[]; excess: number[]; link: (typeof node.links)[number] }[] = [];
  for (const link of node.links) {
    const slots: number[] = [];
    const excess: number[] = [];
    forEachRunSlot(phase, shape.every, shape.duration, H, (t) => {
      const e = link.loadAt(t) + bw - link.cap;
      if (e > 0) {
        slots.push(t);
        excess.push(e);
      }
    });
    if (slots.length > 0) overflows.push({ slots, excess, link });
  }
  if (overflows.length === 0) return null;
  // Each booking's share of the overflowing slots: its active slots read against a mark of those slots.
  const over = overMark(H);
  const weight = new Map<BookedInstance, number>();
  for (const { slots, link } of overflows) {
    for (const t of slots) over[t] = 1;
    for (const lb of link.booked.values()) {
      const b = ctx.cluster.booked.get(lb.spec.id);
      if (!b) continue;
      let shared = 0;
      forEachRunSlot(b.phase, b.shape.every, b.shape.duration, H, (t) => {
        shared += over[t]!;
      });
      if (shared > 0) weight.set(b, (weight.get(b) ?? 0) + shared * b.shape.run[2]);
    }
    for (const t of slots) over[t] = 0;
  }
  const ranked = [...weight]
    .sort((x, y) => y[1] - x[1] || cmp(x[0].spec.id, y[0].spec.id))
    .map(([b]) => b)
    .filter((b) => ctx.canLeave(b));
  const chosen: BookedInstance[] = [];
  let left = overflows.reduce((n, o) => n + o.slots.length, 0);
  for (const b of ranked) {
    if (left === 0 || chosen.length >= k) break;
    chosen.push(b);
    const { step, length } = slotStep(b.shape.every, b.shape.duration, H);
    for (const o of overflows) {
      if (!b.node.links.includes(o.link)) continue;
      for (let i = 0; i < o.slots.length; i++) {
        if (o.excess[i]! <= 0 || (((o.slots[i]! - b.phase) % step) + step) % step >= length) continue;
        o.excess[i]! -= b.shape.run[2];
        if (o.excess[i]! <= 0) left--;
      }
    }
  }
  return left === 0 ? chosen : null;
}

/** One zeroed mark per horizon length, shared by every repair (a repair leaves it zeroed). */
let overBuffer = new Uint8Array(0);
function overMark(horizon: number): Uint8Array {
  if (overBuffer.length < horizon) overBuffer = new Uint8Array(horizon);
  return overBuffer;
}

function tryAttempt(ctx: LinkRepairContext, spec: InstanceSpec, shape: Shape, a: Attempt): LinkRepair | null {
  const { cluster, scratch } = ctx;
  const undo: Moved = { evicted: [], placed: [] };
  for (const b of a.evict) {
    cluster.unbook(b);
    undo.evicted.push(b);
  }
  const fit = searchPhase(a.node, shape, scratch, 'least-crowded');
  // Evicting an affinity partner from the node itself could break the newcomer's own rules.
  if (!fit || staticFilter(a.node, spec) !== null) {
    ctx.rollback(undo);
    return null;
  }
  undo.placed.push(cluster.reserve(spec, shape, a.node, fit.phase));
  const migrations: Migration[] = [];
  const order = [...undo.evicted].sort((x, y) => y.shape.run[2] - x.shape.run[2] || cmp(x.spec.id, y.spec.id));
  for (const b of order) {
    const choice = ctx.decide(b.spec, b.shape);
    if (!choice) {
      ctx.rollback(undo);
      return null;
    }
    undo.placed.push(cluster.reserve(b.spec, b.shape, choice.node, choice.phase));
    if (choice.node !== b.node || choice.phase !== b.phase)
      migrations.push({
        id: b.spec.id,
        from: { node: b.node.name, phase: b.phase },
        to: { node: choice.node.name, phase: choice.phase },
      });
  }
  return { node: a.node.name, phase: fit.phase, migrations, undo };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
