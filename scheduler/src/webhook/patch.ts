/**
 * The JSONPatch (RFC 6902) that carries a decision into a pod, and the check that a final pod
 * spec still honours it. Pinning uses a *required* node affinity on kubernetes.io/hostname, not
 * spec.nodeName, so the kube-scheduler still checks resources, taints and ports. The patch is
 * computed against the object received, so applying it again to its own result changes nothing
 * (re-invocation, retries): existing keys are replaced, the hostname requirement is added to
 * every node selector term only where it is missing.
 */
import { DECISION_ANNOTATIONS, HOSTNAME_LABEL, PHASE_ENV, type Decision } from '@nmaas/sdk/contract';
import type { Pod } from '../kube/types.js';
import { BOOKING_ID_ANNOTATION } from './state.js';

export interface JsonPatchOp {
  op: 'add' | 'replace' | 'remove' | 'test';
  path: string;
  value?: unknown;
}

const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
/** The annotations a decision writes, in patch order, and their JSON Pointers (escaped once, not per request). */
const DECISION_KEYS = [DECISION_ANNOTATIONS.node, DECISION_ANNOTATIONS.phase, BOOKING_ID_ANNOTATION];
const ANNOTATION_PATHS = new Map(DECISION_KEYS.map((k) => [k, `/metadata/annotations/${escape(k)}`]));
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}

const pins = (hostname: string) => (r: unknown) =>
  isObj(r) &&
  r.key === HOSTNAME_LABEL &&
  r.operator === 'In' &&
  Array.isArray(r.values) &&
  r.values.length === 1 &&
  r.values[0] === hostname;

export function decisionPatch(pod: Pod, decision: Decision, hostname: string, bookingId: string): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  const meta = pod.metadata as Record<string, unknown>;
  const annotations: Record<string, string> = {
    [DECISION_ANNOTATIONS.node]: decision.node,
    [DECISION_ANNOTATIONS.phase]: String(decision.phaseSeconds),
    [BOOKING_ID_ANNOTATION]: bookingId,
  };
  if (!isObj(meta.annotations)) ops.push({ op: 'add', path: '/metadata/annotations', value: annotations });
  else {
    for (const k of DECISION_KEYS) {
      const v = annotations[k]!;
      if (meta.annotations[k] !== v) ops.push({ op: 'add', path: ANNOTATION_PATHS.get(k)!, value: v });
    }
  }

  const requirement: Requirement = { key: HOSTNAME_LABEL, operator: 'In', values: [hostname] };
  const spec = (pod.spec ?? {}) as Record<string, unknown>;
  const affinity = spec.affinity;
  const required = { nodeSelectorTerms: [{ matchExpressions: [requirement] }] };
  if (!isObj(affinity))
    ops.push({
      op: 'add',
      path: '/spec/affinity',
      value: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: required } },
    });
  else if (!isObj(affinity.nodeAffinity))
    ops.push({
      op: 'add',
      path: '/spec/affinity/nodeAffinity',
      value: { requiredDuringSchedulingIgnoredDuringExecution: required },
    });
  else {
    const req = affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution;
    const terms = isObj(req) && Array.isArray(req.nodeSelectorTerms) ? req.nodeSelectorTerms : null;
    if (terms === null || terms.length === 0) {
      ops.push({
        op: 'add',
        path: '/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution',
        value: required,
      });
    } else {
      // Terms are ORed: pin each of them (an existing requirement ANDs with ours).
      terms.forEach((term, i) => {
        const base = `/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/${i}`;
        if (!isObj(term)) ops.push({ op: 'replace', path: base, value: { matchExpressions: [requirement] } });
        else if (!Array.isArray(term.matchExpressions))
          ops.push({ op: 'add', path: `${base}/matchExpressions`, value: [requirement] });
        else if (!term.matchExpressions.some(pins(hostname)))
          ops.push({ op: 'add', path: `${base}/matchExpressions/-`, value: requirement });
      });
    }
  }

  const phase = String(decision.phaseSeconds);
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  containers.forEach((c, i) => {
    if (!isObj(c)) return;
    const env = c.env;
    if (!Array.isArray(env)) {
      ops.push({ op: 'add', path: `/spec/containers/${i}/env`, value: [{ name: PHASE_ENV, value: phase }] });
      return;
    }
    const j = env.findIndex((e) => isObj(e) && e.name === PHASE_ENV);
    if (j < 0) ops.push({ op: 'add', path: `/spec/containers/${i}/env/-`, value: { name: PHASE_ENV, value: phase } });
    else if (!(isObj(env[j]) && env[j].value === phase && env[j].valueFrom === undefined)) {
      ops.push({ op: 'replace', path: `/spec/containers/${i}/env/${j}`, value: { name: PHASE_ENV, value: phase } });
    }
  });
  return ops;
}

/**
 * What in a final pod spec contradicts its decision (empty when it honours it): every node selector
 * term pins the decided host, nodeName (if set) and nodeSelector hostname agree, every container
 * has the phase env var.
 */
export function contradictions(pod: Pod, decision: Decision, hostname: string): string[] {
  const out: string[] = [];
  const spec = (pod.spec ?? {}) as Record<string, unknown>;
  const affinity = isObj(spec.affinity) ? spec.affinity : {};
  const nodeAffinity = isObj(affinity.nodeAffinity) ? affinity.nodeAffinity : {};
  const req = nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution;
  const terms = isObj(req) && Array.isArray(req.nodeSelectorTerms) ? req.nodeSelectorTerms : [];
  if (terms.length === 0) out.push(`no required node affinity pins the pod to ${hostname}`);
  else if (
    !terms.every((t) => isObj(t) && Array.isArray(t.matchExpressions) && t.matchExpressions.some(pins(hostname)))
  ) {
    out.push(`a required node affinity term does not pin ${HOSTNAME_LABEL}=${hostname}`);
  }
  if (typeof spec.nodeName === 'string' && spec.nodeName !== '' && spec.nodeName !== decision.node)
    out.push(`spec.nodeName is ${spec.nodeName}, booked ${decision.node}`);
  const selector = isObj(spec.nodeSelector) ? spec.nodeSelector : {};
  if (selector[HOSTNAME_LABEL] !== undefined && selector[HOSTNAME_LABEL] !== hostname)
    out.push(`nodeSelector ${HOSTNAME_LABEL}=${String(selector[HOSTNAME_LABEL])} contradicts ${hostname}`);
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  containers.forEach((c, i) => {
    const env = isObj(c) && Array.isArray(c.env) ? c.env : [];
    const entries = env.filter((e) => isObj(e) && e.name === PHASE_ENV);
    if (entries.length !== 1 || !isObj(entries[0]) || entries[0].value !== String(decision.phaseSeconds)) {
      out.push(
        `container ${isObj(c) && typeof c.name === 'string' ? c.name : i} does not set ${PHASE_ENV}=${decision.phaseSeconds}`,
      );
    }
  });
  return out;
}
