/**
 * Command-line flags. Every prompt has a flag, so a script or CI can scaffold without a terminal:
 * `npm create nmaas-app@latest my-probe -- --template http-probe --every 5m --yes`.
 */
import { parseArgs } from 'node:util';
import { isTemplateName, TEMPLATE_HINTS, TEMPLATE_NAMES, type TemplateName } from './templates.js';
import type { ManifestAnswers } from './answers.js';
import { UsageError } from '@nmaas/sdk/kit';

// Bad flags are the toolkit's usage errors (exit 2), one class for every command.
export { UsageError };

export interface CliArgs {
  /** The target folder (the first positional argument). */
  directory?: string;
  template?: TemplateName;
  /** Answers given as flags; the rest come from prompts or defaults. */
  given: Partial<ManifestAnswers>;
  yes: boolean;
  force: boolean;
  help: boolean;
  version: boolean;
}

const ANSWER_FLAGS = ['name', 'category', 'every', 'duration', 'cpu', 'memory', 'bandwidth'] as const;

export const HELP = `Usage: npm create nmaas-app@latest [directory] -- [options]
       create-nmaas-app [directory] [options]

Scaffolds a new NMaaS measurement app in [directory] (default: the app name). On a terminal it
asks for every answer not given as a flag; with --yes or without a terminal it uses the
template's defaults.

Options:
  -t, --template <name>   ${TEMPLATE_NAMES.map((t) => `${t} (${TEMPLATE_HINTS[t]})`).join('; ')}  [http-probe]
      --name <name>       app name: a DNS-1123 label of at most 40 characters  [the directory's name]
      --category <c>      qos | security | cartography | other  [from the template]
      --every <duration>  how often a run starts, dividing 1h (1m, 5m, 10m, 15m, 30m, 1h)  [5m]
      --duration <d>      the run deadline, at most --every  [30s]
      --cpu <quantity>    CPU one run uses, e.g. 100m  [from the template]
      --memory <q>        memory one run uses, e.g. 96Mi  [from the template]
      --bandwidth <rate>  bandwidth one run uses, e.g. 5Mbps  [from the template]
  -y, --yes               use the defaults for everything not given; never prompt
  -f, --force             write into a non-empty folder (same-named files are overwritten)
  -h, --help              show this help
  -v, --version           show the version

Exit codes: 0 project written, 1 refused (target not empty) or cancelled, 2 wrong arguments.`;

export function parseCliArgs(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        template: { type: 'string', short: 't' },
        ...Object.fromEntries(ANSWER_FLAGS.map((flag) => [flag, { type: 'string' as const }])),
        yes: { type: 'boolean', short: 'y', default: false },
        force: { type: 'boolean', short: 'f', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; see --help`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new UsageError(
      `expected at most one directory, got ${positionals.map((p) => JSON.stringify(p)).join(' ')}; see --help`,
    );
  }
  const template = values.template as string | undefined;
  if (template !== undefined && !isTemplateName(template)) {
    throw new UsageError(`--template ${template}: no such template; choose one of ${TEMPLATE_NAMES.join(', ')}`);
  }
  const given: Partial<ManifestAnswers> = {};
  for (const flag of ANSWER_FLAGS) {
    const value = (values as Record<string, unknown>)[flag];
    if (typeof value === 'string') given[flag] = value;
  }
  return {
    directory: positionals[0],
    template,
    given,
    yes: values.yes === true,
    force: values.force === true,
    help: values.help === true,
    version: values.version === true,
  };
}
