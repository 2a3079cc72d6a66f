import { objectsRule } from '../define.js';
import { objectId } from '../../k8s/pods.js';

export default objectsRule(
  {
    id: 'NMAAS-FOREIGN-NAMESPACE',
    title: 'Object placed in another namespace',
    severity: 'error',
    securitySeverity: 7.0,
    rationale:
      "Objects outside the release namespace escape the user's choice of namespace, its quotas and its policies, and can overwrite another tenant's objects; only a Grafana dashboard for the monitoring stack is expected (a note).",
    fix: 'Leave metadata.namespace unset (helm puts objects in the release namespace), or make it a value the user sets.',
  },
  (input) =>
    input.objects
      .filter(
        (o) =>
          !/^(Cluster)?Role(Binding)?$/.test(o.object.kind ?? '') &&
          o.object.metadata?.namespace !== undefined &&
          o.object.metadata.namespace !== input.namespace,
      )
      .map((o) => {
        const dashboard = o.object.kind === 'ConfigMap' && o.object.metadata?.labels?.grafana_dashboard !== undefined;
        return {
          message: `${objectId(o.object)} is placed in namespace ${o.object.metadata!.namespace}${dashboard ? " (a Grafana dashboard for the monitoring stack's sidecar)" : ''}`,
          object: objectId(o.object),
          ...(o.source ? { file: o.source } : {}),
          value: o.object.metadata!.namespace,
          ...(dashboard ? { severity: 'info' as const } : {}),
        };
      }),
);
