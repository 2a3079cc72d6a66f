/** The SDK's subcommands of the `nmaas` CLI (imported as `@nmaas/sdk/commands`, only by the CLI). */
import type { Command } from 'commander';
import { registerManifestCommands } from './cli/manifest-check.js';
import { registerRunCommand } from './cli/run.js';

/** Adds `nmaas manifest check` and `nmaas run`. */
export function registerCommands(program: Command): void {
  registerManifestCommands(program);
  registerRunCommand(program);
}
