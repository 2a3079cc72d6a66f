import { objectsRule } from '../define.js';
import { pods } from '../../k8s/pods.js';
import { onPod } from './draft.js';

export default objectsRule(
  {
    id: 'NMAAS-PSS-HOST-NAMESPACES',
    title: 'Pod shares the host network, PID or IPC namespace',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 8.5,
    rationale:
      'hostNetwork lets a measurement sniff and spoof every flow of the node owner; hostPID/hostIPC expose every process on the node (PSS baseline "Host Namespaces").',
    fix: 'Remove hostNetwork, hostPID and hostIPC from the pod spec; measure from the pod network.',
  },
  (input) =>
    pods(input.objects).flatMap((pod) =>
      (['hostNetwork', 'hostPID', 'hostIPC'] as const)
        .filter((k) => pod.spec[k] === true)
        .map((k) => onPod(pod, `spec.${k} is true`, k)),
    ),
);
