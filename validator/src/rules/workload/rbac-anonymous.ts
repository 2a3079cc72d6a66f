import { objectsRule } from '../define.js';
import { arr, objectId, rec, str } from '../../k8s/pods.js';

/** Subjects that mean "anyone": every request without credentials, or every authenticated identity. */
const EVERYONE = new Set(['system:anonymous', 'system:unauthenticated', 'system:authenticated']);

export default objectsRule(
  {
    id: 'NMAAS-RBAC-ANONYMOUS',
    title: 'Binding to anonymous or every user',
    severity: 'error',
    securitySeverity: 9.0,
    rationale:
      'A RoleBinding or ClusterRoleBinding to system:anonymous, system:unauthenticated or system:authenticated grants its role to anyone who can reach the API server.',
    fix: "Bind only the app's own ServiceAccount.",
  },
  (input) =>
    input.objects
      .filter((o) => /RoleBinding$/.test(o.object.kind ?? ''))
      .flatMap((o) =>
        arr(o.object.subjects)
          .map(rec)
          .filter((s) => EVERYONE.has(str(s?.name) ?? ''))
          .map((s) => ({
            message: `${o.object.kind} binds ${str(s?.kind) ?? 'a subject'} ${str(s?.name)}`,
            object: objectId(o.object),
            value: str(s?.name)!,
            ...(o.source ? { file: o.source } : {}),
          })),
      ),
);
