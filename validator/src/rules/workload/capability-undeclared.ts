import { objectsRule } from '../define.js';
import { addedCapabilities, allContainers, declaredCapabilities } from '../../k8s/pods.js';
import { onContainer } from '../pss/draft.js';

export default objectsRule(
  {
    id: 'NMAAS-CAP-UNDECLARED',
    title: 'Capability added that nmaas.yaml does not declare',
    severity: 'error',
    securitySeverity: 7.0,
    rationale:
      'Reviewers approve the capabilities nmaas.yaml declares with a justification; one added only in a template bypasses that review.',
    fix: 'Remove the capability from the template, or declare it in nmaas.yaml `capabilities` with a justification.',
  },
  (input) => {
    const declared = declaredCapabilities(input.manifest);
    return allContainers(input.objects).flatMap((c) =>
      addedCapabilities(c.c)
        .filter((cap) => !declared.has(cap.replace(/^CAP_/, '')))
        .map((cap) => onContainer(c, `adds capability ${cap}, which nmaas.yaml does not declare`, cap)),
    );
  },
);
