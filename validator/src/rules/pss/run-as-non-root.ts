import { objectsRule } from '../define.js';
import { containers, pods, rec } from '../../k8s/pods.js';
import { onContainer, onPod } from './draft.js';
import type { Draft } from '../../types.js';

export default objectsRule(
  {
    id: 'NMAAS-PSS-RUN-AS-NON-ROOT',
    title: 'Containers may run as root',
    severity: 'error',
    pss: 'restricted',
    securitySeverity: 7.0,
    rationale:
      'runAsNonRoot: true makes the kubelet refuse to start a container whose user is root, whatever the image says (PSS restricted "Running as Non-root").',
    fix: 'Set spec.securityContext.runAsNonRoot: true (the NMaaS image runs as 65532) and never false on a container.',
  },
  (input) => {
    const out: Draft[] = [];
    for (const pod of pods(input.objects)) {
      const podValue = rec(pod.spec.securityContext)?.runAsNonRoot;
      if (podValue === false) out.push(onPod(pod, 'spec.securityContext.runAsNonRoot is false'));
      for (const c of containers(pod)) {
        const v = rec(c.c.securityContext)?.runAsNonRoot;
        if (v === false) out.push(onContainer(c, 'securityContext.runAsNonRoot is false'));
        else if (v !== true && podValue !== true)
          out.push(onContainer(c, 'runAsNonRoot is not true on the container nor on the pod'));
      }
    }
    return out;
  },
);
