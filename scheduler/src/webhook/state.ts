/**
 * The webhook's view of the cluster: node offers (from Node labels/annotations) and bookings
 * (from the decision annotations of measurement pods), held in the placement engine. It is derived
 * entirely from the API server's objects, so a restarted replica rebuilds the same bookings; the
 * only extra state is short-lived:
 *  - *pending* bookings, admitted but not yet seen as a persisted pod. A later admission step may
 *    refuse the pod, so the reconciler releases a pending booking after `pendingTtlMs` (the
 *    `sideEffects: NoneOnDryRun` duty of reconciliation);
 *  - *moving* bookings: a pod evicted for a readapt keeps its new slot for its replacement (same
 *    controller, same app) for `replacementTtlMs`.
 */
import { randomUUID } from 'node:crypto';
import {
  ContractError,
  DECISION_ANNOTATIONS,
  HOSTNAME_LABEL,
  decodeDecision,
  decodeNodeOffer,
  decodePodContract,
  isMeasurementPod,
  type Decision,
  type NodeOffer,
  type PodContract,
} from '@nmaas/sdk/contract';
import {
  Engine,
  instanceFromContract,
  nodeSpecFromOffer,
  type InstanceSpec,
  type Migration,
  type Assignment,
} from '../engine/index.js';
import type { Node, Pod } from '../kube/types.js';

/**
 * Pod annotation carrying the booking's identity (its key lives in the sdk's scheduling contract).
 * A pod has no name (generateName) nor uid when it is admitted, so the booking gets its own id,
 * written into the pod with the decision: the watch then matches the persisted pod to its pending
 * booking, and re-invocations recognise it.
 */
export const BOOKING_ID_ANNOTATION = DECISION_ANNOTATIONS.bookingId;

export interface Tracked {
  id: string;
  instance: InstanceSpec;
  namespace: string;
  /** Set once the pod is seen persisted. */
  podName?: string;
  podUid?: string;
  ownerUid?: string;
  admittedAt: number;
  /** Readapt: the pod was evicted; its replacement takes this booking until the deadline. */
  moving?: { deadline: number };
}

export interface StateOptions {
  horizon?: number;
  pendingTtlMs?: number;
  replacementTtlMs?: number;
  now?: () => number;
  /** Dev mode: no API server will ever confirm a pod, so admitted bookings count as persisted. */
  confirmOnAdmit?: boolean;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface NodeView {
  offer: NodeOffer;
  hostname: string;
}

export class SchedulerState {
  readonly engine: Engine;
  readonly nodes = new Map<string, NodeView>();
  /** Pooled nodes whose offer is malformed: shown by `nmaas scheduler nodes`, never used. */
  readonly nodeProblems = new Map<string, string>();
  readonly tracked = new Map<string, Tracked>();
  private readonly byUid = new Map<string, string>();
  /**
   * Bumped whenever room may have appeared (a booking released or moved back, a node added or
   * changed). New bookings only take room away, so a refusal stays valid while this is unchanged.
   */
  freedGeneration = 0;
  private readonly now: () => number;
  private readonly pendingTtlMs: number;
  private readonly replacementTtlMs: number;

  constructor(readonly options: StateOptions = {}) {
    this.engine = new Engine([], { horizon: options.horizon ?? 3600 });
    this.now = options.now ?? Date.now;
    this.pendingTtlMs = options.pendingTtlMs ?? 60_000;
    this.replacementTtlMs = options.replacementTtlMs ?? 120_000;
  }

  private log(message: string, fields?: Record<string, unknown>): void {
    this.options.log?.(message, fields);
  }

  // ---- nodes ----------------------------------------------------------------------------------

  syncNodes(nodes: Node[]): void {
    const seen = new Set<string>();
    for (const n of nodes) {
      if (n.metadata.name) seen.add(n.metadata.name);
      this.upsertNode(n);
    }
    for (const name of [...this.nodes.keys(), ...this.nodeProblems.keys()]) if (!seen.has(name)) this.deleteNode(name);
  }

  upsertNode(node: Node): void {
    const name = node.metadata.name;
    if (!name) return;
    let offer: NodeOffer | null;
    try {
      offer = decodeNodeOffer({ name, labels: node.metadata.labels, annotations: node.metadata.annotations });
      this.nodeProblems.delete(name);
    } catch (error) {
      this.nodeProblems.set(name, error instanceof Error ? error.message : String(error));
      offer = null;
    }
    const hostname = node.metadata.labels?.[HOSTNAME_LABEL] ?? name;
    this.setOffer(name, offer === null ? null : { offer, hostname });
  }

  deleteNode(name: string): void {
    this.nodeProblems.delete(name);
    this.setOffer(name, null);
  }

  /** Adds, changes or removes a node's offer; bookings on a changed node are kept (forced: the pods exist). */
  setOffer(name: string, view: NodeView | null): void {
    const before = this.nodes.get(name);
    if (before !== undefined && view !== null && sameOffer(before, view)) return;
    this.freedGeneration += 1;
    const kept = before === undefined ? [] : this.engine.removeNode(name);
    if (view === null) {
      this.nodes.delete(name);
      if (kept.length > 0)
        this.log('node left the measurement pools; its bookings are released', { node: name, bookings: kept.length });
      return;
    }
    this.nodes.set(name, view);
    this.engine.addNode(nodeSpecFromOffer(view.offer));
    for (const link of view.offer.links ?? []) {
      const conflict = this.engine.linkConflict(link.name);
      if (conflict)
        this.log('nodes declare different capacities for one link; the smallest is used', {
          link: link.name,
          declarations: conflict.map((d) => `${d.node}=${d.mbps}Mbps`),
        });
    }
    for (const b of kept) this.engine.book(b.instance, { node: b.node, phase: b.phase }, { force: true });
  }

  // ---- pods (from the watch) --------------------------------------------------------------------

  syncPods(pods: Pod[]): void {
    const live = new Set<string>();
    for (const p of pods) {
      const id = this.upsertPod(p);
      if (id !== null) live.add(id);
    }
    // Persisted bookings whose pod vanished while we were not watching.
    for (const t of [...this.tracked.values()])
      if (t.podUid !== undefined && !live.has(t.id) && t.moving === undefined) this.release(t.id);
  }

  /** Records a persisted pod's booking; returns its booking id, or null when it carries none. */
  upsertPod(pod: Pod): string | null {
    if (!isMeasurementPod(pod.metadata.labels)) return null;
    const uid = pod.metadata.uid;
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
      if (uid !== undefined) this.deletePod(pod);
      return null;
    }
    let decision: Decision | null;
    let contract: PodContract;
    try {
      decision = decodeDecision(pod.metadata.annotations);
      if (decision === null) return null;
      contract = decodePodContract(pod.metadata);
    } catch (error) {
      this.log('pod carries a malformed contract or decision; not counted', { pod: podKey(pod), error: String(error) });
      return null;
    }
    const id =
      pod.metadata.annotations?.[BOOKING_ID_ANNOTATION] ?? `pod:${pod.metadata.namespace}/${pod.metadata.name}`;
    const known = this.tracked.get(id);
    // An evicted pod terminating: its booking already waits at the new place for the replacement.
    if (known?.moving !== undefined && uid !== undefined && uid === known.podUid) return id;
    if (known !== undefined) {
      const booking = this.engine.get(id);
      if (booking !== null && booking.node === decision.node && booking.phase === decision.phaseSeconds) {
        Object.assign(known, persisted(pod));
        if (known.moving !== undefined && known.podUid !== undefined && uid !== known.podUid) delete known.moving;
        if (uid !== undefined) this.byUid.set(uid, id);
        return id;
      }
      this.engine.remove(id);
      this.freedGeneration += 1;
    }
    // A decided pod's window starts at its decided phase (its arrival is in the past).
    const instance = instanceFromContract(id, contract, { node: decision.node, release: decision.phaseSeconds });
    const result = this.engine.book(instance, { node: decision.node, phase: decision.phaseSeconds }, { force: true });
    if (!result.ok) {
      this.log('pod booking cannot be recorded', { pod: podKey(pod), problems: result.problems });
      this.tracked.delete(id);
      return null;
    }
    if (result.problems.length > 0)
      this.log('pod booking breaks the model (recorded anyway: the pod exists)', {
        pod: podKey(pod),
        problems: result.problems,
      });
    this.tracked.set(id, {
      id,
      instance,
      namespace: pod.metadata.namespace ?? 'default',
      admittedAt: this.now(),
      ...persisted(pod),
    });
    if (uid !== undefined) this.byUid.set(uid, id);
    return id;
  }

  deletePod(pod: Pod): void {
    const uid = pod.metadata.uid;
    // Watched pods always have a uid; the annotation only identifies pods we never saw persisted.
    const id = uid !== undefined ? this.byUid.get(uid) : pod.metadata.annotations?.[BOOKING_ID_ANNOTATION];
    if (uid !== undefined) this.byUid.delete(uid);
    if (id === undefined) return;
    const t = this.tracked.get(id);
    // An evicted pod's booking already sits at its new place, waiting for the replacement.
    if (t === undefined || t.moving !== undefined) return;
    if (t.podUid !== undefined && uid !== undefined && t.podUid !== uid) return;
    this.release(id);
  }

  /**
   * Persisted pods on a node that no longer hosts an app their affinity requires: the partner's
   * pod went after they were placed. Affinity is checked at admission; these are what keeps it
   * true afterwards (the admission service evicts them).
   */
  affinityOrphans(): Tracked[] {
    const appsOn = new Map<string, Set<string>>();
    const bookings = this.engine.bookings();
    for (const b of bookings) {
      const app = this.tracked.get(b.id)?.instance.app;
      if (app === undefined) continue;
      const apps = appsOn.get(b.node) ?? new Set<string>();
      apps.add(app);
      appsOn.set(b.node, apps);
    }
    const orphans: Tracked[] = [];
    for (const b of bookings) {
      const t = this.tracked.get(b.id);
      if (t === undefined || t.moving !== undefined || t.podName === undefined) continue;
      if (t.instance.affinity.some((app) => !appsOn.get(b.node)?.has(app))) orphans.push(t);
    }
    return orphans;
  }

  release(id: string): void {
    if (this.engine.remove(id) !== null) this.freedGeneration += 1;
    this.tracked.delete(id);
  }

  // ---- decisions (the leader only) -------------------------------------------------------------

  newBookingId(): string {
    return randomUUID();
  }

  /** Books a new admission; the caller has decided (engine.place) or is honouring an existing decision. */
  trackAdmitted(id: string, instance: InstanceSpec, namespace: string, ownerUid: string | undefined): void {
    this.tracked.set(id, {
      id,
      instance,
      namespace,
      admittedAt: this.now(),
      ...(ownerUid !== undefined ? { ownerUid } : {}),
      ...(this.options.confirmOnAdmit ? { podUid: `dev:${id}` } : {}),
    });
  }

  /** A moved booking waiting for a replacement from this controller and app, if any. */
  replacementFor(namespace: string, ownerUid: string | undefined, app: string): Tracked | undefined {
    if (ownerUid === undefined) return undefined;
    for (const t of this.tracked.values()) {
      if (t.moving !== undefined && t.ownerUid === ownerUid && t.namespace === namespace && t.instance.app === app)
        return t;
    }
    return undefined;
  }

  /** Marks a migration carried out: the booking stays at its new place for the replacement pod. */
  markMoving(id: string): void {
    const t = this.tracked.get(id);
    if (t) t.moving = { deadline: this.now() + this.replacementTtlMs };
  }

  /** The replacement pod takes over a moved booking (it is now pending until its pod is seen). */
  claimReplacement(t: Tracked): void {
    if (t.podUid !== undefined) this.byUid.delete(t.podUid);
    delete t.moving;
    delete t.podName;
    delete t.podUid;
    t.admittedAt = this.now();
    if (this.options.confirmOnAdmit) t.podUid = `dev:${t.id}`;
  }

  /** Undoes migrations the cluster could not carry out (an eviction was refused). */
  undoMigrations(migrations: Migration[]): void {
    this.freedGeneration += 1;
    for (const m of [...migrations].reverse()) {
      const t = this.tracked.get(m.id);
      this.engine.remove(m.id);
      if (t) this.engine.book(t.instance, m.from, { force: true });
    }
  }

  /**
   * Releases pending bookings whose pod never appeared (refused later in the admission chain, or
   * a dry run the API server did not tell us about) and moved bookings whose replacement never came.
   */
  reconcile(): string[] {
    const now = this.now();
    const released: string[] = [];
    for (const t of [...this.tracked.values()]) {
      const stalePending = t.podUid === undefined && t.moving === undefined && now - t.admittedAt > this.pendingTtlMs;
      const staleMove = t.moving !== undefined && now > t.moving.deadline;
      if (stalePending || staleMove) {
        this.release(t.id);
        released.push(t.id);
      }
    }
    return released;
  }

  /** Where a booking sits, by pod (namespace/name) for evictions. */
  podOf(id: string): { namespace: string; name: string } | null {
    const t = this.tracked.get(id);
    return t?.podName !== undefined ? { namespace: t.namespace, name: t.podName } : null;
  }

  hostnameOf(node: string): string {
    return this.nodes.get(node)?.hostname ?? node;
  }

  nodeForHostname(hostname: string): string | undefined {
    for (const [name, view] of this.nodes) if (view.hostname === hostname) return name;
    return undefined;
  }

  placementOf(id: string): Assignment | null {
    const b = this.engine.get(id);
    return b === null ? null : { node: b.node, phase: b.phase };
  }
}

function persisted(pod: Pod): Partial<Tracked> {
  const out: Partial<Tracked> = {};
  if (pod.metadata.name !== undefined) out.podName = pod.metadata.name;
  if (pod.metadata.uid !== undefined) out.podUid = pod.metadata.uid;
  const owner = controllerUid(pod);
  if (owner !== undefined) out.ownerUid = owner;
  return out;
}

export function controllerUid(pod: Pod): string | undefined {
  const refs = pod.metadata.ownerReferences;
  if (!Array.isArray(refs)) return undefined;
  const ref = refs.find((r) => r !== null && typeof r === 'object' && r.controller === true);
  return typeof ref?.uid === 'string' ? ref.uid : undefined;
}

const podKey = (pod: Pod) => `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? pod.metadata.generateName ?? '?'}`;

function sameOffer(a: NodeView, b: NodeView): boolean {
  return (
    a.hostname === b.hostname &&
    a.offer.pool === b.offer.pool &&
    JSON.stringify(a.offer.capacity) === JSON.stringify(b.offer.capacity) &&
    JSON.stringify(a.offer.labels) === JSON.stringify(b.offer.labels) &&
    JSON.stringify(a.offer.links ?? []) === JSON.stringify(b.offer.links ?? [])
  );
}

export { ContractError, DECISION_ANNOTATIONS };
