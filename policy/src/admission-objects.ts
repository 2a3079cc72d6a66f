/**
 * The Kubernetes objects of the admission layer, as plain data: one ValidatingAdmissionPolicy per
 * mirrored rule (admissionregistration.k8s.io/v1, Kubernetes >= 1.30), the policy that keeps the
 * measurement namespaces' Pod Security labels, and their bindings for given namespace names.
 */
import { APP_LABEL } from '@nmaas/sdk/contract';
import {
  ADMISSION_RULES,
  POD_VARIABLES,
  denialMessage,
  type AdmissionRule,
  type PolicyScope,
  type PolicyVariable,
} from './policies.js';
import { PARAMS_GROUP, PARAMS_KIND, PARAMS_NAME, PARAMS_VERSION } from './parameters.js';
import { lit } from './cel.js';

export type K8sObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
};

export const PSA_PREFIX = 'pod-security.kubernetes.io';
export const NAME_LABEL = 'kubernetes.io/metadata.name';
const PART_OF = { 'app.kubernetes.io/part-of': 'nmaas-policy' };

export interface NamespacePlan {
  /** Namespaces where Pod Security enforces restricted. */
  restricted: string[];
  /** The one namespace for apps that declare capabilities: PSA enforces nothing there, these policies enforce restricted-with-declared-capabilities. */
  capabilities: string;
  /** Pinned Pod Security Standards version, e.g. v1.37. */
  pssVersion: string;
}

/** PSA labels of a measurement namespace (warn and audit stay restricted even where enforce cannot). */
export function podSecurityLabels(level: 'restricted' | 'privileged', version: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [mode, l] of [
    ['enforce', level],
    ['warn', 'restricted'],
    ['audit', 'restricted'],
  ] as const) {
    labels[`${PSA_PREFIX}/${mode}`] = l;
    labels[`${PSA_PREFIX}/${mode}-version`] = version;
  }
  return labels;
}

/** Keeps the measurement namespaces' Pod Security labels from being removed or weakened. */
export const NAMESPACE_POLICY = {
  name: 'namespace-pod-security',
  variables: [] as PolicyVariable[],
  validations: [
    {
      expression:
        `has(object.metadata.labels) && ['warn', 'audit'].all(m, ${lit(`${PSA_PREFIX}/`)} + m in object.metadata.labels && ` +
        `object.metadata.labels[${lit(`${PSA_PREFIX}/`)} + m] == 'restricted') && ` +
        `(object.metadata.name == params.spec.capabilityNamespace || (${lit(`${PSA_PREFIX}/enforce`)} in object.metadata.labels && ` +
        `object.metadata.labels[${lit(`${PSA_PREFIX}/enforce`)}] == 'restricted'))`,
      message:
        'A measurement namespace must keep pod-security.kubernetes.io/enforce: restricted (except the capability namespace) and warn/audit: restricted. ' +
        'Fix: restore the labels, or remove the namespace from the nmaas-policy values first.',
    },
  ],
};

const POD_RESOURCES = {
  apiGroups: [''],
  apiVersions: ['v1'],
  operations: ['CREATE', 'UPDATE'],
  resources: ['pods', 'pods/ephemeralcontainers'],
};

function vap(
  name: string,
  resources: Record<string, unknown>,
  variables: readonly PolicyVariable[],
  validations: { expression: string; message: string }[],
): K8sObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: `nmaas-${name}`, labels: { ...PART_OF } },
    spec: {
      failurePolicy: 'Fail',
      paramKind: { apiVersion: `${PARAMS_GROUP}/${PARAMS_VERSION}`, kind: PARAMS_KIND },
      matchConstraints: { resourceRules: [resources] },
      ...(variables.length > 0 ? { variables: variables.map((v) => ({ ...v })) } : {}),
      validations: validations.map((v) => ({ expression: v.expression, message: v.message, reason: 'Forbidden' })),
    },
  };
}

export function policyObject(rule: AdmissionRule): K8sObject {
  return vap(
    rule.name,
    POD_RESOURCES,
    POD_VARIABLES,
    rule.validations.map((v) => ({ expression: v.expression, message: denialMessage(rule, v) })),
  );
}

export function namespacePolicyObject(): K8sObject {
  return vap(
    NAMESPACE_POLICY.name,
    { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['namespaces'] },
    NAMESPACE_POLICY.variables,
    NAMESPACE_POLICY.validations,
  );
}

export function allPolicyObjects(): K8sObject[] {
  return [...ADMISSION_RULES.map(policyObject), namespacePolicyObject()];
}

/** The namespaces a scope's binding selects, and whether it selects app-labelled pods only. */
export function bindingSelection(
  scope: PolicyScope | 'namespaces',
  plan: NamespacePlan,
): { operator: 'In' | 'NotIn'; names: string[]; appPodsOnly: boolean } {
  const measurement = [...plan.restricted, plan.capabilities];
  switch (scope) {
    case 'measurement':
    case 'namespaces':
      return { operator: 'In', names: measurement, appPodsOnly: false };
    case 'capability-namespace':
      return { operator: 'In', names: [plan.capabilities], appPodsOnly: false };
    case 'app-pods-elsewhere':
      return { operator: 'NotIn', names: measurement, appPodsOnly: true };
  }
}

export function bindingObject(policyName: string, scope: PolicyScope | 'namespaces', plan: NamespacePlan): K8sObject {
  const s = bindingSelection(scope, plan);
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: `nmaas-${policyName}`, labels: { ...PART_OF } },
    spec: {
      policyName: `nmaas-${policyName}`,
      paramRef: { name: PARAMS_NAME, parameterNotFoundAction: 'Deny' },
      validationActions: ['Deny', 'Audit'],
      matchResources: {
        namespaceSelector: { matchExpressions: [{ key: NAME_LABEL, operator: s.operator, values: s.names }] },
        ...(s.appPodsOnly ? { objectSelector: { matchExpressions: [{ key: APP_LABEL, operator: 'Exists' }] } } : {}),
      },
    },
  };
}

export function allBindingObjects(plan: NamespacePlan): K8sObject[] {
  return [
    ...ADMISSION_RULES.map((r) => bindingObject(r.name, r.scope, plan)),
    bindingObject(NAMESPACE_POLICY.name, 'namespaces', plan),
  ];
}
