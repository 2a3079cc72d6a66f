import { objectsRule } from '../define.js';
import { arr, pods, rec, str } from '../../k8s/pods.js';
import { onPod } from '../pss/draft.js';
import type { Draft } from '../../types.js';

const CONTROL_PLANE = /^node-role\.kubernetes\.io\/(control-plane|master)$/;

/** Node-affinity terms that pull the pod onto the control plane. */
function controlPlaneTerms(spec: Record<string, unknown>): boolean {
  const required = rec(rec(rec(spec.affinity)?.nodeAffinity)?.requiredDuringSchedulingIgnoredDuringExecution);
  const preferred = arr(rec(rec(spec.affinity)?.nodeAffinity)?.preferredDuringSchedulingIgnoredDuringExecution).map(
    (p) => rec(rec(p)?.preference),
  );
  const terms = [...arr(required?.nodeSelectorTerms).map(rec), ...preferred];
  return terms.some((t) =>
    arr(t?.matchExpressions).some(
      (e) =>
        CONTROL_PLANE.test(str(rec(e)?.key) ?? '') &&
        str(rec(e)?.operator) !== 'DoesNotExist' &&
        str(rec(e)?.operator) !== 'NotIn',
    ),
  );
}

export default objectsRule(
  {
    id: 'NMAAS-SCHEDULING-ESCAPE',
    title: "Pod that escapes the scheduler's placement",
    severity: 'error',
    securitySeverity: 7.0,
    rationale:
      'NMaaS decides which node owner hosts a measurement. A toleration of every taint (operator Exists without a key), a fixed nodeName (which skips the scheduler and its admission), control-plane affinity or a system-* priority class puts the pod where no owner agreed to run it, or lets it evict others.',
    fix: 'Remove nodeName, broad tolerations, control-plane selectors and system priority classes; placement comes from the nmaas.io scheduling annotations.',
  },
  (input) =>
    pods(input.objects).flatMap((pod): Draft[] => {
      const out: Draft[] = [];
      const spec = pod.spec;
      if (str(spec.nodeName))
        out.push(
          onPod(pod, `spec.nodeName pins the pod to ${str(spec.nodeName)}, bypassing the scheduler`, 'nodeName'),
        );
      for (const t of arr(spec.tolerations).map(rec)) {
        const key = str(t?.key);
        if (str(t?.operator) === 'Exists' && (key === undefined || key === ''))
          out.push(onPod(pod, 'a toleration with operator Exists and no key tolerates every taint', 'tolerations'));
        else if (key !== undefined && CONTROL_PLANE.test(key))
          out.push(onPod(pod, `tolerates the control-plane taint ${key}`, key));
      }
      const selector = rec(spec.nodeSelector) ?? {};
      const cp = Object.keys(selector).find((k) => CONTROL_PLANE.test(k));
      if (cp !== undefined || controlPlaneTerms(spec))
        out.push(onPod(pod, 'selects control-plane nodes', cp ?? 'nodeAffinity'));
      const priority = str(spec.priorityClassName);
      if (priority !== undefined && /^system-/.test(priority))
        out.push(onPod(pod, `priorityClassName ${priority} is reserved for the cluster's own components`, priority));
      return out;
    }),
);
