import { objectsRule } from '../define.js';
import { allContainers, rec } from '../../k8s/pods.js';
import { onContainer } from './draft.js';

export default objectsRule(
  {
    id: 'NMAAS-PSS-PRIVILEGE-ESCALATION',
    title: 'Privilege escalation not disabled',
    severity: 'error',
    pss: 'restricted',
    securitySeverity: 7.0,
    rationale: 'Without allowPrivilegeEscalation: false, a setuid binary in the image turns the non-root user into root (PSS restricted "Privilege Escalation").',
    fix: 'Set securityContext.allowPrivilegeEscalation: false on every container, init and ephemeral containers included.',
  },
  (input) =>
    allContainers(input.objects)
      .filter((c) => rec(c.c.securityContext)?.allowPrivilegeEscalation !== false)
      .map((c) => onContainer(c, `securityContext.allowPrivilegeEscalation is ${JSON.stringify(rec(c.c.securityContext)?.allowPrivilegeEscalation ?? 'unset')}, must be false`)),
);
