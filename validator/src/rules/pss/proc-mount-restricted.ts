import { objectsRule } from '../define.js';
import { allContainers, rec } from '../../k8s/pods.js';
import { onContainer } from './draft.js';

export default objectsRule(
  {
    id: 'NMAAS-PSS-PROC-MOUNT-RESTRICTED',
    title: 'Unmasked /proc mount in a user namespace',
    severity: 'error',
    pss: 'restricted',
    securitySeverity: 6.0,
    rationale:
      'Restricted allows no procMount but Default, even in a user namespace (`hostUsers: false`), where baseline has allowed Unmasked since v1.35 (PSS restricted "/proc Mount Type").',
    fix: 'Remove securityContext.procMount (or set Default).',
  },
  (input) =>
    allContainers(input.objects)
      .filter((c) => {
        const pm = rec(c.c.securityContext)?.procMount;
        // Outside a user namespace NMAAS-PSS-PROC-MOUNT reports it already.
        return pm !== undefined && pm !== 'Default' && c.pod.spec.hostUsers === false;
      })
      .map((c) =>
        onContainer(
          c,
          `securityContext.procMount is ${JSON.stringify(rec(c.c.securityContext)?.procMount)} (in a user namespace)`,
          String(rec(c.c.securityContext)?.procMount),
        ),
      ),
);
