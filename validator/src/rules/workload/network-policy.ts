import { objectsRule } from '../define.js';
import { isMeasurementPodRef, pods, rec } from '../../k8s/pods.js';
import { selectorMatches } from '../../k8s/selectors.js';
import { onPod } from '../pss/draft.js';

export default objectsRule(
  {
    id: 'NMAAS-NETWORK-POLICY',
    title: 'No NetworkPolicy selects the measurement pods',
    severity: 'error',
    securitySeverity: 6.0,
    rationale: 'Measurement pods run inside other people\'s networks; a NetworkPolicy limits ingress to the metrics port from monitoring, so a compromised neighbour cannot reach them.',
    fix: 'Ship a NetworkPolicy whose podSelector matches the pod labels (`nmaas chart` writes one).',
  },
  (input) => {
    const policies = input.objects.filter((o) => o.object.kind === 'NetworkPolicy').map((o) => rec(o.object.spec)?.podSelector);
    return pods(input.objects)
      .filter((p) => isMeasurementPodRef(p) || policies.length === 0)
      .filter((p) => !policies.some((sel) => selectorMatches(sel, p.metadata.labels)))
      .map((p) => {
        const d = onPod(p, policies.length === 0 ? 'the chart has no NetworkPolicy' : 'no NetworkPolicy podSelector matches the pod labels');
        // The defaults must isolate the pods; a user who switches the policy off in the form chose so for their cluster.
        return input.valueSet === 'defaults' ? d : { ...d, message: `${d.message} (a user can switch it off with these values)`, severity: 'info' as const };
      });
  },
);
