import { objectsRule } from '../define.js';
import { objectId } from '../../k8s/pods.js';

/** Cluster-scoped kinds a measurement chart could be tempted to ship (RBAC is NMAAS-RBAC-SCOPE's). */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'PriorityClass', 'RuntimeClass', 'CustomResourceDefinition',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
  'APIService', 'PodSecurityPolicy', 'CertificateSigningRequest', 'IngressClass', 'CSIDriver', 'VolumeAttachment', 'FlowSchema',
  'PriorityLevelConfiguration',
]);

export default objectsRule(
  {
    id: 'NMAAS-CLUSTER-SCOPED',
    title: 'Cluster-scoped object',
    severity: 'error',
    securitySeverity: 8.0,
    rationale: 'A measurement app lives in one namespace; a webhook, CRD, Namespace or PriorityClass changes the whole cluster for every tenant and survives the app.',
    fix: 'Remove the object; cluster-wide setup belongs to the cluster operators, not to a catalogue app.',
  },
  (input) =>
    input.objects
      .filter((o) => CLUSTER_SCOPED.has(o.object.kind ?? ''))
      .map((o) => ({ message: `${o.object.kind} is cluster-scoped`, object: objectId(o.object), ...(o.source ? { file: o.source } : {}), value: o.object.kind })),
);
