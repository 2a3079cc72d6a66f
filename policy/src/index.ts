/** @nmaas/policy: the platform chart that enforces at install time what the validator checks at review time. */
import type { Command } from 'commander';
import { registerPolicyCommands } from './cli.js';

export { ADMISSION_RULES, POD_VARIABLES, denialMessage, type AdmissionRule, type PolicyScope, type PolicyValidation } from './policies.js';
export { allPolicyObjects, allBindingObjects, podSecurityLabels, type NamespacePlan } from './admission-objects.js';
export { admissionParameters, parametersCrd, notAfter, type AdmissionParameters, type AdmissionExemption, type PublishedApp } from './parameters.js';
export { policyChartFiles, writePolicyChart, CHART_NAME, DEFAULT_NAMESPACES, type PolicyChartOptions } from './chart.js';
export { admitPod, admitNamespace, enforceLevel, type Denial, type PodAdmission } from './admission.js';
export { podSecurityFindings, pssRules, type PssFinding } from './pod-security.js';

/** Adds `nmaas policy chart` to the `nmaas` CLI. */
export function registerCommands(program: Command): void {
  registerPolicyCommands(program);
}
