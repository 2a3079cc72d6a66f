import { objectsRule } from '../define.js';
import { objectId, rec, str } from '../../k8s/pods.js';
import type { Draft } from '../../types.js';

const POWERFUL_CLUSTER_ROLES = new Set(['cluster-admin', 'admin', 'edit', 'system:masters']);

export default objectsRule(
  {
    id: 'NMAAS-RBAC-SCOPE',
    title: 'RBAC outside the release namespace',
    severity: 'error',
    securitySeverity: 8.5,
    rationale:
      'A measurement app must not grant anything beyond its own namespace: a ClusterRole(Binding), a Role in another namespace or a binding to a built-in admin role hands the cluster to whoever controls the pod.',
    fix: 'Remove cluster-wide RBAC; if the app truly needs API access, use a Role and RoleBinding in the release namespace with named resources.',
  },
  (input) => {
    const out: Draft[] = [];
    for (const o of input.objects) {
      const kind = o.object.kind ?? '';
      if (!/^(Cluster)?Role(Binding)?$/.test(kind)) continue;
      const base: Draft = { message: '', object: objectId(o.object), ...(o.source ? { file: o.source } : {}) };
      if (kind.startsWith('Cluster')) {
        out.push({ ...base, message: `${kind} is cluster-wide`, value: kind });
        continue;
      }
      const ns = o.object.metadata?.namespace;
      if (ns !== undefined && ns !== input.namespace)
        out.push({ ...base, message: `${kind} is in namespace ${ns}, not the release namespace`, value: ns });
      if (kind === 'RoleBinding') {
        const ref = rec(o.object.roleRef);
        if (str(ref?.kind) === 'ClusterRole' && POWERFUL_CLUSTER_ROLES.has(str(ref?.name) ?? ''))
          out.push({
            ...base,
            message: `RoleBinding grants the built-in ClusterRole ${str(ref?.name)}`,
            value: str(ref?.name),
          });
      }
    }
    return out;
  },
);
