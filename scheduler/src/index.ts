/**
 * `@nmaas/scheduler`: every face of the package at once, and the CLI registration. Prefer the
 * subpaths — `@nmaas/scheduler/engine` (placement engine and its JSON codecs, depends on the sdk
 * only), `/simulate` (simulator, exact solver, workloads), `/webhook` (admission webhook and its
 * Kubernetes layer) — and `/testing` in tests only.
 */
import type { Command } from 'commander';
import { registerEngineCommands } from './simulate/index.js';
import { registerWebhookCommands } from './webhook/commands.js';
export * from './engine/index.js';
export * from './simulate/index.js';
export * from './webhook/index.js';

/** Adds this package's subcommands to the `nmaas` CLI. */
export function registerCommands(program: Command): void {
  registerEngineCommands(program); // scheduler simulate, scheduler check
  registerWebhookCommands(program); // scheduler serve, scheduler nodes, scheduler chart
}
