import { objectsRule } from '../define.js';
import { allContainers, rec } from '../../k8s/pods.js';
import { onContainer } from './draft.js';

export default objectsRule(
  {
    id: 'NMAAS-PSS-PRIVILEGED',
    title: 'Privileged container',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 9.5,
    rationale:
      'A privileged container has every capability and every host device: it is root on the node (PSS baseline "Privileged Containers").',
    fix: 'Remove securityContext.privileged; declare the one capability the app needs in nmaas.yaml instead.',
  },
  (input) =>
    allContainers(input.objects)
      .filter((c) => rec(c.c.securityContext)?.privileged === true)
      .map((c) => onContainer(c, 'securityContext.privileged is true', 'privileged')),
);
