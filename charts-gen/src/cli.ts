/** `nmaas chart <app-dir> -o <out-dir>`. */
import { type Command, InvalidArgumentError } from 'commander';
import { action, formatOption, InputError } from '@nmaas/sdk/kit';
import { synthesizeChart } from './synthesize.js';
import { HelmError } from './helm.js';

/** What a catalogue can show: a web address, or a file of a git-layout repository (Rancher reads both). */
function iconUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`${value} is not a URL; give https://…/icon.svg`);
  }
  if (!['https:', 'http:', 'file:'].includes(url.protocol))
    throw new InvalidArgumentError(
      `${url.protocol} URLs are not icons a catalogue shows; give an https:// (or file://) URL`,
    );
  return value;
}

export function registerCommands(program: Command): void {
  program
    .command('chart')
    .description('synthesise a Rancher-ready Helm chart from <app-dir>/nmaas.yaml into <out-dir>/<name>/')
    .argument('<app-dir>', 'app folder holding nmaas.yaml')
    .requiredOption('-o, --out <out-dir>', 'folder to write the chart folder into')
    .option('--lint', 'run helm lint --strict on the result')
    .option(
      '--icon-url <url>',
      "Chart.yaml icon URL when the app's icon is a file (default: no icon field; the file is shipped as icon.<ext>)",
      iconUrl,
    )
    .option(
      '--chart-version <semver>',
      "the chart's own version, to release a generator change without a new app version (default: the app's version)",
    )
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nExit codes: 0 written, 1 nmaas.yaml or the chart did not pass, 2 bad arguments or unreadable input.',
    )
    .action(
      action(
        async (
          appDir: string,
          opts: { out: string; lint?: boolean; iconUrl?: string; chartVersion?: string; format: string },
        ) => {
          try {
            const result = await synthesizeChart(appDir, opts.out, {
              lint: opts.lint ?? false,
              iconUrl: opts.iconUrl,
              chartVersion: opts.chartVersion,
            });
            process.stdout.write(
              opts.format === 'json'
                ? `${JSON.stringify(result)}\n`
                : `wrote chart ${result.name} ${result.version} to ${result.chartDir}\n`,
            );
          } catch (error) {
            // An invalid nmaas.yaml carries its own exit code (1, or 2 when it could not be read).
            if (error instanceof HelmError)
              throw new InputError(`the generated chart failed helm lint:\n${error.message}`);
            throw error;
          }
        },
      ),
    );
}
