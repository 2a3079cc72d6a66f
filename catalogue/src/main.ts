#!/usr/bin/env node
/**
 * A lean entry point with only the catalogue commands: `node catalogue/dist/main.js catalogue
 * build …` is the same command as `nmaas catalogue build …`, without loading every other package
 * of the CLI (cdk8s, the Kubernetes client…) first. Used by `npm start` and the build benchmark.
 */
import { Command, CommanderError } from 'commander';
import { registerCatalogueCommands } from './cli.js';

const program = new Command('nmaas').description('NMaaS catalogue commands').showHelpAfterError().exitOverride();
registerCatalogueCommands(program);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exitCode = error.exitCode === 0 ? 0 : 2;
  else {
    process.stderr.write(`nmaas: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
