/**
 * The `nmaas` command line. It only assembles: every package registers its own subcommands,
 * so this file holds no logic of its own.
 */
import { Command } from 'commander';
import { registerCommands as registerSdk } from '@nmaas/sdk';
import { registerCommands as registerChartsGen } from '@nmaas/charts-gen';
import { registerCommands as registerValidator } from '@nmaas/validator';
import { registerCommands as registerCatalogue } from '@nmaas/catalogue';
import { registerCommands as registerScheduler } from '@nmaas/scheduler';
import { registerCommands as registerImage } from '@nmaas/image';
import { registerCommands as registerPolicy } from '@nmaas/policy';

export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  the input was read but did not pass (invalid declaration, findings, unplaceable pods)
  2  wrong arguments or unreadable input`;

export function buildProgram(version: string): Command {
  const program = new Command('nmaas')
    .description('NMaaS: write, package, check, publish and schedule network measurement apps on Kubernetes')
    .version(version)
    .showHelpAfterError()
    .exitOverride() // set before subcommands exist so they inherit it: main.ts maps errors to exit 2
    .addHelpText('after', EXIT_CODES_HELP);
  for (const register of [registerSdk, registerChartsGen, registerValidator, registerCatalogue, registerScheduler, registerImage, registerPolicy]) {
    register(program);
  }
  return program;
}
