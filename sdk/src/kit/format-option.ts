/** The one `--format` option: its choices are checked by commander, so a typo is a usage error (exit 2). */
import { createRequire } from 'node:module';
import type * as Commander from 'commander';

export type OutputFormat = 'text' | 'json' | 'sarif';

// Loaded when an option is made, not when the module is: app containers load this module's
// neighbours and must not pay for commander.
const loadCommander = (): typeof Commander => createRequire(import.meta.url)('commander');

export function formatOption<F extends OutputFormat>(
  formats: readonly F[] = ['text', 'json'] as F[],
  description = 'output format',
): Commander.Option {
  const first = formats[0];
  if (first === undefined) throw new Error('formatOption needs at least one format');
  const { Option: CommanderOption } = loadCommander();
  return new CommanderOption('--format <format>', description).choices(formats).default(first);
}
