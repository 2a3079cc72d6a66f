/**
 * What the webhook decides for a measurement pod, on top of `SchedulerState` and the engine:
 *  - a pod that already carries a decision keeps it (re-invocation, retries, replacements);
 *  - a replacement for a pod moved by a readapt gets the slot the plan reserved for it;
 *  - otherwise the engine places it (filter → score → reserve), possibly moving up to
 *    `migrations` other pods, which are then evicted through the Eviction API before we answer;
 *    if an eviction is refused (PodDisruptionBudget) the plan is undone and the pod refused;
 *  - a dry run decides without booking anything.
 * Mutations run one at a time (the engine is single-threaded and an eviction is awaited in the
 * middle of a decision).
 */
import {
  ContractError,
  HOSTNAME_LABEL,
  decodeDecision,
  decodePodContract,
  type Decision,
  type PodContract,
} from '@nmaas/sdk/contract';
import { instanceFromContract, formatPeriod, type InstanceSpec, type Migration } from '../engine/index.js';
import type { Pod } from '../kube/types.js';
import { allow, refuse, type Outcome } from './admission-review.js';
import { decodeAdmissibleContract } from './contract-rules.js';
import { contradictions, decisionPatch } from './patch.js';
import { BOOKING_ID_ANNOTATION, controllerUid, type SchedulerState } from './state.js';

export interface DeciderOptions {
  /** How many placed pods a new one may move (readapt); 0 disables migrations. */
  migrations?: number;
  /** Carries out a migration: evicts the moved pod (the Eviction API). Without it migrations are off. */
  evict?: (namespace: string, name: string) => Promise<void>;
  /**
   * Decisions waiting their turn beyond this many are refused at once (load shedding): a backlog
   * that cannot be decided within the API server's webhook timeout only turns into timeouts.
   */
  maxPending?: number;
}

/** Default bound of the decision queue: far above what a healthy replica ever holds (decisions take < 1 ms). */
export const DEFAULT_MAX_PENDING = 4096;

export class Decider {
  private queue: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private readonly maxPending: number;
  readonly shed = { queueFull: 0, lateStart: 0 };
  private readonly migrations: number;
  /**
   * Refusals by pod shape (contract + pin), valid while no room has appeared since
   * (`state.freedGeneration`): a controller retrying an unplaceable pod, or a flood of identical
   * ones, costs a map lookup instead of the engine's full explanation. Only where refusals are
   * monotonic: no migrations, and no affinity (a new booking of the required app can make room
   * for an affinity pod; for every other rule a new booking only takes room away). Bounded.
   */
  private readonly refusals = new Map<string, { generation: number; reason: string }>();

  constructor(
    readonly state: SchedulerState,
    private readonly options: DeciderOptions = {},
  ) {
    this.migrations = options.evict === undefined ? 0 : (options.migrations ?? 0);
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  }

  /** Decisions queued or running now. */
  get queued(): number {
    return this.pending;
  }

  /**
   * Serialises decisions: each waits for the previous one to finish (even across an eviction).
   * `deadline` (a `performance.now()` time) sheds a decision whose turn comes too late to answer
   * within the webhook timeout: it is refused at once, explicitly, instead of deciding for a
   * caller that has already given up (and leaving a booking nobody will use).
   */
  mutate(pod: Pod, namespace: string, dryRun: boolean, deadline?: number): Promise<Outcome> {
    if (this.pending >= this.maxPending) {
      this.shed.queueFull += 1;
      return Promise.resolve(overloaded(`${this.pending} decisions are already waiting`));
    }
    this.pending += 1;
    const run = this.queue.then(() => {
      if (deadline !== undefined && performance.now() > deadline) {
        this.shed.lateStart += 1;
        return overloaded('this request waited past its answer deadline');
      }
      return this.decide(pod, namespace, dryRun);
    });
    const settled = run.finally(() => {
      this.pending -= 1;
    });
    this.queue = settled.catch(() => undefined);
    return settled;
  }

  private async decide(pod: Pod, namespace: string, dryRun: boolean): Promise<Outcome> {
    const subject = `pod ${namespace}/${pod.metadata.name ?? pod.metadata.generateName ?? ''}`;
    let contract: PodContract;
    let existing: Decision | null;
    try {
      contract = decodeAdmissibleContract(pod.metadata, subject);
      existing = decodeDecision(pod.metadata.annotations, subject);
    } catch (error) {
      if (error instanceof ContractError)
        return refuse(
          400,
          `${error.message}\nFix the app's nmaas.yaml or the chart's pod template (charts-gen writes these annotations).`,
        );
      throw error;
    }
    const state = this.state;
    const bookingIdInPod = pod.metadata.annotations?.[BOOKING_ID_ANNOTATION];
    const pinned = this.pinnedNode(pod);
    if (pinned !== null && typeof pinned === 'object') return pinned;

    if (existing !== null) return this.honour(pod, namespace, dryRun, contract, existing, bookingIdInPod);

    const owner = controllerUid(pod);
    const moved = state.replacementFor(namespace, owner, contract.app);
    if (moved !== undefined) {
      const at = state.placementOf(moved.id);
      if (at !== null && (pinned === null || pinned === at.node)) {
        if (!dryRun) state.claimReplacement(moved);
        return this.placed(pod, { node: at.node, phaseSeconds: at.phase }, moved.id, [
          `nmaas: replacement of a moved pod, on ${at.node} at +${at.phase} s`,
        ]);
      }
    }

    const id = dryRun ? `dry-run:${state.newBookingId()}` : state.newBookingId();
    const instance = instanceFromContract(id, contract, { node: pinned });
    const shape =
      this.migrations === 0 && instance.affinity.length === 0 ? JSON.stringify({ ...instance, id: '' }) : null;
    const known = shape === null ? undefined : this.refusals.get(shape);
    if (known !== undefined && known.generation === state.freedGeneration) {
      return refuse(
        403,
        `NMaaS cannot place ${subject} (app ${contract.app}): ${known.reason}`,
        `nmaas: ${known.reason}`,
      );
    }
    const result = state.engine.place(instance, { migrations: this.migrations, dryRun });
    if (!result.ok) {
      const reason = this.humanize(result.reason, instance.id);
      if (shape !== null) {
        if (this.refusals.size >= 1024) this.refusals.clear();
        this.refusals.set(shape, { generation: state.freedGeneration, reason });
      }
      return refuse(403, `NMaaS cannot place ${subject} (app ${contract.app}): ${reason}`, `nmaas: ${reason}`);
    }
    const decision = { node: result.node, phaseSeconds: result.phase };
    if (dryRun)
      return this.placed(pod, decision, id, [`nmaas: dry run, would run on ${result.node} at +${result.phase} s`]);

    state.trackAdmitted(id, instance, namespace, owner);
    if (result.migrations.length > 0) {
      const failure = await this.carryOut(result.migrations);
      if (failure !== null) {
        state.release(id);
        state.undoMigrations(result.migrations);
        return refuse(
          403,
          `NMaaS can place ${subject} only by moving other measurements, and ${failure}. Retry later.`,
          `nmaas: needs a migration that is blocked now; retry later`,
        );
      }
    }
    const moves = result.migrations.length > 0 ? `, moving ${result.migrations.length} pod(s)` : '';
    return this.placed(pod, decision, id, [
      `nmaas: ${result.node} at +${result.phase} s every ${formatPeriod(contract.everySeconds)}${moves}`,
    ]);
  }

  /** A pod that already carries a decision keeps it, if it is still consistent with the bookings. */
  private honour(
    pod: Pod,
    namespace: string,
    dryRun: boolean,
    contract: PodContract,
    decision: Decision,
    bookingId: string | undefined,
  ): Outcome {
    const state = this.state;
    if (bookingId !== undefined) {
      const booked = state.placementOf(bookingId);
      // Same booking, pod not created yet: a re-invocation or a retry of this very admission.
      // Once its pod exists, another pod carrying the same id is a copy (kubectl debug --copy-to,
      // a hand-made duplicate) and needs a booking of its own below.
      const copy = state.tracked.get(bookingId)?.podName !== undefined;
      if (booked !== null && booked.node === decision.node && booked.phase === decision.phaseSeconds && !copy) {
        return this.placed(pod, decision, bookingId, []);
      }
    }
    if (!state.nodes.has(decision.node)) {
      return refuse(
        403,
        `pod carries an NMaaS decision for node ${decision.node}, which is not a measurement node; remove the nmaas.io/assigned-node and nmaas.io/phase-seconds annotations to have it placed again`,
      );
    }
    const id = bookingId !== undefined && !state.engine.has(bookingId) ? bookingId : state.newBookingId();
    if (dryRun) return this.placed(pod, decision, id, []);
    const instance: InstanceSpec = instanceFromContract(id, contract, { node: decision.node });
    const result = state.engine.book(instance, { node: decision.node, phase: decision.phaseSeconds });
    if (!result.ok) {
      return refuse(
        403,
        `pod carries an NMaaS decision (${decision.node} at +${decision.phaseSeconds} s) that now competes with other measurements: ${result.problems.join('; ')}`,
      );
    }
    state.trackAdmitted(id, instance, namespace, controllerUid(pod));
    return this.placed(pod, decision, id, []);
  }

  /**
   * The engine names instances by our booking ids; a person reads pod names. This pod becomes
   * "this pod", other bookings their pod (namespace/name) or, not created yet, their app.
   */
  private humanize(reason: string, selfId: string): string {
    return reason
      .split(selfId)
      .join('this pod')
      .replace(/(?:dry-run:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => {
        const pod = this.state.podOf(id);
        if (pod !== null) return `${pod.namespace}/${pod.name}`;
        const app = this.state.tracked.get(id)?.instance.app;
        return app !== undefined ? `a pending ${app} pod` : 'another pod';
      });
  }

  private placed(pod: Pod, decision: Decision, bookingId: string, warnings: string[]): Outcome {
    const patch = decisionPatch(pod, decision, this.state.hostnameOf(decision.node), bookingId);
    return allow({ patch, warnings, auditAnnotations: { decision: `${decision.node}@${decision.phaseSeconds}s` } });
  }

  /** A pod pinned by the user (nodeName or a hostname nodeSelector): only its phase is chosen. */
  private pinnedNode(pod: Pod): string | null | Outcome {
    const spec = (pod.spec ?? {}) as Record<string, unknown>;
    if (typeof spec.nodeName === 'string' && spec.nodeName !== '') return spec.nodeName;
    const selector = spec.nodeSelector;
    if (selector !== null && typeof selector === 'object') {
      const host = (selector as Record<string, unknown>)[HOSTNAME_LABEL];
      if (typeof host === 'string') {
        const node = this.state.nodeForHostname(host);
        if (node === undefined)
          return refuse(
            403,
            `pod is pinned by nodeSelector ${HOSTNAME_LABEL}=${host}, which is not a measurement node (label a node with nmaas.io/pool)`,
          );
        return node;
      }
    }
    return null;
  }

  /** Evicts the moved pods; null when all went, else why not. */
  private async carryOut(migrations: Migration[]): Promise<string | null> {
    const evict = this.options.evict!;
    for (const m of migrations) {
      const pod = this.state.podOf(m.id);
      if (pod === null) return `measurement ${m.id} that would move is not created yet`;
      try {
        await evict(pod.namespace, pod.name);
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status === 404) continue; // already gone: its slot is free anyway
        return `evicting ${pod.namespace}/${pod.name} was refused (${status === 429 ? 'its PodDisruptionBudget allows no disruption now' : error instanceof Error ? error.message : String(error)})`;
      }
      this.state.markMoving(m.id);
    }
    return null;
  }

  /** The validating webhook: a measurement pod's final spec must honour its decision and booking. */
  validate(pod: Pod, namespace: string, operation = 'CREATE'): Outcome {
    const subject = `pod ${namespace}/${pod.metadata.name ?? pod.metadata.generateName ?? ''}`;
    let decision: Decision | null;
    try {
      decodePodContract(pod.metadata, subject);
      decision = decodeDecision(pod.metadata.annotations, subject);
    } catch (error) {
      if (error instanceof ContractError) return refuse(400, error.message);
      throw error;
    }
    // A pod that predates the scheduler may still be updated (labels, finalizers); a new one may not skip it.
    if (decision === null && operation === 'UPDATE') return allow();
    if (decision === null) {
      return refuse(
        403,
        `${subject} is a measurement pod without an NMaaS decision: the scheduler's mutating webhook did not run (check the MutatingWebhookConfiguration)`,
      );
    }
    const problems = contradictions(pod, decision, this.state.hostnameOf(decision.node));
    const id = pod.metadata.annotations?.[BOOKING_ID_ANNOTATION];
    const booked = id === undefined ? null : this.state.placementOf(id);
    if (booked !== null && (booked.node !== decision.node || booked.phase !== decision.phaseSeconds)) {
      problems.push(
        `its annotations say ${decision.node} at +${decision.phaseSeconds} s but the booking is ${booked.node} at +${booked.phase} s`,
      );
    }
    if (problems.length > 0) return refuse(403, `${subject} contradicts its NMaaS booking: ${problems.join('; ')}`);
    return allow();
  }
}

/** The explicit answer of a shed decision: retryable, and the same for every pod, so it costs nothing to build. */
function overloaded(why: string): Outcome {
  return refuse(
    503,
    `the NMaaS scheduler is overloaded (${why}); the pod was not placed, retry in a few seconds`,
    'nmaas: scheduler overloaded; retry shortly',
  );
}
