/**
 * The `scheduler` command group, which the simulator's and the webhook's commands share: created by
 * whichever registers first, so neither of the two imports the other.
 */
import type { Command } from 'commander';

export function schedulerGroup(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'scheduler') ??
    program
      .command('scheduler')
      .description('place periodic measurements on nodes so that none compete (engine, simulation, webhook)')
  );
}
