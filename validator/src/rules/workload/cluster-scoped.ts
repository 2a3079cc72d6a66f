import { objectsRule } from '../define.js';
import { objectId } from '../../k8s/pods.js';

/**
 * The namespaced kinds a measurement app may ship, by API group. Anything else (a cluster-scoped
 * kind, a webhook, a CRD, an unknown custom kind whose controller may act cluster-wide) needs a
 * reviewer's exemption: an allow list, so that a kind nobody thought of is refused, not passed.
 */
const ALLOWED: Record<string, readonly string[]> = {
  '': ['ConfigMap', 'Secret', 'Service', 'ServiceAccount', 'Pod', 'PersistentVolumeClaim'],
  apps: ['Deployment', 'StatefulSet', 'DaemonSet'],
  batch: ['Job', 'CronJob'],
  'rbac.authorization.k8s.io': ['Role', 'RoleBinding'],
  'networking.k8s.io': ['NetworkPolicy'],
  policy: ['PodDisruptionBudget'],
  autoscaling: ['HorizontalPodAutoscaler'],
  'monitoring.coreos.com': ['ServiceMonitor', 'PodMonitor', 'PrometheusRule', 'Probe'],
};

/** Kinds another rule judges in detail: cluster-wide RBAC (NMAAS-RBAC-SCOPE), ingress routes (NMAAS-INGRESS). */
const JUDGED_ELSEWHERE = new Set([
  'ClusterRole',
  'ClusterRoleBinding',
  'Ingress',
  'Gateway',
  'HTTPRoute',
  'GRPCRoute',
  'TLSRoute',
  'TCPRoute',
  'UDPRoute',
]);

/** Well-known cluster-scoped kinds, named as such in the message. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'RuntimeClass',
  'CustomResourceDefinition',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'APIService',
  'PodSecurityPolicy',
  'CertificateSigningRequest',
  'IngressClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'GatewayClass',
  'ClusterIssuer',
]);

export function groupOf(apiVersion: unknown): string {
  if (typeof apiVersion !== 'string') return '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function isAllowedKind(apiVersion: unknown, kind: string): boolean {
  return ALLOWED[groupOf(apiVersion)]?.includes(kind) === true;
}

export default objectsRule(
  {
    id: 'NMAAS-CLUSTER-SCOPED',
    title: 'Cluster-scoped or unexpected kind',
    severity: 'error',
    securitySeverity: 8.0,
    rationale:
      'A measurement app lives in one namespace; a webhook, CRD, Namespace or PriorityClass changes the whole cluster for every tenant and survives the app, and a custom kind hands its spec to a controller nobody reviewed. Only the namespaced kinds an app needs are accepted.',
    fix: "Remove the object; cluster-wide setup belongs to the cluster operators. A namespaced kind outside the list needs a reviewer's exemption naming it.",
  },
  (input) =>
    input.objects
      .filter(
        (o) => !JUDGED_ELSEWHERE.has(o.object.kind ?? '') && !isAllowedKind(o.object.apiVersion, o.object.kind ?? ''),
      )
      .map((o) => {
        const kind = o.object.kind ?? '(no kind)';
        const group = groupOf(o.object.apiVersion);
        const message = CLUSTER_SCOPED.has(kind)
          ? `${kind} is cluster-scoped`
          : `${kind}${group ? ` (${group})` : ''} is not among the namespaced kinds an app may ship (${Object.values(ALLOWED).flat().join(', ')})`;
        return { message, object: objectId(o.object), ...(o.source ? { file: o.source } : {}), value: kind };
      }),
);
