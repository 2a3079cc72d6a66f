/**
 * Re-planning in the cluster: the leader plans the whole pool again (the re-planner's search over
 * the engine, from the bookings it holds and the pods refused recently) and carries the plan out.
 *
 * Safety rules, in the order they apply:
 *  - only pods that exist and are not already moving may move; the others are fixed in the plan;
 *  - a pod is never evicted during its run (nor `guardSeconds` before it): the move waits for its
 *    idle time, at most `maxWaitSeconds`, else it is left out (`run-window`);
 *  - each move is booked at its planned slot before its pod is evicted, and only when the slot is
 *    free then (moves that need another move first are tried again once that one is done); while
 *    the eviction is in flight the old slot stays held, so a refused eviction puts the pod back
 *    exactly where it was and no admission took its place in between;
 *  - evictions go through the Eviction API: a PodDisruptionBudget (429) leaves the move out;
 *  - the evicted pod's booking waits at its planned slot for the replacement its controller
 *    creates (same namespace, owner and app), which admission hands that slot; a refused pod gets
 *    a slot reserved the same way for its controller's next try. Unclaimed slots are released
 *    after the state's replacement TTL.
 * Every move's outcome is a metric, and an Event on the moved pod.
 */
import type { PodContract } from '@nmaas/sdk/contract';
import {
  Engine,
  formatSlot,
  instanceFromContract,
  nodeSpecFromOffer,
  type Assignment,
  type InstanceSpec,
} from '../engine/index.js';
import { bookUntilSettled, fixedWhereItIs } from '../replan/plan.js';
import type { PlacedEntry, PlanQuality, ReplanMove } from '../replan/replan.js';
import type { KubeObject } from '../kube/types.js';
import { arrivalPhase } from './admission-service.js';
import type { PendingRefusal, PendingRefusals } from './pending-refusals.js';
import type { MoveOutcome, ReplanMetrics, ReplanRunResult } from './replan-metrics.js';
import { inProcessSearch, type ReplanSearch } from './replan-search.js';
import { msUntilIdle } from './run-window.js';
import type { SchedulerState, Tracked } from './state.js';

export interface ReplanSettings {
  /** Most placed pods one run may move (placing a refused pod is not a move). */
  maxMigrations: number;
  /** Time the search may take, in seconds. */
  timeLimitSeconds: number;
  /** Longest wait for a pod's run to end before it is evicted; a move that needs longer is left out. */
  maxWaitSeconds: number;
  /** A pod whose run starts within this many seconds counts as running. */
  guardSeconds?: number;
  seed?: number;
}

/** What a moved or blocked pod is told, as a core/v1 Event. */
export interface ReplanEvent {
  pod: { namespace: string; name: string; uid?: string };
  type: 'Normal' | 'Warning';
  reason: 'Replanned' | 'ReplanBlocked';
  message: string;
}

export interface ReplanLoopOptions {
  /** The Eviction API: rejects with `{ status: 429 }` when a PodDisruptionBudget forbids it, 404 when gone. */
  evict(namespace: string, name: string): Promise<void>;
  /** Records an Event on the pod; failures are logged, never fatal. */
  recordEvent?(event: ReplanEvent): Promise<void>;
  /** False once this replica no longer holds the Lease: the run stops evicting. */
  canDecide?(): boolean;
  metrics?: ReplanMetrics;
  /** Where the search runs: in a worker thread in the webhook (`workerSearch`); in process by default. */
  search?: ReplanSearch;
  /** Wall clock in milliseconds, and a wait (tests drive both). */
  now?(): number;
  sleep?(ms: number): Promise<void>;
  log?(message: string, fields?: Record<string, unknown>): void;
}

export interface PlannedMove {
  /** A booking id, or `pending:<k>` for a refused pod. */
  id: string;
  kind: 'place' | 'move';
  /** namespace/name of the moved pod; namespace and app of a refused pod's controller. */
  pod: string;
  app: string;
  from: Assignment | null;
  to: Assignment;
  gain: ReplanMove['gain'];
}

export interface ReplanPlan {
  before: PlanQuality;
  after: PlanQuality;
  moves: PlannedMove[];
  search: { iterations: number; millis: number; stoppedBy: string };
  /**
   * Pods fixed in the plan, by why: not created yet, already moving, or their run would not end in time;
   * conflicting: bookings that already compete, left out of the search (they stay where they are).
   */
  fixed: { notCreated: number; moving: number; running: number; conflicting: number };
}

export interface ReplanRun extends ReplanPlan {
  result: ReplanRunResult;
  outcomes: (PlannedMove & { outcome: MoveOutcome; detail?: string })[];
  error?: string;
}

/** Booking ids of the slots a pod holds on to while its eviction is in flight. */
const HOLD_PREFIX = 'replan-hold:';

export class ReplanLoop {
  private running = false;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly state: SchedulerState,
    private readonly pending: PendingRefusals,
    private readonly settings: ReplanSettings,
    private readonly options: ReplanLoopOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** True while a run is carrying out its moves (runs never overlap). */
  get busy(): boolean {
    return this.running;
  }

  /** The plan for the cluster as it is now, without carrying anything out (GET /replan). */
  async preview(): Promise<ReplanPlan> {
    return (await this.plan()).plan;
  }

  /** Plans, then carries the plan out; null when a run is already under way. */
  async run(): Promise<ReplanRun | null> {
    if (this.running) return null;
    this.running = true;
    const startedAt = this.now();
    try {
      let planned: Awaited<ReturnType<ReplanLoop['plan']>>;
      try {
        planned = await this.plan();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.options.log?.('re-plan failed', { error: message });
        this.options.metrics?.observeRun('error', { placed: 0, overlapSeconds: 0 }, startedAt);
        const empty = { placed: 0, rejected: 0, overlapSeconds: 0 };
        const fixed = { notCreated: 0, moving: 0, running: 0, conflicting: 0 };
        const search = { iterations: 0, millis: 0, stoppedBy: 'error' };
        return { before: empty, after: empty, moves: [], search, fixed, result: 'error', outcomes: [], error: message };
      }
      const { plan, pendingById, instances } = planned;
      const outcomes = plan.moves.length === 0 ? [] : await this.carryOut(plan, pendingById, instances);
      const result: ReplanRunResult = outcomes.some((o) => o.outcome === 'moved' || o.outcome === 'reserved')
        ? 'applied'
        : 'unchanged';
      const gain = {
        placed: plan.after.placed - plan.before.placed,
        overlapSeconds: plan.before.overlapSeconds - plan.after.overlapSeconds,
      };
      this.options.metrics?.observeRun(result, gain, startedAt);
      if (outcomes.length > 0)
        this.options.log?.('re-plan carried out', {
          planned: outcomes.length,
          outcomes: countBy(outcomes.map((o) => o.outcome)),
          gain,
        });
      return { ...plan, result, outcomes };
    } finally {
      this.running = false;
    }
  }

  // ---- planning ----------------------------------------------------------------------------------

  private async plan(): Promise<{
    plan: ReplanPlan;
    pendingById: Map<string, PendingRefusal>;
    instances: Map<string, InstanceSpec>;
  }> {
    const state = this.state;
    const nowMs = this.now();
    const guard = this.settings.guardSeconds ?? 10;
    const nodes = [...state.nodes.values()].map((v) => nodeSpecFromOffer(v.offer));
    const instances: InstanceSpec[] = [];
    const placed: PlacedEntry[] = [];
    const fixed = { notCreated: 0, moving: 0, running: 0, conflicting: 0 };
    // Bookings that already compete (pods created with a decision the scheduler did not make, a node whose
    // capacity was lowered under them) cannot be a plan's starting point: they are left out of the search.
    // Their pods keep running where they are, and no move can land on them, because each move is booked in
    // the live engine, which holds them, before its pod is evicted.
    const trial = new Engine(nodes, { horizon: state.engine.horizon });
    const candidates = state.engine.bookings().map((b) => {
      const t = state.tracked.get(b.id);
      let why: 'notCreated' | 'moving' | 'running' | null = null;
      if (t === undefined || t.podName === undefined) why = 'notCreated';
      else if (t.moving !== undefined) why = 'moving';
      else if (msUntilIdle(t.instance, b.phase, nowMs, guard) > this.settings.maxWaitSeconds * 1000) why = 'running';
      // A fixed booking keeps its node and phase: pinned there, with a start window of one phase.
      const instance = why === null ? t!.instance : fixedWhereItIs(b.instance, b.node, b.phase);
      return { b, why, instance };
    });
    const { booked, left } = bookUntilSettled(
      candidates,
      (c) => trial.book(c.instance, { node: c.b.node, phase: c.b.phase }).ok,
    );
    fixed.conflicting = left.length;
    for (const { b, why, instance } of booked) {
      if (why !== null) fixed[why] += 1;
      instances.push(instance);
      placed.push({ id: b.id, node: b.node, phase: b.phase });
    }
    const pendingById = new Map<string, PendingRefusal>();
    this.pending.list(nowMs).forEach((p, k) => {
      const id = `pending:${k}`;
      pendingById.set(id, p);
      const release = arrivalPhase(nowMs, p.contract.everySeconds);
      instances.push(instanceFromContract(id, p.contract, { node: p.pin, release }));
    });
    const search = this.options.search ?? inProcessSearch;
    const result = await search({
      nodes,
      apps: { horizon: state.engine.horizon, instances },
      placed,
      options: {
        migrations: this.settings.maxMigrations,
        timeLimitSeconds: this.settings.timeLimitSeconds,
        seed: this.settings.seed ?? 1,
      },
    });
    const byId = new Map(instances.map((s) => [s.id, s]));
    const moves: PlannedMove[] = result.moves.map((m) => {
      const p = pendingById.get(m.id);
      const pod = p !== undefined ? `${p.namespace} (controller ${p.ownerUid})` : podName(state.tracked.get(m.id));
      return { id: m.id, kind: m.kind, pod, app: byId.get(m.id)!.app, from: m.from, to: m.to, gain: m.gain };
    });
    const plan: ReplanPlan = {
      before: result.before,
      after: result.after,
      moves,
      search: {
        iterations: result.search.iterations,
        millis: result.search.millis,
        stoppedBy: result.search.stoppedBy,
      },
      fixed,
    };
    return { plan, pendingById, instances: byId };
  }

  // ---- carrying out -------------------------------------------------------------------------------

  /**
   * Moves in the plan's order; a move whose slot is not free yet (another move must go first) is
   * tried again after the others, and a pod in its run is waited for, within `maxWaitSeconds`.
   */
  private async carryOut(
    plan: ReplanPlan,
    pendingById: Map<string, PendingRefusal>,
    instances: Map<string, InstanceSpec>,
  ): Promise<ReplanRun['outcomes']> {
    const deadline = this.now() + this.settings.maxWaitSeconds * 1000;
    const outcomes: ReplanRun['outcomes'] = [];
    const done = (m: PlannedMove, outcome: MoveOutcome, detail?: string) => {
      outcomes.push({ ...m, outcome, ...(detail !== undefined ? { detail } : {}) });
      this.options.metrics?.observeMove(outcome);
    };
    let todo = [...plan.moves];
    while (todo.length > 0) {
      let progressed = false;
      let wakeAt = Number.POSITIVE_INFINITY;
      const later: PlannedMove[] = [];
      for (const m of todo) {
        if (this.options.canDecide !== undefined && !this.options.canDecide()) {
          done(m, 'not-leader');
          continue;
        }
        const step =
          m.kind === 'place'
            ? this.reserve(m, pendingById.get(m.id)!, instances.get(m.id)!)
            : await this.move(m, deadline);
        if (step.kind === 'later') {
          later.push(m);
          if (step.at !== undefined) wakeAt = Math.min(wakeAt, step.at);
          continue;
        }
        progressed = true;
        done(m, step.outcome, step.detail);
      }
      todo = later;
      if (todo.length === 0 || progressed) continue;
      // Nothing went this round: wait for the next pod to end its run, or give up on the rest.
      if (wakeAt > deadline) {
        for (const m of todo) done(m, waitsForRun(m, this.state, this.now(), this.guard) ? 'run-window' : 'conflict');
        break;
      }
      await this.sleep(Math.max(0, wakeAt - this.now()));
    }
    return outcomes;
  }

  private get guard(): number {
    return this.settings.guardSeconds ?? 10;
  }

  /** A refused pod's slot, booked for its controller's next try. */
  private reserve(m: PlannedMove, p: PendingRefusal, planned: InstanceSpec): Step {
    const state = this.state;
    const id = state.newBookingId();
    const instance = {
      ...instanceFromContract(id, p.contract as PodContract, { node: p.pin }),
      release: planned.release,
    };
    if (!state.engine.book(instance, m.to).ok) return { kind: 'later' };
    state.trackAdmitted(id, instance, p.namespace, p.ownerUid);
    state.markMoving(id);
    this.pending.forget(p.namespace, p.ownerUid, p.contract.app);
    return { kind: 'done', outcome: 'reserved' };
  }

  /** One placed pod to its planned slot: booked there first, then evicted (the old slot held meanwhile). */
  private async move(m: PlannedMove, deadline: number): Promise<Step> {
    const state = this.state;
    const from = m.from!;
    const t = state.tracked.get(m.id);
    const at = state.placementOf(m.id);
    if (t === undefined || at === null || at.node !== from.node || at.phase !== from.phase || t.moving !== undefined)
      return { kind: 'done', outcome: 'stale' };
    const pod = state.podOf(m.id);
    if (pod === null) return { kind: 'done', outcome: 'not-created' };
    const wait = msUntilIdle(t.instance, from.phase, this.now(), this.guard);
    if (wait > 0) {
      if (this.now() + wait > deadline) {
        await this.tell(t, pod, 'Warning', 'ReplanBlocked', `not moved: its run would not end within the wait bound`);
        return { kind: 'done', outcome: 'run-window' };
      }
      return { kind: 'later', at: this.now() + wait };
    }
    const engine = state.engine;
    engine.remove(m.id);
    if (!engine.book(t.instance, m.to).ok) {
      engine.book(t.instance, from, { force: true });
      return { kind: 'later' };
    }
    const hold = `${HOLD_PREFIX}${m.id}`;
    engine.book({ ...t.instance, id: hold }, from, { force: true });
    // Moving before the eviction is sent: the watch then leaves the booking at its new slot.
    state.markMoving(m.id);
    let failure: { outcome: MoveOutcome; detail?: string } | null = null;
    try {
      await this.options.evict(pod.namespace, pod.name);
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 429) failure = { outcome: 'disruption-budget' };
      else if (status === 404) failure = { outcome: 'stale', detail: 'the pod was already gone' };
      else failure = { outcome: 'failed', detail: error instanceof Error ? error.message : String(error) };
    }
    engine.remove(hold);
    if (failure !== null) {
      engine.remove(m.id);
      engine.book(t.instance, from, { force: true });
      delete t.moving;
      if (failure.outcome !== 'stale')
        await this.tell(
          t,
          pod,
          'Warning',
          'ReplanBlocked',
          failure.outcome === 'disruption-budget'
            ? 'not moved: a PodDisruptionBudget forbids its eviction now'
            : `not moved: eviction failed (${failure.detail})`,
        );
      return { kind: 'done', ...failure };
    }
    state.freedGeneration += 1;
    const gain = `${m.gain.placed > 0 ? `+${m.gain.placed} placed` : 'no more placed'}, ${-m.gain.overlapSeconds} s less overlap`;
    await this.tell(
      t,
      pod,
      'Normal',
      'Replanned',
      `moved by the re-plan from ${from.node} at ${formatSlot(from.phase)} to ${m.to.node} at ${formatSlot(m.to.phase)}` +
        ` (its replacement gets that slot); the step gained ${gain}`,
    );
    return { kind: 'done', outcome: 'moved' };
  }

  private async tell(
    t: Tracked,
    pod: { namespace: string; name: string },
    type: ReplanEvent['type'],
    reason: ReplanEvent['reason'],
    message: string,
  ): Promise<void> {
    if (this.options.recordEvent === undefined) return;
    const uid = t.podUid;
    try {
      await this.options.recordEvent({ pod: { ...pod, ...(uid !== undefined ? { uid } : {}) }, type, reason, message });
    } catch (error) {
      this.options.log?.('could not record a re-plan event', {
        pod: `${pod.namespace}/${pod.name}`,
        error: String(error),
      });
    }
  }
}

type Step = { kind: 'done'; outcome: MoveOutcome; detail?: string } | { kind: 'later'; at?: number };

function waitsForRun(m: PlannedMove, state: SchedulerState, nowMs: number, guard: number): boolean {
  const t = state.tracked.get(m.id);
  return m.kind === 'move' && t !== undefined && msUntilIdle(t.instance, m.from!.phase, nowMs, guard) > 0;
}

function podName(t: Tracked | undefined): string {
  return t === undefined ? '?' : `${t.namespace}/${t.podName ?? `(${t.instance.app}, not created yet)`}`;
}

function countBy(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of items) out[x] = (out[x] ?? 0) + 1;
  return out;
}

/** The Event object for the API server (core/v1). */
export function eventObject(e: ReplanEvent, component: string, instance: string, nowMs: number): KubeObject {
  const time = new Date(nowMs).toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${e.pod.name}.${nowMs.toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`,
      namespace: e.pod.namespace,
    },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: e.pod.namespace,
      name: e.pod.name,
      ...(e.pod.uid ? { uid: e.pod.uid } : {}),
    },
    reason: e.reason,
    message: e.message,
    type: e.type,
    source: { component },
    reportingComponent: component,
    reportingInstance: instance,
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
  };
}
