import type { Command } from 'commander';

export { resolveHelm, runHelm, HelmError, HELM_VERSIONS, type HelmVersion, type HelmResult } from './helm.js';

/** Adds this package's subcommands to the `nmaas` CLI (none yet). */
export function registerCommands(_program: Command): void {}
