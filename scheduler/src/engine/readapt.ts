/**
 * Readapt: when nothing fits, make room by moving up to k booked instances. Tries nodes that pass the
 * static filters (or fail them only because of instances that could move); on each, evicts the
 * blockers, books the newcomer, then re-places the evicted ones within their own constraints. Any
 * failure rolls everything back, so the cluster is as before.
 */
import type { Cluster } from './cluster.js';
import { staticFilter } from './filter.js';
import { idleFits, searchPhase, type Scratch } from './fit.js';
import type { InstanceSpec } from './instance.js';
import type { Choice } from './lookahead.js';
import type { BookedInstance, NodeState } from './node-state.js';
import type { Shape } from './shape.js';
import { isActive } from './time.js';
import type { Migration } from './types.js';
import { readaptThroughLinks } from './readapt-link.js';
import { BookingOrder, canLeave, cmp, conflicting, rollbackTo, size, type Undo } from './eviction.js';
import { RepairChain } from './repair-chain.js';
import { smallest } from './smallest.js';

/** How many nodes readapt tries, most promising first. */
const READAPT_NODES = 64;

/**
 * Which blockers go first: those most in the newcomer's way (fewest moves), then, when that fails on
 * every node, the smallest (each easier to re-place elsewhere, though more of them may have to move).
 * Tuning seeds 1–60 with --migrations 5: planted 90 % fill 4,811 → 4,864 pods, planted 100 % 4,307 → 4,366,
 * largest-last 872 → 880, colliding windows 917 → 921.
 */
type BlockerOrder = 'most-in-the-way' | 'smallest';
const BLOCKER_ORDERS: readonly BlockerOrder[] = ['most-in-the-way', 'smallest'];
/** The second order is tried on the most promising nodes only, so a refusal costs at most a quarter more. */
const SECOND_ORDER_NODES = READAPT_NODES / 4;

export type { Undo };

export interface Readapted {
  node: string;
  phase: number;
  migrations: Migration[];
  undo: Undo;
}

export class Readapt {
  private readonly chain: RepairChain;
  /** Whether the last run that found nothing was ended by its `stop` rather than having tried everything. */
  lastCut = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly scratch: Scratch,
    /** The ordinary decision, used to re-place the evicted instances. */
    private readonly decide: (spec: InstanceSpec, shape: Shape) => Choice | null,
  ) {
    this.chain = new RepairChain(cluster, decide);
  }

  /** `stop` is polled before each node tried (and by the chain search); once true, the run gives up. */
  run(spec: InstanceSpec, shape: Shape, k: number, stop?: () => boolean): Readapted | null {
    this.lastCut = false;
    // Candidates: nodes that pass the static filters, or fail them only because of at most k instances
    // (anti-affinity either way, same spread group) that could move elsewhere.
    const list = this.cluster.candidates(spec).filter((n) => {
      const rule = staticFilter(n, spec);
      // A rule that more bookings may lift (affinity) cannot be fixed by moving instances away.
      if (rule !== null && !rule.lasting) return false;
      if (rule !== null && conflicting(n, spec).length > k) return false;
      return idleRoomAfterEvicting(n, shape, k);
    });
    // Most promising first: fewest conflicts to move, then least crowded.
    const ranked = smallest(
      list.map((n) => ({ n, conflicts: conflicting(n, spec).length, crowd: n.count })),
      READAPT_NODES,
      (a, b) => a.conflicts - b.conflicts || a.crowd - b.crowd || a.n.index - b.n.index,
    ).map((x) => x.n);
    // A failed repair puts the bookings' order back too; a dry run's rollback does the same.
    const order = new BookingOrder(this.cluster);
    const found = this.search(spec, shape, k, ranked, stop);
    if (found) found.undo.order = order;
    else order.restore();
    return found;
  }

  private search(
    spec: InstanceSpec,
    shape: Shape,
    k: number,
    ranked: NodeState[],
    stop: (() => boolean) | undefined,
  ): Readapted | null {
    for (const blockerOrder of BLOCKER_ORDERS) {
      const nodes = blockerOrder === 'smallest' ? ranked.slice(0, SECOND_ORDER_NODES) : ranked;
      for (const node of nodes) {
        if (stop?.()) {
          this.lastCut = true;
          return null;
        }
        const attempt = this.tryEvictOn(node, spec, shape, k, blockerOrder);
        if (attempt) return attempt;
      }
    }
    // A shared link may be what blocks: its runs on other nodes behind it can move (readapt-link.ts).
    const context = {
      cluster: this.cluster,
      scratch: this.scratch,
      decide: this.decide,
      rollback: (u: Undo) => this.rollback(u),
      canLeave,
    };
    // Last, ejection chains: evicted bookings placed again by moving others in turn (repair-chain.ts).
    const found = readaptThroughLinks(context, spec, shape, k) ?? this.chain.run(spec, shape, k, stop);
    this.lastCut = found === null && this.chain.lastCut;
    return found;
  }

  /** Puts everything back as it was before the attempt that produced `undo`. */
  rollback(undo: Undo): void {
    rollbackTo(this.cluster, undo);
  }

  private tryEvictOn(
    node: NodeState,
    spec: InstanceSpec,
    shape: Shape,
    k: number,
    blockerOrder: BlockerOrder,
  ): Readapted | null {
    const undo: Undo = { evicted: [], placed: [] };
    // First the instances that rule the newcomer out (they must all go), then, by time overlap, those in its way.
    for (const b of conflicting(node, spec)) {
      if (!canLeave(b)) {
        this.rollback(undo);
        return null;
      }
      this.cluster.unbook(b);
      undo.evicted.push(b);
    }
    if (staticFilter(node, spec) !== null) {
      this.rollback(undo);
      return null;
    }
    const horizon = this.cluster.horizon;
    const blockers = [...node.booked.values()]
      .map((b) => ({ b, weight: overlapWeight(b, shape, horizon) }))
      .filter((x) => x.weight > 0 || shape.exclusive)
      .sort((a, b) =>
        blockerOrder === 'most-in-the-way'
          ? b.weight - a.weight || cmp(a.b.spec.id, b.b.spec.id)
          : size(a.b.shape) - size(b.b.shape) || b.weight - a.weight || cmp(a.b.spec.id, b.b.spec.id),
      );
    let fit: { phase: number } | null = searchPhase(node, shape, this.scratch, 'least-crowded');
    for (const { b } of blockers) {
      if (fit || undo.evicted.length >= k) break;
      if (!canLeave(b)) continue;
      this.cluster.unbook(b);
      undo.evicted.push(b);
      if (staticFilter(node, spec) !== null) break;
      fit = searchPhase(node, shape, this.scratch, 'least-crowded');
      if (fit) break;
    }
    if (!fit || staticFilter(node, spec) !== null) {
      this.rollback(undo);
      return null;
    }
    const newcomer = this.cluster.reserve(spec, shape, node, fit.phase);
    undo.placed.push(newcomer);
    const migrations: Migration[] = [];
    const order = [...undo.evicted].sort((a, b) => size(b.shape) - size(a.shape));
    for (const b of order) {
      const choice = this.decide(b.spec, b.shape);
      if (!choice) {
        this.rollback(undo);
        return null;
      }
      undo.placed.push(this.cluster.reserve(b.spec, b.shape, choice.node, choice.phase));
      if (choice.node !== b.node || choice.phase !== b.phase) {
        migrations.push({
          id: b.spec.id,
          from: { node: b.node.name, phase: b.phase },
          to: { node: choice.node.name, phase: choice.phase },
        });
      }
    }
    return { node: node.name, phase: fit.phase, migrations, undo };
  }
}

/** Whether evicting up to k instances could ever make the idle reservation fit (cheap prune). */
function idleRoomAfterEvicting(node: NodeState, shape: Shape, k: number): boolean {
  if (idleFits(node, shape)) return true;
  return node.count > 0 && k > 0;
}

/** How much of b's activity falls into the slots the newcomer could use from its release window. */
function overlapWeight(b: BookedInstance, shape: Shape, horizon: number): number {
  let w = 0;
  const end = Math.min(horizon, shape.every);
  for (let t = 0; t < end; t++) {
    const phaseOk = (t - shape.release + shape.every) % shape.every <= shape.kmax + shape.duration - 1;
    if (phaseOk && isActive(t, b.shape.every, b.shape.duration, b.phase)) w++;
  }
  return w * (1 + size(b.shape));
}
