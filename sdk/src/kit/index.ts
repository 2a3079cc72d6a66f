/**
 * What every package's command line and file output share (imported as `@nmaas/sdk/kit`): atomic
 * writes, bounded reads of input files, the two error kinds and the action wrapper that maps them
 * to exit codes, and `--format`.
 */
export {
  writeFileAtomic,
  writeDirAtomic,
  writeFilesAtomic,
  type PendingFile,
  type DurableBy,
  ensureDir,
  tempPathFor,
  isProcessAlive,
  removeStaleTemps,
  type WriteOptions,
} from './atomic-write.js';
export { UsageError, InputError, isSystemError, describeSystemError, exitCodeOf } from './errors.js';
export { action, runCli, reportError, errorMessage, commandPath, isCommanderError } from './action.js';
export { formatOption, type OutputFormat } from './format-option.js';
export { BoundedReadError, fileKind, formatBytes, readBoundedFile } from './bounded-read.js';
