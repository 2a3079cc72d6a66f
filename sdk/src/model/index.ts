/** The app model (imported as `@nmaas/sdk/model`): reading, validating and normalising nmaas.yaml. */
export * from './schema.js';
export * from './quantities.js';
export * from './manifest.js';
export { AppFileError, appFilePath, readAppFile, type AppFileProblem } from './app-file.js';
export { firstTooDeep, MAX_YAML_DEPTH } from './yaml-depth.js';
export { IMAGE_LOCK_FILE, readImageLock, type ImageLock } from './image-lock.js';
export * from './normalize.js';
export { MAX_PERIOD_SECONDS, periodProblem } from './period.js';
export {
  appMetricPrefix,
  parameterTypeError,
  parameterMeasure,
  SDK_METRIC_PREFIX,
  type ModelRuleOptions,
} from './rules.js';
export { manifestJsonSchema, manifestJsonSchemaText, MANIFEST_SCHEMA_FILE, MANIFEST_SCHEMA_ID } from './json-schema.js';
export { LINUX_CAPABILITIES, type LinuxCapability } from './capabilities.js';
export { closestName } from './friendly-issues.js';
