/**
 * The `nmaas-policy` platform chart: measurement namespaces with Pod Security labels, the
 * parameters CRD and object, and the ValidatingAdmissionPolicies with their bindings. Only the
 * values an operator chooses (namespace names, PSS version, Rancher project, apps, registries,
 * exemptions) are templated; the policies themselves are fixed text generated from policies.ts.
 */
import path from 'node:path';
import { stringify } from 'yaml';
import { writeDirAtomic } from '@nmaas/sdk/kit';
import { ADMISSION_RULES } from './policies.js';
import {
  NAMESPACE_POLICY,
  allPolicyObjects,
  bindingObject,
  podSecurityLabels,
  type K8sObject,
  type NamespacePlan,
} from './admission-objects.js';
import {
  PARAMS_GROUP,
  PARAMS_KIND,
  PARAMS_NAME,
  PARAMS_PLURAL,
  PARAMS_VERSION,
  parametersCrd,
  type AdmissionParameters,
} from './parameters.js';

export const CHART_NAME = 'nmaas-policy';
export const KUBE_VERSION = '>=1.30.0-0';
export const DEFAULT_NAMESPACES: NamespacePlan = {
  restricted: ['nmaas-apps'],
  capabilities: 'nmaas-capabilities',
  pssVersion: 'v1.37',
};

export interface PolicyChartOptions {
  version?: string;
  parameters: Omit<AdmissionParameters, 'measurementNamespaces' | 'capabilityNamespace'>;
  namespaces?: NamespacePlan;
}

const MEASUREMENT = '__NMAAS_MEASUREMENT_NAMESPACES__';
const CAPABILITY = '__NMAAS_CAPABILITY_NAMESPACE__';

const HELPERS = `{{/* Measurement namespaces as a JSON list: the restricted ones and the capability namespace. */}}
{{- define "nmaas-policy.measurement" -}}
{{ concat .Values.namespaces.restricted (list .Values.namespaces.capabilities) | toJson }}
{{- end -}}
{{- define "nmaas-policy.capability" -}}
{{ list .Values.namespaces.capabilities | toJson }}
{{- end -}}
{{/* Namespaces outlive the release: deleting them would delete the apps installed in them. */}}
{{- define "nmaas-policy.namespaceAnnotations" -}}
helm.sh/resource-policy: keep
{{- with .Values.rancher.projectId }}
field.cattle.io/projectId: {{ . | quote }}
{{- end }}
{{- end -}}
`;

function namespaceTemplate(level: 'restricted' | 'privileged', nameExpr: string): string {
  const labels = Object.entries(podSecurityLabels(level, '@@'))
    .map(([k, v]) => `    ${k}: ${v === '@@' ? '{{ $.Values.podSecurity.version | quote }}' : v}`)
    .join('\n');
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${nameExpr}
  labels:
${labels}
    app.kubernetes.io/part-of: nmaas-policy
  annotations:
    {{- include "nmaas-policy.namespaceAnnotations" $ | nindent 4 }}
`;
}

const NAMESPACES = `{{- range .Values.namespaces.restricted }}
---
${namespaceTemplate('restricted', '{{ . }}')}{{- end }}
---
# Apps that declare capabilities (NET_RAW, NET_ADMIN…) cannot pass PSS baseline, which allows neither:
# Pod Security only warns and audits here, and the nmaas-pss-* policies enforce restricted except
# each published app's declared capabilities on its own container.
${namespaceTemplate('privileged', '{{ .Values.namespaces.capabilities }}')}`;

const PARAMETERS = `apiVersion: ${PARAMS_GROUP}/${PARAMS_VERSION}
kind: ${PARAMS_KIND}
metadata:
  name: ${PARAMS_NAME}
  labels:
    app.kubernetes.io/part-of: nmaas-policy
spec:
  measurementNamespaces: {{ include "nmaas-policy.measurement" . }}
  capabilityNamespace: {{ .Values.namespaces.capabilities | quote }}
  allowedRegistries: {{ toJson .Values.allowedRegistries }}
  apps: {{ toJson .Values.apps }}
  exemptions: {{ toJson .Values.exemptions }}
`;

// App charts that declare capabilities look this object up to refuse a wrong namespace before any
// pod exists; helm turns a Forbidden lookup into a render error, so a Rancher project member could
// not install them. The object holds only what the catalogue published (apps, registries, reviewer
// exemptions), so every signed-in user may read it, and nothing else.
const PARAMETERS_READER = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: nmaas-policy-parameters-reader
  labels:
    app.kubernetes.io/part-of: nmaas-policy
rules:
  - apiGroups: [${JSON.stringify(PARAMS_GROUP)}]
    resources: [${JSON.stringify(PARAMS_PLURAL)}]
    resourceNames: [${JSON.stringify(PARAMS_NAME)}]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: nmaas-policy-parameters-reader
  labels:
    app.kubernetes.io/part-of: nmaas-policy
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: nmaas-policy-parameters-reader
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: Group
    name: system:authenticated
`;

function yamlDocs(objects: K8sObject[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
}

function bindingsTemplate(): string {
  const plan: NamespacePlan = { restricted: [], capabilities: '', pssVersion: '' };
  const bindings = [
    ...ADMISSION_RULES.map((r) => [r.name, r.scope] as const),
    [NAMESPACE_POLICY.name, 'namespaces'] as const,
  ].map(([name, scope]) => {
    const b = bindingObject(name, scope, plan);
    const spec = b.spec as { matchResources: { namespaceSelector: { matchExpressions: { values: unknown }[] } } };
    spec.matchResources.namespaceSelector.matchExpressions[0]!.values =
      scope === 'capability-namespace' ? CAPABILITY : MEASUREMENT;
    return b;
  });
  return yamlDocs(bindings)
    .replaceAll(MEASUREMENT, '{{ include "nmaas-policy.measurement" . }}')
    .replaceAll(CAPABILITY, '{{ include "nmaas-policy.capability" . }}');
}

function chartYaml(version: string): string {
  return `apiVersion: v2
name: ${CHART_NAME}
version: ${version}
appVersion: "${version}"
kubeVersion: "${KUBE_VERSION}"
type: application
description: NMaaS admission policies - Pod Security labels on measurement namespaces and ValidatingAdmissionPolicies mirroring the catalogue review.
keywords: [nmaas, admission, pod-security, validating-admission-policy, Security]
home: https://github.com/nmaas/nmaas
sources: [https://github.com/nmaas/nmaas]
maintainers:
  - name: NMaaS project
    url: https://github.com/nmaas/nmaas/issues
annotations:
  catalog.cattle.io/display-name: NMaaS admission policies
  catalog.cattle.io/namespace: nmaas-system
  catalog.cattle.io/release-name: ${CHART_NAME}
  catalog.cattle.io/os: linux
  catalog.cattle.io/permits-os: linux
  catalog.cattle.io/kube-version: "${KUBE_VERSION}"
  catalog.cattle.io/type: cluster-tool
  artifacthub.io/category: security
  artifacthub.io/license: Apache-2.0
`;
}

export function defaultValues(options: PolicyChartOptions): Record<string, unknown> {
  const ns = options.namespaces ?? DEFAULT_NAMESPACES;
  return {
    namespaces: { restricted: ns.restricted, capabilities: ns.capabilities },
    podSecurity: { version: ns.pssVersion },
    rancher: { projectId: '' },
    allowedRegistries: options.parameters.allowedRegistries,
    apps: options.parameters.apps,
    exemptions: options.parameters.exemptions,
  };
}

const VALUES_HEADER = `# nmaas-policy values. apps and exemptions come from the catalogue (nmaas policy chart --apps --policy):
# an app missing here is refused in the measurement namespaces; an exemption stops admitting after notAfter.
`;

const DNS_LABEL = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 };
const STRINGS = { type: 'array', items: { type: 'string', minLength: 1 } };

const VALUES_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  required: ['namespaces', 'podSecurity', 'rancher', 'allowedRegistries', 'apps', 'exemptions'],
  properties: {
    // Rancher Apps and Fleet add a `global` block to every chart they install.
    global: { type: 'object' },
    namespaces: {
      type: 'object',
      additionalProperties: false,
      required: ['restricted', 'capabilities'],
      properties: { restricted: { type: 'array', items: DNS_LABEL, minItems: 1 }, capabilities: DNS_LABEL },
    },
    podSecurity: {
      type: 'object',
      additionalProperties: false,
      required: ['version'],
      properties: { version: { type: 'string', pattern: '^(latest|v1\\.[0-9]+)$' } },
    },
    rancher: {
      type: 'object',
      additionalProperties: false,
      properties: { projectId: { type: 'string', pattern: '^([-a-z0-9]+:[-a-z0-9]+)?$' } },
    },
    allowedRegistries: { ...STRINGS, minItems: 1 },
    apps: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'imageRepository', 'imageDigests', 'capabilities', 'exclusive'],
        properties: {
          name: DNS_LABEL,
          imageRepository: { type: 'string', minLength: 1 },
          imageDigests: { type: 'array', items: { type: 'string', pattern: '^sha256:[a-f0-9]{64}$' }, minItems: 1 },
          capabilities: STRINGS,
          exclusive: { type: 'boolean' },
        },
      },
    },
    exemptions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rule', 'app', 'justification', 'expires', 'notAfter'],
        properties: {
          rule: { type: 'string', pattern: '^NMAAS-[A-Z0-9-]+$' },
          app: { type: 'string', minLength: 1 },
          container: { type: 'string' },
          value: { type: 'string' },
          justification: { type: 'string', minLength: 10 },
          expires: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
          notAfter: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T00:00:00Z$' },
        },
      },
    },
  },
};

const QUESTIONS = `questions:
  - variable: namespaces.capabilities
    label: Namespace for apps that declare capabilities
    description: Pod Security warns and audits there; the NMaaS policies enforce restricted except each app's declared capabilities.
    type: string
    default: nmaas-capabilities
    group: Namespaces
  - variable: podSecurity.version
    label: Pod Security Standards version
    description: Pinned so that a Kubernetes upgrade does not change what is refused (v1.37 is what the policies are tested against).
    type: string
    default: v1.37
    group: Namespaces
  - variable: rancher.projectId
    label: Rancher project
    description: cluster-id:project-id; the measurement namespaces are created inside that project.
    type: string
    default: ""
    group: Rancher
`;

const README = `# nmaas-policy

The NMaaS platform's admission layer: install it once per cluster, before any measurement app.

- Measurement namespaces (values \`namespaces.restricted\`) carry \`pod-security.kubernetes.io/enforce: restricted\`
  plus \`warn\`/\`audit\`, pinned to \`podSecurity.version\`.
- Apps that declare capabilities in nmaas.yaml install into \`namespaces.capabilities\` only. Pod Security
  baseline refuses NET_RAW and NET_ADMIN, so there Pod Security warns and audits at restricted and the
  \`nmaas-pss-*\` ValidatingAdmissionPolicies enforce restricted except the declared capabilities, on the
  app's own container.
- ValidatingAdmissionPolicies (\`nmaas-*\`, Kubernetes >= 1.30) enforce the catalogue review's rules that
  Pod Security does not cover; each message names the validator rule and how to fix the chart.
- Reviewer exemptions (values \`exemptions\`) admit until \`notAfter\` (the day after \`expires\`), compared
  with the pod's creationTimestamp: an expired exemption stops admitting new pods.

Denials are counted by the API server's \`apiserver_validating_admission_policy_check_total\` metric
(labels policy, enforcement_action) and written to the audit log (validationActions Audit); a
controller whose pod is refused records a FailedCreate event.

    helm install nmaas-policy ./nmaas-policy -n nmaas-system --create-namespace
`;

const NOTES = `NMaaS admission policies installed.
Measurement namespaces: {{ include "nmaas-policy.measurement" . }} (capabilities: {{ .Values.namespaces.capabilities }}).
Check:  kubectl get validatingadmissionpolicies -l app.kubernetes.io/part-of=nmaas-policy
`;

export function policyChartFiles(options: PolicyChartOptions): Record<string, string> {
  const version = options.version ?? '0.1.0';
  return {
    'Chart.yaml': chartYaml(version),
    'values.yaml': VALUES_HEADER + stringify(defaultValues(options), { lineWidth: 0 }),
    'values.schema.json': `${JSON.stringify(VALUES_SCHEMA, null, 2)}\n`,
    'README.md': README,
    'app-readme.md': 'Pod Security labels and admission policies for NMaaS measurement namespaces.\n',
    'questions.yaml': QUESTIONS,
    'crds/admission-parameters.yaml': stringify(parametersCrd(), { lineWidth: 0 }),
    'templates/_helpers.tpl': HELPERS,
    'templates/NOTES.txt': NOTES,
    'templates/namespaces.yaml': NAMESPACES,
    'templates/parameters.yaml': PARAMETERS,
    'templates/parameters-reader.yaml': PARAMETERS_READER,
    'templates/policies.yaml': yamlDocs(allPolicyObjects()),
    'templates/bindings.yaml': bindingsTemplate(),
  };
}

/** Writes `<outDir>/nmaas-policy/`, replacing it whole (the old chart stays until the new one is complete). */
export async function writePolicyChart(
  outDir: string,
  options: PolicyChartOptions,
): Promise<{ chartDir: string; name: string; version: string }> {
  const chartDir = path.join(outDir, CHART_NAME);
  await writeDirAtomic(chartDir, new Map(Object.entries(policyChartFiles(options))));
  return { chartDir, name: CHART_NAME, version: options.version ?? '0.1.0' };
}
