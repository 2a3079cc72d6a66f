/** `nmaas chart <app-dir> -o <out-dir>`. */
import { type Command } from 'commander';
import { ManifestError } from '@nmaas/sdk';
import { synthesizeChart } from './synthesize.js';
import { HelmError } from './helm.js';

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
    )
    .option(
      '--chart-version <semver>',
      "the chart's own version, to release a generator change without a new app version (default: the app's version)",
    )
    .option('--format <format>', 'output format: text or json', 'text')
    .action(
      async (
        appDir: string,
        opts: { out: string; lint?: boolean; iconUrl?: string; chartVersion?: string; format: string },
      ) => {
        if (opts.format !== 'text' && opts.format !== 'json') {
          process.stderr.write(`nmaas chart: --format must be text or json, not ${opts.format}\n`);
          process.exitCode = 2;
          return;
        }
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
          if (error instanceof ManifestError) {
            // A manifest that does not pass is "input did not pass" (1) unless it could not be read at all.
            process.stderr.write(`nmaas chart: ${error.message}\n`);
            process.exitCode = error.issues.some((i) => /^no nmaas\.yaml|^cannot read/.test(i.message)) ? 2 : 1;
          } else if (error instanceof HelmError) {
            process.stderr.write(`nmaas chart: the generated chart failed helm lint:\n${error.message}\n`);
            process.exitCode = 1;
          } else {
            process.stderr.write(`nmaas chart: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exitCode = 2;
          }
        }
      },
    );
}
