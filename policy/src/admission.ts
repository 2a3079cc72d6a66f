/**
 * What the API server would decide for a pod or namespace, without an API server: the chart's
 * ValidatingAdmissionPolicies evaluated with a conformance-tested CEL implementation
 * (@bufbuild/cel), selected the way their bindings select, plus Pod Security at the namespace's
 * enforce level (pod-security.ts). Kubernetes type-checks the expressions against the OpenAPI
 * schema when a policy is created; this evaluator is dynamically typed and does not.
 */
import { celEnv, isCelError, parse, plan, type CelInput, type CelValue } from '@bufbuild/cel';
import { APP_LABEL } from '@nmaas/sdk/contract';
import { ADMISSION_RULES, POD_VARIABLES, denialMessage, type AdmissionRule, type PolicyVariable } from './policies.js';
import { NAMESPACE_POLICY, bindingSelection, type NamespacePlan } from './admission-objects.js';
import { podSecurityFindings, type PssFinding } from './pod-security.js';
import type { AdmissionParameters } from './parameters.js';

type Program = (ctx?: Record<string, CelInput>) => unknown;
const env = celEnv();
const programs = new Map<string, Program>();

function compile(expression: string): Program {
  let p = programs.get(expression);
  if (!p) {
    p = plan(env, parse(expression)) as Program;
    programs.set(expression, p);
  }
  return p;
}

/** JSON as CEL sees a Kubernetes object: maps, and whole numbers as int (Kubernetes' integer fields). */
export function toCel(value: unknown): CelInput {
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') return new Map(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return value as CelInput;
}

export interface Denial {
  policy: string;
  rule: string;
  message: string;
  /** Set when the expression failed to evaluate: with failurePolicy Fail that is a denial too. */
  error?: string;
}

/** Evaluates one policy's variables and validations; every false (or failing) validation is a denial. */
export function evaluate(
  policyName: string,
  rule: string,
  variables: readonly PolicyVariable[],
  validations: readonly { expression: string; message: string }[],
  object: unknown,
  params: AdmissionParameters,
): Denial[] {
  const vars = new Map<string, CelValue>();
  const ctx = (): Record<string, CelInput> => ({
    object: toCel(object),
    params: toCel({ spec: params }),
    variables: vars as unknown as CelInput,
  });
  const bindings = ctx();
  const denials: Denial[] = [];
  for (const v of variables) {
    const value = compile(v.expression)(bindings);
    if (isCelError(value))
      return [{ policy: policyName, rule, message: `variable ${v.name}`, error: String((value as Error).message) }];
    vars.set(v.name, value as CelValue);
  }
  for (const validation of validations) {
    const result = compile(validation.expression)(bindings);
    if (isCelError(result))
      denials.push({ policy: policyName, rule, message: validation.message, error: String((result as Error).message) });
    else if (result !== true) denials.push({ policy: policyName, rule, message: validation.message });
  }
  return denials;
}

export function evaluateRule(rule: AdmissionRule, pod: unknown, params: AdmissionParameters): Denial[] {
  return evaluate(
    `nmaas-${rule.name}`,
    rule.mirrors,
    POD_VARIABLES,
    rule.validations.map((v) => ({ expression: v.expression, message: denialMessage(rule, v) })),
    pod,
    params,
  );
}

export interface PodAdmission {
  denials: Denial[];
  /** Pod Security findings at the namespace's enforce level (restricted namespaces only). */
  podSecurity: PssFinding[];
  admitted: boolean;
}

type Pod = { metadata?: { labels?: Record<string, string> } };

/** Whether a binding of this scope selects a pod in `namespace`. */
function selects(rule: AdmissionRule, pod: Pod, namespace: string, plan: NamespacePlan): boolean {
  const s = bindingSelection(rule.scope, plan);
  const inList = s.names.includes(namespace);
  if ((s.operator === 'In') !== inList) return false;
  return !s.appPodsOnly || typeof pod.metadata?.labels?.[APP_LABEL] === 'string';
}

/** The enforce level Pod Security applies in a namespace of the plan (undefined: not a measurement namespace). */
export function enforceLevel(namespace: string, plan: NamespacePlan): 'restricted' | 'privileged' | undefined {
  if (plan.restricted.includes(namespace)) return 'restricted';
  if (plan.capabilities === namespace) return 'privileged';
  return undefined;
}

/** The API server's decision on creating `pod` in `namespace` once the chart is installed. */
export function admitPod(
  pod: Pod & Record<string, unknown>,
  namespace: string,
  params: AdmissionParameters,
  plan: NamespacePlan,
): PodAdmission {
  const denials = ADMISSION_RULES.filter((r) => selects(r, pod, namespace, plan)).flatMap((r) =>
    evaluateRule(r, pod, params),
  );
  const podSecurity = enforceLevel(namespace, plan) === 'restricted' ? podSecurityFindings(pod, 'restricted') : [];
  return { denials, podSecurity, admitted: denials.length === 0 && podSecurity.length === 0 };
}

/** The namespace policy's decision on creating or updating a measurement Namespace object. */
export function admitNamespace(namespace: unknown, params: AdmissionParameters): Denial[] {
  return evaluate(
    `nmaas-${NAMESPACE_POLICY.name}`,
    'namespace',
    NAMESPACE_POLICY.variables,
    NAMESPACE_POLICY.validations,
    namespace,
    params,
  );
}
