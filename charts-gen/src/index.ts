/** @nmaas/charts-gen: nmaas.yaml → a Rancher-ready Helm chart (cdk8s + a Helm layer), and real helm. */
export {
  ensureHelm,
  findHelm,
  resolveHelm,
  runHelm,
  HelmError,
  HELM_VERSIONS,
  type HelmVersion,
  type HelmResult,
} from './helm.js';
export {
  HELM_PACKAGES,
  HelmProvisionError,
  nmaasCacheDir,
  provisionHelm,
  provisionedHelmPath,
} from './helm-provision.js';
export { synthesizeChart, chartFiles, type SynthesizeOptions, type SynthesizedChart } from './synthesize.js';
export {
  buildValueSpecs,
  valuesObject,
  valuesSchema,
  questionEntries,
  QUESTION_GROUPS,
  type ValueSpec,
  type Question,
  type QuestionEntry,
} from './values-model.js';
export { METRICS_PORT, CONFIG_DIR, CONFIG_FILE, RUN_AS, DASHBOARD_FILE } from './objects.js';
export { KUBE_VERSION } from './chart-files.js';
export { ADMISSION_PARAMETERS, namespaceGuardFiles } from './namespace-guard-tpl.js';
export { registerCommands } from './cli.js';
export { TemplateTokens, escapeTemplateDelimiters } from './tokens.js';
export { toYaml } from './templates.js';
export { imageHelpersTpl, podExtrasHelperTpl } from './pod-helpers-tpl.js';
export {
  REGISTRY_PATTERN,
  PROMETHEUS_DURATION_PATTERN,
  isMultiline,
  type JsonSchema,
  type JsonValue,
} from './values-model.js';
export { standardAlerts, scopeExpression, SDK_METRICS, type AlertRule } from './alerts.js';
export { imageUnpublished } from './chart-files.js';
export { RANCHER_INJECTED_VALUES, FLEET_INJECTED_VALUES, ciValueFiles } from './rancher-values.js';
export { chartSchemaProblems } from './chart-schema.js';
export {
  changedCharts,
  checkVersionIncrement,
  type VersionCheck,
  type VersionIncrementOptions,
} from './version-increment.js';
export {
  RANCHER_CATEGORIES,
  RANCHER_CATEGORY_OF,
  RANCHER_ICON_MAX_BYTES,
  rancherCategories,
  type RancherCategory,
} from './rancher-dashboard.js';
