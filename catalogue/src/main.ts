#!/usr/bin/env node
/**
 * A lean entry point with only the catalogue commands: `node catalogue/dist/main.js catalogue
 * build …` is the same command as `nmaas catalogue build …`, without loading every other package
 * of the CLI (cdk8s, the Kubernetes client…) first. Used by `npm start` and the build benchmark.
 */
import { Command } from 'commander';
import { runCli } from '@nmaas/sdk/kit';
import { registerCatalogueCommands } from './cli.js';

const program = new Command('nmaas').description('NMaaS catalogue commands').exitOverride();
registerCatalogueCommands(program);
await runCli(program, process.argv);
