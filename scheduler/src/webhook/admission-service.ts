/**
 * The admission service: the one owner of the scheduler's state and engine on the decision path.
 * It answers "may this measurement run, and where?" in domain terms (a placement or a structured
 * refusal) and keeps the invariants that span the engine and the tracked pods inside one call:
 *  - every booking the engine holds for an admission has a tracked entry (and the reverse), so a
 *    pod the API server never persists is released by the reconciler;
 *  - a migration the cluster cannot carry out (an eviction refused) is undone before answering;
 *  - a dry run books nothing.
 * What the caller sees carries no sentences and no HTTP codes: those are chosen at the edge
 * (`admission-answer.ts`), where booking ids become pod names.
 */
import type { Decision, PodContract } from '@nmaas/sdk/contract';
import {
  instanceFromContract,
  type InstanceSpec,
  type Migration,
  type Refusal,
  type RejectCode,
} from '../engine/index.js';
import { livePlan, type LivePlan, type PlanQuery } from './live-plan.js';
import { nodesReport, type NodesReport } from './nodes-report.js';
import { PendingRefusals } from './pending-refusals.js';
import type { SchedulerState } from './state.js';
import { DEFAULT_TIME_LIMITS } from './time-limits.js';

/** Where an admission comes from: what ties its booking to the pod and its controller. */
export interface AdmissionOrigin {
  namespace: string;
  /** The controller (ReplicaSet, Job…) that owns the pod, if any: a moved pod's replacement is its. */
  ownerUid?: string;
}

export interface Placed {
  kind: 'placed';
  node: string;
  phase: number;
  bookingId: string;
  /** Other bookings moved (and their pods evicted) to make room. */
  migrations: Migration[];
  /** decided now; kept (the pod already carried this decision); replacement of a moved pod. */
  how: 'decided' | 'kept' | 'replacement';
  dryRun: boolean;
}

/** Why the engine found no place, as the engine's data (culprits are booking ids, named at the edge). */
export interface EngineRefusal {
  kind: 'refused';
  code: RejectCode;
  refusal: Refusal;
  /** Moving other pods was tried and cut by the repair's time limit (`repairWithinMs`) before it had tried everything. */
  repairCut?: true;
}

/** The pod carries a decision whose node is not a measurement node. */
export interface UnknownNodeRefusal {
  kind: 'refused';
  code: 'unknown-node';
  node: string;
  phase: number;
}

/** The pod carries a decision that now competes with other bookings. */
export interface StaleDecisionRefusal {
  kind: 'refused';
  code: 'stale-decision';
  node: string;
  phase: number;
  problems: string[];
}

/** A place exists only by moving other pods, and one of them cannot move now. */
export interface MigrationBlockedRefusal {
  kind: 'refused';
  code: 'migration-blocked';
  /** The booking whose pod could not be evicted. */
  culprit: string;
  /** not-created: its pod does not exist yet; disruption-budget: HTTP 429; failed: anything else. */
  cause: 'not-created' | 'disruption-budget' | 'failed';
  detail?: string;
}

/** What the service holds now, for the metrics. */
export interface ServiceCounts {
  nodes: number;
  bookings: number;
  affinityOrphans: number;
  /** Refusals since start whose search for moves was cut by its time limit. */
  repairsCut: number;
}

export type Refused = EngineRefusal | UnknownNodeRefusal | StaleDecisionRefusal | MigrationBlockedRefusal;
export type Admission = Placed | Refused;

/** A pod name (namespace/name) for a booking, or what it is while its pod does not exist yet. */
export type BookingName = { pod: { namespace: string; name: string } } | { pendingApp: string } | null;

export interface AdmissionServiceOptions {
  /** How many placed pods a new one may move (readapt); 0 disables migrations. */
  migrations?: number;
  /** Carries out a migration: evicts the moved pod (the Eviction API). Without it migrations are off. */
  evict?: (namespace: string, name: string) => Promise<void>;
  /** The wall clock in milliseconds (tests pin it): a pod's arrival, from which its start window runs. */
  now?: () => number;
  /**
   * How long the search for moves (readapt, then ejection chains) may run for one pod before it gives
   * up and the pod is refused; default: its share of a 5-s webhook timeout (time-limits.ts). The
   * search's counted work budget usually ends it first; this bounds it on large, full clusters with many
   * moves allowed, where the budget alone can take seconds, so the answer reaches the API server in time.
   */
  repairWithinMs?: number;
  /** A monotonic clock in milliseconds for that limit (tests drive it); default `performance.now`. */
  monotonic?: () => number;
}

/**
 * Where in its period a pod arriving at `nowMs` may start first: the engine allows the phases from
 * here to here + startWithin, so the first run starts within startWithin of the arrival rather than
 * within startWithin of the period's Unix-aligned start (which could make an hourly pod that
 * tolerates ten minutes wait most of an hour, and would put every pod of an app in one window).
 */
export function arrivalPhase(nowMs: number, everySeconds: number): number {
  return Math.ceil(nowMs / 1000) % everySeconds;
}

/** What one pass of affinity maintenance did: pods evicted, and pods whose eviction was refused. */
export interface AffinityMaintenance {
  evicted: string[];
  blocked: { pod: string; cause: string }[];
}

/** Bound of the remembered refusals (a flood of distinct shapes clears it rather than growing it). */
const MAX_REMEMBERED_REFUSALS = 1024;

export class AdmissionService {
  private readonly migrations: number;
  /**
   * Refusals by pod shape (contract + pin), valid while no room has appeared since
   * (`state.freedGeneration`): a controller retrying an unplaceable pod, or a flood of identical
   * ones, costs a map lookup instead of the engine's full explanation. Only where refusals are
   * monotonic: no migrations, and no affinity (a new booking of the required app can make room
   * for an affinity pod; for every other rule a new booking only takes room away). Bounded.
   */
  private readonly refusals = new Map<string, { generation: number; refusal: EngineRefusal }>();
  /** Refused pods whose controller will ask again: what the re-plan tries to make room for. */
  readonly pending = new PendingRefusals();
  /** Refusals whose search for moves the time limit cut (a metric: how often more time might have placed the pod). */
  private repairsCut = 0;

  constructor(
    private readonly state: SchedulerState,
    private readonly options: AdmissionServiceOptions = {},
  ) {
    this.migrations = options.evict === undefined ? 0 : (options.migrations ?? 0);
    this.now = options.now ?? Date.now;
    this.monotonic = options.monotonic ?? (() => performance.now());
    this.repairWithinMs = options.repairWithinMs ?? DEFAULT_TIME_LIMITS.repairWithinMs;
  }

  private readonly now: () => number;
  private readonly monotonic: () => number;
  private readonly repairWithinMs: number;

  /**
   * Places a new measurement: a moved pod's replacement takes the slot kept for it; otherwise the
   * engine decides, possibly moving other pods, whose evictions are carried out before answering.
   * `pin` restricts it to one node (the pod's nodeName or hostname selector).
   */
  async admit(contract: PodContract, pin: string | null, dryRun: boolean, origin: AdmissionOrigin): Promise<Admission> {
    const state = this.state;
    const moved = state.replacementFor(origin.namespace, origin.ownerUid, contract.app);
    if (moved !== undefined) {
      const at = state.placementOf(moved.id);
      if (at !== null && (pin === null || pin === at.node)) {
        if (!dryRun) state.claimReplacement(moved);
        return placed(at.node, at.phase, moved.id, [], 'replacement', dryRun);
      }
    }
    const release = arrivalPhase(this.now(), contract.everySeconds);
    // Built without its id first: the instance so far is the refusal cache's key, and a remembered
    // refusal answers without copying it or drawing a booking id.
    const instance = instanceFromContract('', contract, { node: pin, release });
    const shape = this.migrations === 0 && instance.affinity.length === 0 ? refusalKey(instance) : null;
    const known = shape === null ? undefined : this.refusals.get(shape);
    const retried = !dryRun && origin.ownerUid !== undefined;
    const notePending = () =>
      retried && this.pending.note({ ...origin, ownerUid: origin.ownerUid!, contract, pin, refusedAt: this.now() });
    if (known !== undefined && known.generation === state.freedGeneration) {
      notePending();
      return known.refusal;
    }
    const id = dryRun ? `dry-run:${state.newBookingId()}` : state.newBookingId();
    instance.id = id;

    const result = state.engine.place(instance, {
      migrations: this.migrations,
      dryRun,
      ...(this.migrations > 0 ? { stopRepair: this.repairDeadline() } : {}),
    });
    if (!result.ok) {
      const refusal: EngineRefusal = { kind: 'refused', code: result.code, refusal: result.refusal };
      if (result.repairCut) {
        refusal.repairCut = true;
        this.repairsCut++;
      }
      if (shape !== null) {
        if (this.refusals.size >= MAX_REMEMBERED_REFUSALS) this.refusals.clear();
        this.refusals.set(shape, { generation: state.freedGeneration, refusal });
      }
      notePending();
      return refusal;
    }
    if (retried) this.pending.forget(origin.namespace, origin.ownerUid!, contract.app);
    if (dryRun) return placed(result.node, result.phase, id, result.migrations, 'decided', true);
    state.trackAdmitted(id, instance, origin.namespace, origin.ownerUid);
    if (result.migrations.length > 0) {
      const blocked = await this.carryOut(result.migrations);
      if (blocked !== null) {
        state.release(id);
        state.undoMigrations(result.migrations);
        return blocked;
      }
    }
    return placed(result.node, result.phase, id, result.migrations, 'decided', false);
  }

  /**
   * A pod that already carries a decision (a re-invocation, a retry, a replacement made from a
   * decided template) keeps it while it is consistent with the bookings, and is booked there.
   */
  keep(
    contract: PodContract,
    decision: Decision,
    bookingId: string | undefined,
    dryRun: boolean,
    origin: AdmissionOrigin,
  ): Admission {
    const state = this.state;
    const { node, phaseSeconds: phase } = decision;
    if (bookingId !== undefined) {
      const booked = state.placementOf(bookingId);
      // Same booking, pod not created yet: a re-invocation or a retry of this very admission.
      // Once its pod exists, another pod carrying the same id is a copy (kubectl debug --copy-to,
      // a hand-made duplicate) and needs a booking of its own below.
      const copy = state.tracked.get(bookingId)?.podName !== undefined;
      if (booked !== null && booked.node === node && booked.phase === phase && !copy)
        return placed(node, phase, bookingId, [], 'kept', dryRun);
    }
    if (!state.nodes.has(node)) return { kind: 'refused', code: 'unknown-node', node, phase };
    const id = bookingId !== undefined && !state.engine.has(bookingId) ? bookingId : state.newBookingId();
    if (dryRun) return placed(node, phase, id, [], 'kept', true);
    // The window was honoured when the decision was made; kept, it starts at the decided phase.
    const instance: InstanceSpec = instanceFromContract(id, contract, { node, release: phase });
    const result = state.engine.book(instance, { node, phase });
    if (!result.ok) return { kind: 'refused', code: 'stale-decision', node, phase, problems: result.problems };
    state.trackAdmitted(id, instance, origin.namespace, origin.ownerUid);
    return placed(node, phase, id, [], 'kept', false);
  }

  /** Where a booking sits now, or null when there is no such booking. */
  bookingOf(id: string): { node: string; phase: number } | null {
    return this.state.placementOf(id);
  }

  /** Who a booking is, for people: its pod, or its app while the pod is not created yet. */
  nameOf(id: string): BookingName {
    const pod = this.state.podOf(id);
    if (pod !== null) return { pod };
    const app = this.state.tracked.get(id)?.instance.app;
    return app !== undefined ? { pendingApp: app } : null;
  }

  hostnameOf(node: string): string {
    return this.state.hostnameOf(node);
  }

  nodeForHostname(hostname: string): string | undefined {
    return this.state.nodeForHostname(hostname);
  }

  /** The search for moves' stop predicate: true once `repairWithinMs` has passed from now. */
  private repairDeadline(): () => boolean {
    const stopAt = this.monotonic() + this.repairWithinMs;
    return () => this.monotonic() >= stopAt;
  }

  /** Nodes, tracked pods, pods whose required affinity partner left their node, and refusals cut short. */
  counts(): ServiceCounts {
    return {
      nodes: this.state.nodes.size,
      bookings: this.state.tracked.size,
      affinityOrphans: this.state.affinityOrphans().length,
      repairsCut: this.repairsCut,
    };
  }

  /** Pools, capacity and bookings (GET /v1/nodes). */
  report(): NodesReport {
    return nodesReport(this.state);
  }

  /** Which runs when on which node, bounded (GET /plan); `leader` says whether this replica decides. */
  plan(query: PlanQuery, leader: boolean): LivePlan {
    return livePlan(this.state, query, leader);
  }

  /** Evicts the moved pods; null when all went, else the refusal naming the one that could not. */
  /**
   * Keeps affinity true after admission: a pod whose required partner left its node is evicted
   * through the Eviction API (PodDisruptionBudgets honoured), so its controller creates it again
   * and admission places it beside a partner, or refuses it until one exists. Eviction rather than
   * a silent re-booking, because a pod cannot move while it runs. A blocked eviction is retried on
   * the next call; until then the pod counts in `affinityOrphans`. Off without an evict callback.
   */
  async maintainAffinity(): Promise<AffinityMaintenance> {
    const result: AffinityMaintenance = { evicted: [], blocked: [] };
    const evict = this.options.evict;
    if (evict === undefined) return result;
    const orphans = this.state.affinityOrphans();
    const current = new Set(orphans.map((t) => t.id));
    for (const id of this.evicting) if (!current.has(id)) this.evicting.delete(id);
    for (const t of orphans) {
      if (this.evicting.has(t.id)) continue;
      const pod = this.state.podOf(t.id);
      if (pod === null) continue;
      try {
        await evict(pod.namespace, pod.name);
        this.evicting.add(t.id);
        result.evicted.push(`${pod.namespace}/${pod.name}`);
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status === 404) continue;
        const cause = status === 429 ? 'disruption-budget' : error instanceof Error ? error.message : String(error);
        result.blocked.push({ pod: `${pod.namespace}/${pod.name}`, cause });
      }
    }
    return result;
  }

  /** Orphans already evicted and terminating: not evicted twice. */
  private readonly evicting = new Set<string>();

  private async carryOut(migrations: Migration[]): Promise<MigrationBlockedRefusal | null> {
    const evict = this.options.evict!;
    for (const m of migrations) {
      const pod = this.state.podOf(m.id);
      if (pod === null) return { kind: 'refused', code: 'migration-blocked', culprit: m.id, cause: 'not-created' };
      try {
        await evict(pod.namespace, pod.name);
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status === 404) continue; // already gone: its slot is free anyway
        if (status === 429)
          return { kind: 'refused', code: 'migration-blocked', culprit: m.id, cause: 'disruption-budget' };
        const detail = error instanceof Error ? error.message : String(error);
        return { kind: 'refused', code: 'migration-blocked', culprit: m.id, cause: 'failed', detail };
      }
      this.state.markMoving(m.id);
    }
    return null;
  }
}

/**
 * The refusal cache's key: the instance without its id, and without its release when its start
 * window spans the whole period. Then every phase is allowed whatever the arrival second, so whether
 * some node can take the pod does not depend on it, and a refusal computed at one second holds at
 * every other: an unplaceable pod retried or flooded is explained once per change of the cluster,
 * not once per second of arrival (the explanation reads every open node, milliseconds at 5,000 nodes).
 * Such a window's sentence names no start times; only an equally close phase may be the one shown.
 */
function refusalKey(instance: InstanceSpec): string {
  if (instance.startWithin < instance.every - 1) return JSON.stringify(instance);
  const release = instance.release;
  instance.release = 0;
  const key = JSON.stringify(instance);
  instance.release = release;
  return key;
}

function placed(
  node: string,
  phase: number,
  bookingId: string,
  migrations: Migration[],
  how: Placed['how'],
  dryRun: boolean,
): Placed {
  return { kind: 'placed', node, phase, bookingId, migrations, how, dryRun };
}
