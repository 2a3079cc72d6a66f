/** @nmaas/charts-gen: nmaas.yaml → a Rancher-ready Helm chart (cdk8s + a Helm layer), and real helm. */
export { ensureHelm, findHelm, resolveHelm, runHelm, HelmError, HELM_VERSIONS, type HelmVersion, type HelmResult } from './helm.js';
export { HELM_PACKAGES, HelmProvisionError, nmaasCacheDir, provisionHelm, provisionedHelmPath } from './helm-provision.js';
export { synthesizeChart, chartFiles, type SynthesizeOptions, type SynthesizedChart } from './synthesize.js';
export { buildValueSpecs, valuesObject, valuesSchema, questionEntries, QUESTION_GROUPS, type ValueSpec, type Question, type QuestionEntry } from './values-model.js';
export { METRICS_PORT, CONFIG_DIR, CONFIG_FILE, RUN_AS, DASHBOARD_FILE } from './objects.js';
export { KUBE_VERSION } from './chart-files.js';
export { ADMISSION_PARAMETERS } from './namespace-guard-tpl.js';
export { registerCommands } from './cli.js';
