/**
 * What every repair (readapt.ts, readapt-link.ts, repair-chain.ts) shares: which bookings may leave their
 * node, which ones rule a newcomer out of a node, how large a booking is, the record of what a repair
 * moved (so that it can be undone, all of it or back to a mark) and the migrations that record stands for.
 */
import type { Cluster } from './cluster.js';
import type { InstanceSpec } from './instance.js';
import type { BookedInstance, NodeState } from './node-state.js';
import { antiAffinityConflict } from './rules/anti-affinity.js';
import { sameSpreadGroup } from './rules/spread.js';
import type { Shape } from './shape.js';
import type { Migration } from './types.js';

/** What was moved, in order, so that it can be undone: bookings taken off their node, bookings made. */
export interface Undo {
  evicted: BookedInstance[];
  placed: BookedInstance[];
  /** The bookings' order before the repair, put back by a full rollback. */
  order?: BookingOrder;
}

/**
 * The order of the cluster's bookings (the cluster's, each node's, each link's) before a repair. A booking
 * taken off and booked again goes to the end of those maps, and a few readers follow their order (which
 * conflicting instance is evicted first, the order of listed bookings): after a failed repair the order
 * is put back, so the cluster is as it was, not only equal as a set. Costs one pass over the bookings.
 */
export class BookingOrder {
  private readonly before: BookedInstance[];

  constructor(private readonly cluster: Cluster) {
    this.before = [...cluster.booked.values()];
  }

  /** Puts the order back; the cluster must hold the same bookings as when this was taken. */
  restore(): void {
    const { cluster } = this;
    const now: BookedInstance[] = [];
    const nodes = new Set<NodeState>();
    for (const b of this.before) {
      const current = cluster.booked.get(b.spec.id);
      // Not the bookings it was taken from: leave the order alone rather than drop a booking.
      if (!current) return;
      if (current !== b) nodes.add(current.node);
      now.push(current);
    }
    if (nodes.size === 0) return;
    cluster.booked.clear();
    // One pass over the bookings, each dealt to its node's and its links' lists when those are rebuilt.
    type Link = NodeState['links'][number];
    const onNode = new Map<NodeState, BookedInstance[]>([...nodes].map((n) => [n, []]));
    const onLink = new Map<Link, BookedInstance[]>();
    for (const node of nodes) for (const l of node.links) onLink.set(l, []);
    for (const b of now) {
      cluster.booked.set(b.spec.id, b);
      onNode.get(b.node)?.push(b);
      if (onLink.size > 0) for (const l of b.node.links) if (l.booked.has(b.spec.id)) onLink.get(l)?.push(b);
    }
    for (const [node, mine] of onNode) {
      node.booked.clear();
      for (const b of mine) node.booked.set(b.spec.id, b);
      if (node.folded.size === 0) continue;
      const folded = mine.filter((b) => node.folded.has(b));
      node.folded.clear();
      for (const b of folded) node.folded.add(b);
    }
    for (const [l, sending] of onLink) {
      l.booked.clear();
      for (const b of sending) l.booked.set(b.spec.id, b);
    }
  }
}

/** A position in an Undo: rolling back to it undoes only what came after. */
export interface UndoMark {
  evicted: number;
  placed: number;
}

export function markOf(undo: Undo): UndoMark {
  return { evicted: undo.evicted.length, placed: undo.placed.length };
}

/**
 * Puts back everything recorded after `mark` (everything, by default): the bookings made are released
 * newest first, then the evicted ones are booked again where they were. Each evicted booking was in
 * place at the mark, so the cluster holds exactly the bookings it held then.
 */
export function rollbackTo(cluster: Cluster, undo: Undo, mark: UndoMark = { evicted: 0, placed: 0 }): void {
  for (let i = undo.placed.length - 1; i >= mark.placed; i--) {
    const p = undo.placed[i]!;
    if (cluster.booked.get(p.spec.id) === p) cluster.unbook(p);
  }
  for (let i = undo.evicted.length - 1; i >= mark.evicted; i--) {
    const e = undo.evicted[i]!;
    cluster.reserve(e.spec, e.shape, e.node, e.phase);
  }
  undo.placed.length = mark.placed;
  undo.evicted.length = mark.evicted;
  if (mark.placed === 0 && mark.evicted === 0) undo.order?.restore();
}

/**
 * The moves a repair made, one per evicted booking that ended somewhere else (node or phase), from where
 * it was to where it is now: exactly what the webhook must carry out.
 */
export function migrationsOf(undo: Undo): Migration[] {
  const now = new Map<string, BookedInstance>();
  for (const p of undo.placed) now.set(p.spec.id, p);
  const out: Migration[] = [];
  for (const e of undo.evicted) {
    const to = now.get(e.spec.id);
    if (!to || (to.node === e.node && to.phase === e.phase)) continue;
    out.push({
      id: e.spec.id,
      from: { node: e.node.name, phase: e.phase },
      to: { node: to.node.name, phase: to.phase },
    });
  }
  return out;
}

/** An instance may leave its node unless another instance there relies on it for affinity. */
export function canLeave(b: BookedInstance): boolean {
  if ((b.node.apps.get(b.spec.app) ?? 0) > 1) return true;
  for (const o of b.node.booked.values()) if (o !== b && o.spec.affinity.includes(b.spec.app)) return false;
  return true;
}

/** Instances on the node that the static rules say cannot share it with spec (anti-affinity both ways, spread). */
export function conflicting(node: NodeState, spec: InstanceSpec): BookedInstance[] {
  const out: BookedInstance[] = [];
  for (const b of node.booked.values()) {
    if (antiAffinityConflict(spec, b.spec) || sameSpreadGroup(spec, b.spec)) out.push(b);
  }
  return out;
}

/** A booking's size: its run demand (bandwidth weighs a thousandth) times the share of the period it runs. */
export function size(shape: Shape): number {
  return (shape.run[0] + shape.run[1] + shape.run[2] / 1000) * (shape.duration / shape.every);
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
