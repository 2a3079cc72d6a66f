/**
 * The cluster as the engine holds it: nodes in arrival order, bookings, which nodes host which app,
 * the anti-affinity seen so far, and the candidate lists per selector. Every booking and release goes
 * through here, so the cache stamps (invalidation.ts) move on every change and nowhere else.
 */
import { matchesSelector } from './filter.js';
import type { InstanceSpec, NodeSpec } from './instance.js';
import { HerdProfile } from './herd.js';
import { Invalidation } from './invalidation.js';
import { LinkState } from './link-state.js';
import { NoFitVerdicts } from './no-fit.js';
import { NodeState, type BookedInstance } from './node-state.js';
import type { Shape } from './shape.js';
import { SlotBudget } from './slot-budget.js';

/** "k1=v1,k2=v2": a nodeSelector as a cache key. */
export function selectorKey(selector: Record<string, string>): string {
  return Object.keys(selector)
    .sort()
    .map((k) => `${k}=${selector[k]}`)
    .join(',');
}

export class Cluster {
  readonly nodes: NodeState[] = [];
  readonly byName = new Map<string, NodeState>();
  readonly booked = new Map<string, BookedInstance>();
  /** App → the nodes hosting at least one instance of it. */
  readonly hosts = new Map<string, Set<NodeState>>();
  /** Anti-affinity seen so far, both ways (app → apps): which apps refuse an app, and which it refuses. */
  readonly refusersOf = new Map<string, Map<string, 1>>();
  readonly antiOf = new Map<string, Map<string, 1>>();
  readonly invalidation = new Invalidation();
  /** When the runs of each app's spread pods are active, cluster-wide (herd.ts). */
  readonly herd = new HerdProfile();
  /** The nodes' "does not fit" verdicts, in one table (see no-fit.ts). */
  private readonly verdicts = new NoFitVerdicts();
  /** The memory budget of the nodes' slot arrays and folds (slot-budget.ts). */
  readonly slotBudget: SlotBudget;
  /** Shared links by name, with the nodes behind them (link-state.ts). */
  readonly links = new Map<string, LinkState<NodeState>>();
  /** The largest run bandwidth of any shape compiled so far: a link below it in every slot blocks nothing. */
  readonly seen = { maxRunBandwidth: 0 };
  private readonly candidateCache = new Map<string, NodeState[]>();
  private candidateTopology = 0;
  /** Order of arrival of nodes, never reused: ties between nodes break on it, so a replaced node sorts last. */
  private nextNodeIndex = 0;

  constructor(
    readonly horizon: number,
    /** Bytes of slot arrays and folds kept at most (slot-budget.ts); the default when absent. */
    slotBudgetBytes?: number,
  ) {
    this.slotBudget = new SlotBudget(slotBudgetBytes);
  }

  addNode(spec: NodeSpec): void {
    if (this.byName.has(spec.name)) throw new Error(`node ${spec.name} is already known to the engine`);
    const node = new NodeState(this.nextNodeIndex++, spec, this.horizon, this.verdicts, this.slotBudget);
    for (const l of spec.links ?? []) {
      let link = this.links.get(l.name);
      if (!link) this.links.set(l.name, (link = new LinkState<NodeState>(l.name, this.horizon, this.seen)));
      // A capacity changed by the newcomer changes what fits on every node already behind the link.
      if (link.declare(spec.name, l.capacity)) for (const peer of link.nodes) this.invalidation.released(peer);
      link.nodes.add(node);
      node.links.push(link);
    }
    this.nodes.push(node);
    this.byName.set(spec.name, node);
    this.invalidation.nodeAdded();
  }

  /** Drops the node and returns what was booked on it (released first). */
  removeNode(name: string): BookedInstance[] {
    const node = this.byName.get(name);
    if (!node) return [];
    const out = [...node.booked.values()];
    for (const b of out) this.unbook(b);
    node.dead = true;
    for (const link of node.links) {
      link.nodes.delete(node);
      if (link.withdraw(name)) for (const peer of link.nodes) this.invalidation.released(peer);
      if (link.nodes.size === 0) this.links.delete(link.name);
    }
    // Dropped from the list (which stays in arrival order) so node churn does not keep slot arrays alive.
    this.nodes.splice(this.nodes.indexOf(node), 1);
    node.dropSlots();
    this.byName.delete(name);
    this.invalidation.nodeRemoved();
    return out;
  }

  /** Nodes matching the pin and the nodeSelector, in engine order (cached per selector and pin). */
  candidates(spec: InstanceSpec): NodeState[] {
    if (this.candidateTopology !== this.invalidation.topology) {
      this.candidateCache.clear();
      this.candidateTopology = this.invalidation.topology;
    }
    const sel = selectorKey(spec.nodeSelector);
    const key = spec.node === null ? sel : `${sel}|@${spec.node}`;
    let list = this.candidateCache.get(key);
    if (!list) {
      const pool = spec.node === null ? this.nodes : this.byName.has(spec.node) ? [this.byName.get(spec.node)!] : [];
      list = pool.filter((n) => !n.dead && matchesSelector(n, spec.nodeSelector));
      this.candidateCache.set(key, list);
    }
    return list;
  }

  learnAntiAffinity(spec: InstanceSpec): void {
    for (const a of spec.antiAffinity) {
      let r = this.refusersOf.get(a);
      if (!r) this.refusersOf.set(a, (r = new Map()));
      r.set(spec.app, 1);
      let o = this.antiOf.get(spec.app);
      if (!o) this.antiOf.set(spec.app, (o = new Map()));
      o.set(a, 1);
    }
  }

  /** Whether app b is already unable to join the node (anti-affinity either way). */
  excludes(node: NodeState, b: string): boolean {
    if (node.refused.has(b)) return true;
    const refusedByB = this.antiOf.get(b);
    if (refusedByB) for (const a of refusedByB.keys()) if (node.apps.has(a)) return true;
    return false;
  }

  reserve(spec: InstanceSpec, shape: Shape, node: NodeState, phase: number): BookedInstance {
    const b: BookedInstance = { spec, shape, node, phase };
    node.apply(b, 1);
    for (const l of node.links) l.apply(b, 1);
    this.invalidation.booked(node);
    this.onPeers(node, (peer) => this.invalidation.booked(peer));
    this.booked.set(spec.id, b);
    this.herd.apply(b, 1);
    let h = this.hosts.get(spec.app);
    if (!h) this.hosts.set(spec.app, (h = new Set()));
    h.add(node);
    return b;
  }

  unbook(b: BookedInstance): void {
    // Whether the links could block anything is read with the load still on them.
    const peers = this.relevantPeers(b.node);
    b.node.apply(b, -1);
    for (const l of b.node.links) l.apply(b, -1);
    this.invalidation.released(b.node);
    for (const peer of peers) this.invalidation.released(peer);
    this.booked.delete(b.spec.id);
    this.herd.apply(b, -1);
    if (!b.node.apps.has(b.spec.app)) {
      const h = this.hosts.get(b.spec.app);
      h?.delete(b.node);
      if (h && h.size === 0) this.hosts.delete(b.spec.app);
    }
  }

  /**
   * Runs `measure` with `b` booked on its node for a moment, then restores the node exactly. A trial
   * is not a departure: the node's "does not fit" verdicts stay valid.
   */
  trial<T>(b: BookedInstance, measure: () => T): T {
    b.node.apply(b, 1);
    for (const l of b.node.links) l.apply(b, 1);
    const peers = this.relevantPeers(b.node);
    try {
      return measure();
    } finally {
      b.node.apply(b, -1);
      for (const l of b.node.links) l.apply(b, -1);
      this.invalidation.tried(b.node);
      for (const peer of peers) this.invalidation.tried(peer);
    }
  }

  /** Records a compiled shape's run bandwidth (links compare their free room with the largest). */
  noteShape(shape: Shape): void {
    if (shape.run[2] > this.seen.maxRunBandwidth) this.seen.maxRunBandwidth = shape.run[2];
  }

  private onPeers(node: NodeState, each: (peer: NodeState) => void): void {
    for (const peer of this.relevantPeers(node)) each(peer);
  }

  /** The other nodes behind the node's links that can block a run: what fits on them follows this node's load. */
  private relevantPeers(node: NodeState): NodeState[] {
    if (node.links.length === 0) return [];
    const out = new Set<NodeState>();
    for (const l of node.links) if (l.relevant()) for (const peer of l.nodes) if (peer !== node) out.add(peer);
    return [...out];
  }
}
