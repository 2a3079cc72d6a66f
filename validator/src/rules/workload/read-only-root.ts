import { objectsRule } from '../define.js';
import { allContainers, rec } from '../../k8s/pods.js';
import { onContainer } from '../pss/draft.js';

export default objectsRule(
  {
    id: 'NMAAS-READONLY-ROOT-FS',
    title: 'Root filesystem writable',
    severity: 'warning',
    securitySeverity: 5.0,
    rationale:
      'NMaaS containers write only /tmp; a writable root lets an attacker drop tools into the image (kube-score critical, Trivy KSV-0014).',
    fix: 'Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir at /tmp.',
  },
  (input) =>
    allContainers(input.objects, ['containers', 'initContainers'])
      .filter((c) => rec(c.c.securityContext)?.readOnlyRootFilesystem !== true)
      .map((c) => onContainer(c, 'securityContext.readOnlyRootFilesystem is not true')),
);
