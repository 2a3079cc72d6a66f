/** @nmaas/validator: the reviewers' security checks for NMaaS submissions. */

export { validate, checkArchive, failsAt, type ValidateOptions, type CheckedArchive } from './engine.js';
export { RULES, RULES_BY_ID } from './rules/index.js';
export { BASELINE_CAPABILITIES } from './rules/pss/capabilities-baseline.js';
export { SAFE_SYSCTLS } from './rules/pss/sysctls.js';
export { toSarif, SARIF_SCHEMA_URI } from './output/sarif.js';
export { formatText } from './output/text.js';
export {
  parsePolicy,
  loadPolicy,
  applyPolicy,
  PolicyError,
  DEFAULT_ALLOWED_REGISTRIES,
  type Policy,
  type Exemption,
} from './policy.js';
export { scanArchive, DEFAULT_LIMITS, type ArchiveContents, type ScanLimits } from './input/archive-scan.js';
export { scanFolder } from './input/folder-scan.js';
export { UnreadableInputError } from './input/errors.js';
export { boundValueSets, type ValueSet } from './render/bounds.js';
export { decodeRendered, type Decoded, type DecodedObject } from './render/decode.js';
export * from './limits.js';
export type * from './types.js';
export { registerCommands } from './commands.js';
