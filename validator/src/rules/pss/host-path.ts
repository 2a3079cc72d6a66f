import { objectsRule } from '../define.js';
import { arr, pods, rec, str } from '../../k8s/pods.js';
import { onPod } from './draft.js';

export default objectsRule(
  {
    id: 'NMAAS-PSS-HOST-PATH',
    title: 'hostPath volume',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 9.0,
    rationale:
      'A hostPath volume reads or writes the node\'s files (/var/run/containerd.sock, /etc): a container escape by configuration (PSS baseline "HostPath Volumes").',
    fix: 'Use an emptyDir or a ConfigMap instead of hostPath.',
  },
  (input) =>
    pods(input.objects).flatMap((pod) =>
      arr(pod.spec.volumes)
        .map(rec)
        .filter((v) => v?.hostPath !== undefined && v.hostPath !== null)
        .map((v) =>
          onPod(
            pod,
            `volume ${str(v!.name) ?? '?'} mounts hostPath ${JSON.stringify(str(rec(v!.hostPath)?.path) ?? '?')}`,
            str(rec(v!.hostPath)?.path),
          ),
        ),
    ),
);
