/**
 * The admission edge for measurement pods: it reads a pod (its contract, an existing decision, a
 * user's pin), asks the admission service, and turns the answer into an AdmissionReview outcome:
 * a JSON patch carrying the decision, or a refusal in words with its status code.
 *  - a pod that already carries a decision keeps it (re-invocation, retries, replacements);
 *  - a replacement for a pod moved by a readapt gets the slot the plan reserved for it;
 *  - otherwise the engine places it (filter → score → reserve), possibly moving other pods;
 *  - a dry run decides without booking anything.
 * Mutations run one at a time (the engine is single-threaded and an eviction is awaited in the
 * middle of a decision); past a bound the queue sheds load with an explicit, retryable refusal.
 */
import {
  ContractError,
  DECISION_ANNOTATIONS,
  HOSTNAME_LABEL,
  decodeDecision,
  decodePodContract,
  type Decision,
  type PodContract,
} from '@nmaas/sdk/contract';
import { formatPeriod } from '../engine/index.js';
import type { Pod } from '../kube/types.js';
import { allow, refuse, type Outcome } from './admission-review.js';
import type { AdmissionService, Placed, Refused } from './admission-service.js';
import { decodeAdmissibleContract } from './contract-rules.js';
import { contradictions, decisionPatch } from './patch.js';
import { describeRefused } from './refusal-text.js';
import { BOOKING_ID_ANNOTATION, controllerUid } from './state.js';

export interface DeciderOptions {
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

  constructor(
    readonly service: AdmissionService,
    options: DeciderOptions = {},
  ) {
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
    // Nothing queued or running: every earlier decision has finished, so this one starts now
    // instead of behind a chain of settled promises (the common case below saturation).
    const run =
      this.pending === 0
        ? this.decideInTurn(pod, namespace, dryRun, deadline)
        : this.queue.then(() => this.decideInTurn(pod, namespace, dryRun, deadline));
    this.pending += 1;
    // Registered before the caller's own reaction, so `queued` is already down when the caller resumes.
    this.queue = run.then(this.done, this.done);
    return run;
  }

  /** The end of a decision, fulfilled or failed: one reaction shared by all, not a closure per request. */
  private readonly done = (): void => {
    this.pending -= 1;
  };

  private decideInTurn(pod: Pod, namespace: string, dryRun: boolean, deadline: number | undefined): Promise<Outcome> {
    if (deadline !== undefined && performance.now() > deadline) {
      this.shed.lateStart += 1;
      return Promise.resolve(overloaded('this request waited past its answer deadline'));
    }
    return this.decide(pod, namespace, dryRun);
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
    const pinned = this.pinnedNode(pod);
    if (pinned !== null && typeof pinned === 'object') return pinned;
    const origin = { namespace, ownerUid: controllerUid(pod) };
    const admission =
      existing !== null
        ? this.service.keep(contract, existing, pod.metadata.annotations?.[BOOKING_ID_ANNOTATION], dryRun, origin)
        : await this.service.admit(contract, pinned, dryRun, origin);
    if (admission.kind === 'placed') return this.placed(pod, admission, contract);
    return this.refused(admission, subject, contract.app);
  }

  /** A placement as a patch writing the decision into the pod, with a warning saying what was done. */
  private placed(pod: Pod, p: Placed, contract: PodContract): Outcome {
    const decision = { node: p.node, phaseSeconds: p.phase };
    const patch = decisionPatch(pod, decision, this.service.hostnameOf(p.node), p.bookingId);
    const warnings: string[] = [];
    if (p.how === 'replacement') warnings.push(`nmaas: replacement of a moved pod, on ${p.node} at +${p.phase} s`);
    else if (p.how === 'decided' && p.dryRun) warnings.push(`nmaas: dry run, would run on ${p.node} at +${p.phase} s`);
    else if (p.how === 'decided') {
      const moves = p.migrations.length > 0 ? `, moving ${p.migrations.length} pod(s)` : '';
      warnings.push(`nmaas: ${p.node} at +${p.phase} s every ${formatPeriod(contract.everySeconds)}${moves}`);
    }
    return allow({ patch, warnings, auditAnnotations: { decision: `${p.node}@${p.phase}s` } });
  }

  /** A refusal in words, pods named by namespace/name. */
  private refused(r: Refused, subject: string, app: string): Outcome {
    const nameOf = (id: string) => this.service.nameOf(id);
    const why = describeRefused(r, nameOf);
    switch (r.code) {
      case 'unknown-node':
        return refuse(
          403,
          `${subject}: ${why}; remove the ${DECISION_ANNOTATIONS.node} and ${DECISION_ANNOTATIONS.phase} annotations to have it placed again`,
        );
      case 'stale-decision':
        return refuse(403, `${subject}: ${why}`);
      case 'migration-blocked':
        return refuse(
          403,
          `NMaaS can place ${subject} only by moving other measurements, and ${why}. Retry later.`,
          `nmaas: needs a migration that is blocked now; retry later`,
        );
      default:
        return refuse(403, `NMaaS cannot place ${subject} (app ${app}): ${why}`, `nmaas: ${why}`);
    }
  }

  /** A pod pinned by the user (nodeName or a hostname nodeSelector): only its phase is chosen. */
  private pinnedNode(pod: Pod): string | null | Outcome {
    const spec = (pod.spec ?? {}) as Record<string, unknown>;
    if (typeof spec.nodeName === 'string' && spec.nodeName !== '') return spec.nodeName;
    const selector = spec.nodeSelector;
    if (selector !== null && typeof selector === 'object') {
      const host = (selector as Record<string, unknown>)[HOSTNAME_LABEL];
      if (typeof host === 'string') {
        const node = this.service.nodeForHostname(host);
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
    const problems = contradictions(pod, decision, this.service.hostnameOf(decision.node));
    const id = pod.metadata.annotations?.[BOOKING_ID_ANNOTATION];
    const booked = id === undefined ? null : this.service.bookingOf(id);
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
