import { objectsRule } from '../define.js';
import { containers, pods, rec } from '../../k8s/pods.js';
import { onContainer } from './draft.js';
import type { Draft } from '../../types.js';

const OK = new Set(['RuntimeDefault', 'Localhost']);

export default objectsRule(
  {
    id: 'NMAAS-PSS-SECCOMP-RESTRICTED',
    title: 'Seccomp profile not set to RuntimeDefault or Localhost',
    severity: 'error',
    pss: 'restricted',
    securitySeverity: 6.0,
    rationale:
      'Left unset, many runtimes run without any syscall filter; restricted requires the runtime default profile or a node-local one (PSS restricted "Seccomp").',
    fix: 'Set spec.securityContext.seccompProfile.type: RuntimeDefault.',
  },
  (input) => {
    const out: Draft[] = [];
    for (const pod of pods(input.objects)) {
      const podType = rec(rec(pod.spec.securityContext)?.seccompProfile)?.type;
      for (const c of containers(pod)) {
        const t = rec(rec(c.c.securityContext)?.seccompProfile)?.type;
        // Unconfined is NMAAS-PSS-SECCOMP-BASELINE's finding.
        if (t === 'Unconfined' || (t === undefined && podType === 'Unconfined')) continue;
        const effective = t ?? podType;
        if (!OK.has(effective as string))
          out.push(
            onContainer(
              c,
              `seccompProfile.type is ${JSON.stringify(effective ?? 'unset')} (pod and container), must be RuntimeDefault or Localhost`,
            ),
          );
      }
    }
    return out;
  },
);
