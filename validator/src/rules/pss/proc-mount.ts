import { objectsRule } from '../define.js';
import { allContainers, rec } from '../../k8s/pods.js';
import { onContainer } from './draft.js';

export default objectsRule(
  {
    id: 'NMAAS-PSS-PROC-MOUNT',
    title: 'Unmasked /proc mount',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 7.0,
    rationale:
      'procMount: Unmasked exposes host kernel knobs under /proc that the default mask hides (PSS baseline "/proc Mount Type"; since v1.35 baseline allows it in a user namespace, `hostUsers: false`, which NMAAS-PSS-PROC-MOUNT-RESTRICTED still refuses).',
    fix: 'Remove securityContext.procMount (or set Default).',
  },
  (input) =>
    allContainers(input.objects)
      .filter((c) => {
        const pm = rec(c.c.securityContext)?.procMount;
        // In a user namespace the unmasked /proc belongs to that namespace: baseline allows it since v1.35.
        return pm !== undefined && pm !== 'Default' && c.pod.spec.hostUsers !== false;
      })
      .map((c) =>
        onContainer(
          c,
          `securityContext.procMount is ${JSON.stringify(rec(c.c.securityContext)?.procMount)}`,
          String(rec(c.c.securityContext)?.procMount),
        ),
      ),
);
