import type { Command } from 'commander';

/** Adds this package's subcommands to the `nmaas` CLI (none yet). */
export function registerCommands(_program: Command): void {}
