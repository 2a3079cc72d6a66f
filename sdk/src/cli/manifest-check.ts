import type { Command } from 'commander';
import { action, formatOption } from '../kit/index.js';
import { loadApp, ManifestError, formatIssues } from '../model/manifest.js';
import { normalizeManifest } from '../model/normalize.js';
import { formatDuration } from '../model/quantities.js';

/** `nmaas manifest check <app-dir>`: exit 0 on a valid app, 1 with the issues otherwise, 2 when unreadable. */
export function registerManifestCommands(program: Command): void {
  const manifest = program.command('manifest').description('work with nmaas.yaml app declarations');
  manifest
    .command('check')
    .description('validate <app-dir>/nmaas.yaml against the NMaaS app model')
    .argument('<app-dir>', 'folder that holds nmaas.yaml')
    .addOption(formatOption())
    .addHelpText('after', '\nExit codes: 0 valid, 1 invalid declaration, 2 bad arguments or no readable nmaas.yaml.')
    .action(
      action(async (appDir: string, opts: { format: string }) => {
        try {
          const app = await loadApp(appDir);
          const n = normalizeManifest(app.manifest);
          if (opts.format === 'json') {
            const report = {
              valid: true,
              file: app.file,
              name: app.manifest.name,
              version: app.manifest.version,
              issues: [],
            };
            process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          } else {
            process.stdout.write(
              `${app.file}: ${app.manifest.name} ${app.manifest.version} is valid ` +
                `(runs every ${formatDuration(n.schedule.everySeconds)} for at most ${formatDuration(n.schedule.durationSeconds)})\n`,
            );
          }
          return 0;
        } catch (error) {
          if (!(error instanceof ManifestError)) throw error;
          if (opts.format === 'json') {
            process.stdout.write(
              `${JSON.stringify({ valid: false, file: error.file, issues: error.issues }, null, 2)}\n`,
            );
          } else {
            // Unreadable: one line from the action wrapper, like every other command's.
            if (error.exitCode === 2) throw error;
            const count = `${error.issues.length} problem${error.issues.length === 1 ? '' : 's'}`;
            process.stderr.write(
              `${error.file} is not a valid NMaaS app declaration (${count}):\n${formatIssues(error.file, error.issues)}\n`,
            );
          }
          return error.exitCode;
        }
      }),
    );
}
