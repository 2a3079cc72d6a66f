import { objectsRule } from '../define.js';
import { pods, str } from '../../k8s/pods.js';
import { onPod } from '../pss/draft.js';

export default objectsRule(
  {
    id: 'NMAAS-SA-TOKEN',
    title: 'Service account token mounted',
    severity: 'error',
    securitySeverity: 6.5,
    rationale:
      'A measurement needs no Kubernetes API access; a mounted token is what an attacker in the pod uses to move into the cluster.',
    fix: 'Set automountServiceAccountToken: false on the pod spec (and on its ServiceAccount).',
  },
  (input) => {
    const accounts = new Map(
      input.objects
        .filter((o) => o.object.kind === 'ServiceAccount')
        .map((o) => [o.object.metadata?.name ?? '', o.object.automountServiceAccountToken]),
    );
    return pods(input.objects).flatMap((pod) => {
      const v = pod.spec.automountServiceAccountToken;
      if (v === false) return [];
      const sa = str(pod.spec.serviceAccountName) ?? 'default';
      if (v === undefined && accounts.get(sa) === false) return [];
      return [
        onPod(
          pod,
          v === true
            ? 'automountServiceAccountToken is true'
            : `automountServiceAccountToken is not false on the pod nor on its ServiceAccount ${sa}`,
        ),
      ];
    });
  },
);
