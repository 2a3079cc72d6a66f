/**
 * `nmaas validate <path>`: the reviewers' command. Only commander, the kit and the rule catalogue
 * load with the command; the engine and its output formats are imported when a path is validated.
 */
import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { action, formatOption, UsageError, writeFileAtomic } from '@nmaas/sdk/kit';
import type { HelmVersion } from '@nmaas/charts-gen';
import { RULE_CATALOGUE } from './rules/catalogue.js';
import { listRulesJson, listRulesText } from './output/rules-list.js';
import { UnreadableInputError } from './input/errors.js';
import type { Severity } from './types.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

interface Opts {
  format: 'text' | 'json' | 'sarif';
  failOn: Severity | 'none';
  policy?: string;
  strict?: boolean;
  catalogue?: string;
  listRules?: boolean;
  helm?: HelmVersion;
  output?: string;
  colour?: boolean;
}

async function emit(text: string, output: string | undefined): Promise<void> {
  if (output === undefined) {
    process.stdout.write(text);
    return;
  }
  await writeFileAtomic(output, text);
}

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('security-check a submission (app folder, chart folder or chart .tgz) before it enters the catalogue')
    .argument('[path]', 'app folder (with nmaas.yaml), chart folder (with Chart.yaml) or chart .tgz')
    .addOption(formatOption(['text', 'json', 'sarif']))
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a finding has this severity or higher')
        .choices(['error', 'warning', 'info', 'none'])
        .default('error'),
    )
    .option('--policy <file>', "reviewers' policy file (allowed registries, exemptions with justification and expiry)")
    .option('--strict', 'ignore every exemption of the policy file')
    .option(
      '--catalogue <index>',
      'Helm repository index.yaml (file or URL): the version must be new and higher than every published one',
    )
    .option('--helm <version>', 'helm version to render with (one charts-gen provisions: 3.17 or 4.1)')
    .option('-o, --output <file>', 'write the report to a file (written to a temp file, then renamed)')
    .option('--no-colour', 'no colour even on a terminal')
    .option('--list-rules', 'print every rule (id, severity, PSS level, rationale, fix) and exit')
    .addHelpText(
      'after',
      `
Exit codes: 0 no finding at --fail-on or above, 1 findings at --fail-on or above, 2 unreadable input or bad arguments.
Examples:
  nmaas validate examples/web-qos
  nmaas validate web-qos-1.2.0.tgz --policy reviewers.yaml --format sarif -o results.sarif
  nmaas validate --list-rules`,
    )
    .action(
      action(async (target: string | undefined, opts: Opts, cmd: Command) => {
        if (opts.listRules) {
          if (opts.format === 'sarif')
            throw new UsageError(
              '--list-rules prints text or json; SARIF carries the rules with the results of a validation (nmaas validate <path> --format sarif)',
            );
          await emit(
            opts.format === 'json'
              ? `${JSON.stringify(listRulesJson(RULE_CATALOGUE), null, 2)}\n`
              : listRulesText(RULE_CATALOGUE),
            opts.output,
          );
          return;
        }
        if (target === undefined)
          cmd.error('error: missing argument <path> (an app folder, chart folder or chart .tgz)', { exitCode: 2 });
        const [{ HELM_VERSIONS }, { failsAt, validate }, { formatText }, { toSarif }, { PolicyError }] =
          await Promise.all([
            import('@nmaas/charts-gen'),
            import('./engine.js'),
            import('./output/text.js'),
            import('./output/sarif.js'),
            import('./policy.js'),
          ]);
        if (opts.helm !== undefined && !(HELM_VERSIONS as readonly string[]).includes(opts.helm))
          throw new UsageError(
            `--helm ${opts.helm}: not a helm version the validator renders with; use one of ${HELM_VERSIONS.join(', ')}`,
          );
        // Progress on a terminal only: rendering at the form bounds takes a few seconds.
        const progress = process.stderr.isTTY === true && opts.output === undefined;
        if (progress)
          process.stderr.write(`validating ${target} (archive checks, helm template at defaults and form bounds)…`);
        try {
          const report = await validate(target!, {
            ...(opts.policy ? { policy: opts.policy } : {}),
            strict: opts.strict === true,
            ...(opts.catalogue ? { catalogue: opts.catalogue } : {}),
            ...(opts.helm ? { helmVersion: opts.helm } : {}),
          });
          const text =
            opts.format === 'json'
              ? `${JSON.stringify(report, null, 2)}\n`
              : opts.format === 'sarif'
                ? `${JSON.stringify(toSarif(report, version), null, 2)}\n`
                : formatText(report, {
                    colour:
                      opts.colour !== false &&
                      opts.output === undefined &&
                      process.stdout.isTTY === true &&
                      !process.env.NO_COLOR,
                  });
          if (progress) process.stderr.write('\r\x1b[K');
          await emit(text, opts.output);
          process.exitCode = failsAt(report, opts.failOn) ? 1 : 0;
        } catch (error) {
          if (progress) process.stderr.write('\n');
          if (error instanceof UnreadableInputError || error instanceof PolicyError)
            throw new UsageError(error.message);
          throw error;
        }
      }),
    );
}
