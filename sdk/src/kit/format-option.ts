/** The one `--format` option: its choices are checked by commander, so a typo is a usage error (exit 2). */
import { Option } from 'commander';

export type OutputFormat = 'text' | 'json' | 'sarif';

export function formatOption<F extends OutputFormat>(
  formats: readonly F[] = ['text', 'json'] as F[],
  description = 'output format',
): Option {
  const first = formats[0];
  if (first === undefined) throw new Error('formatOption needs at least one format');
  return new Option('--format <format>', description).choices(formats).default(first);
}
