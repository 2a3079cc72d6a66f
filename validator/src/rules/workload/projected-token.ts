import { objectsRule } from '../define.js';
import { arr, pods, rec } from '../../k8s/pods.js';
import { onPod } from '../pss/draft.js';

export default objectsRule(
  {
    id: 'NMAAS-PROJECTED-TOKEN',
    title: 'Service account token mounted through a projected volume',
    severity: 'error',
    securitySeverity: 7.0,
    rationale:
      'A projected serviceAccountToken source mounts an API token even when automountServiceAccountToken is false, so the pod can call the API server as its service account.',
    fix: 'Remove the serviceAccountToken source; measurement apps need no Kubernetes API access.',
  },
  (input) =>
    pods(input.objects).flatMap((pod) =>
      arr(pod.spec.volumes)
        .map(rec)
        .filter((v) => arr(rec(v?.projected)?.sources).some((s) => rec(s)?.serviceAccountToken !== undefined))
        .map((v) => onPod(pod, `volume ${String(v?.name)} projects a service account token`, String(v?.name))),
    ),
);
