import { objectsRule } from '../define.js';
import { containers, pods, rec } from '../../k8s/pods.js';
import { onContainer, onPod } from './draft.js';
import type { Draft } from '../../types.js';

export default objectsRule(
  {
    id: 'NMAAS-PSS-SECCOMP-BASELINE',
    title: 'Seccomp explicitly Unconfined',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 7.0,
    rationale:
      'Unconfined seccomp lets the container call every syscall, including the ones behind most kernel container escapes (PSS baseline "Seccomp").',
    fix: 'Set seccompProfile.type: RuntimeDefault on the pod.',
  },
  (input) => {
    const out: Draft[] = [];
    for (const pod of pods(input.objects)) {
      if (rec(rec(pod.spec.securityContext)?.seccompProfile)?.type === 'Unconfined')
        out.push(onPod(pod, 'spec.securityContext.seccompProfile.type is Unconfined', 'Unconfined'));
      for (const c of containers(pod)) {
        if (rec(rec(c.c.securityContext)?.seccompProfile)?.type === 'Unconfined')
          out.push(onContainer(c, 'securityContext.seccompProfile.type is Unconfined', 'Unconfined'));
      }
    }
    return out;
  },
);
