/** @nmaas/sdk: the app model, the scheduling contract and the measurement runtime. */

export * from './model/schema.js';
export * from './model/quantities.js';
export * from './model/manifest.js';
export * from './model/normalize.js';
export { parameterTypeError, parameterMeasure, SDK_METRIC_PREFIX, type ModelRuleOptions } from './model/rules.js';
export { manifestJsonSchema, manifestJsonSchemaText, MANIFEST_SCHEMA_FILE, MANIFEST_SCHEMA_ID } from './model/json-schema.js';
export { LINUX_CAPABILITIES, type LinuxCapability } from './model/capabilities.js';
export * from './contract.js';
export * from './runtime/index.js';
export { registerCommands } from './commands.js';
