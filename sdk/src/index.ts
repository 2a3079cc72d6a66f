/** @nmaas/sdk: the app model, the scheduling contract and the measurement runtime. */
import type { Command } from 'commander';
import { registerManifestCommands } from './cli/manifest-check.js';
import { registerRunCommand } from './cli/run.js';

export * from './model/schema.js';
export * from './model/quantities.js';
export * from './model/manifest.js';
export { IMAGE_LOCK_FILE, readImageLock, type ImageLock } from './model/image-lock.js';
export * from './model/normalize.js';
export { appMetricPrefix, parameterTypeError, parameterMeasure, SDK_METRIC_PREFIX, type ModelRuleOptions } from './model/rules.js';
export { manifestJsonSchema, manifestJsonSchemaText, MANIFEST_SCHEMA_FILE, MANIFEST_SCHEMA_ID } from './model/json-schema.js';
export { LINUX_CAPABILITIES, type LinuxCapability } from './model/capabilities.js';
export * from './contract.js';
export * from './runtime/index.js';

/** Adds the SDK's subcommands to the `nmaas` CLI. */
export function registerCommands(program: Command): void {
  registerManifestCommands(program);
  registerRunCommand(program);
}
