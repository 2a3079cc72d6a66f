import { objectsRule } from '../define.js';
import { containers, pods, rec } from '../../k8s/pods.js';
import { onContainer, onPod } from './draft.js';
import type { Draft } from '../../types.js';

export default objectsRule(
  {
    id: 'NMAAS-PSS-RUN-AS-USER',
    title: 'runAsUser is 0 (root)',
    severity: 'error',
    pss: 'restricted',
    securitySeverity: 7.5,
    rationale: 'An explicit runAsUser: 0 runs the process as root (PSS restricted "Running as Non-root user").',
    fix: 'Set runAsUser to 65532 (the NMaaS image user) or leave it unset.',
  },
  (input) => {
    const out: Draft[] = [];
    for (const pod of pods(input.objects)) {
      if (rec(pod.spec.securityContext)?.runAsUser === 0)
        out.push(onPod(pod, 'spec.securityContext.runAsUser is 0', '0'));
      for (const c of containers(pod))
        if (rec(c.c.securityContext)?.runAsUser === 0) out.push(onContainer(c, 'securityContext.runAsUser is 0', '0'));
    }
    return out;
  },
);
