import type { Command } from 'commander';
// The placement engine, simulation, checker and workload generator
import { registerEngineCommands } from './simulate/index.js';
export * from './engine/index.js';
export * from './simulate/index.js';
// The admission webhook, Kubernetes API layer, the scheduler's own chart
import { registerWebhookCommands } from './webhook/commands.js';
export * from './webhook/index.js';

/** Adds this package's subcommands to the `nmaas` CLI. */
export function registerCommands(program: Command): void {
  registerEngineCommands(program); // engine: scheduler simulate, scheduler check
  registerWebhookCommands(program); // webhook: scheduler serve, scheduler nodes, scheduler chart
}
