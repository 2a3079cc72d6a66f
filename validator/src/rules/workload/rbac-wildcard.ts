import { objectsRule } from '../define.js';
import { arr, objectId, rec } from '../../k8s/pods.js';
import type { Draft } from '../../types.js';

export default objectsRule(
  {
    id: 'NMAAS-RBAC-WILDCARD',
    title: 'RBAC rule with a wildcard verb, resource or API group',
    severity: 'error',
    securitySeverity: 8.0,
    rationale:
      'A `*` grants every present and future verb or resource, including secrets, exec and escalate (Trivy KSV-0044/0045/0046, Checkov CKV_K8S_49).',
    fix: 'List the exact apiGroups, resources and verbs the app needs.',
  },
  (input) => {
    const out: Draft[] = [];
    for (const o of input.objects) {
      if (o.object.kind !== 'Role' && o.object.kind !== 'ClusterRole') continue;
      arr(o.object.rules).forEach((r, i) => {
        for (const field of ['verbs', 'resources', 'apiGroups']) {
          if (arr(rec(r)?.[field]).includes('*')) {
            out.push({
              message: `rules[${i}].${field} contains "*"`,
              object: objectId(o.object),
              ...(o.source ? { file: o.source } : {}),
              value: field,
            });
          }
        }
      });
    }
    return out;
  },
);
