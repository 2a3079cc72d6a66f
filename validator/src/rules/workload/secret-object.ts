import { objectsRule } from '../define.js';
import { objectId } from '../../k8s/pods.js';

export default objectsRule(
  {
    id: 'NMAAS-SECRET-OBJECT',
    title: 'Chart ships a Secret',
    severity: 'error',
    securitySeverity: 7.5,
    rationale:
      'A Secret in a public catalogue chart is either a leaked credential or a default password every install shares.',
    fix: 'Remove the Secret; let users reference their own Secret by name through a value.',
  },
  (input) =>
    input.objects
      .filter((o) => o.object.kind === 'Secret')
      .map((o) => ({
        message: 'the chart renders a Secret',
        object: objectId(o.object),
        ...(o.source ? { file: o.source } : {}),
        value: o.object.metadata?.name,
      })),
);
