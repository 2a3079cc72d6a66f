/**
 * `@nmaas/validator/commands`: what the `nmaas` CLI loads for `nmaas validate`. It holds only the
 * command's definition and the rule catalogue; the engine (helm, the SDK, charts-gen) is loaded
 * when a submission is actually validated, so `--help` and `--list-rules` start fast.
 */
import type { Command } from 'commander';
import { registerValidateCommand } from './cli.js';

/** Adds `nmaas validate` to the `nmaas` CLI. */
export function registerCommands(program: Command): void {
  registerValidateCommand(program);
}
