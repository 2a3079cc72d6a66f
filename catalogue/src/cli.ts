/**
 * `nmaas catalogue build|serve`. Exit codes: 0 built/serving; 1 an input was read but refused
 * (validation findings, an invalid chart, a change to a published version); 2 bad arguments or
 * unreadable input (missing folder, damaged index.yaml, unreadable key).
 */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { buildRepository, BuildRefusedError, type BuildResult } from './build.js';
import { ChartError } from './chart-metadata.js';
import { LAYOUTS, type Layout } from './layout.js';
import { progressMode, progressReporter } from './progress.js';
import { readSigningKey } from './provenance.js';
import { serveCatalogue } from './serve/server.js';
import { startCatalogue } from './start.js';

interface BuildFlags {
  output: string;
  layout: string;
  signKey?: string;
  signPassphraseFile?: string;
  allowWarnings?: boolean;
  experimentalImages?: boolean;
  policy?: string;
  validate: boolean;
  format: string;
}

function fail(message: string, code: 1 | 2): void {
  process.stderr.write(`nmaas catalogue: ${message}\n`);
  process.exitCode = code;
}

function printResult(result: BuildResult, format: string): void {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  for (const c of result.charts) {
    process.stdout.write(`${c.status === 'added' ? 'added    ' : 'unchanged'} ${c.name} ${c.version}  ${c.url}  sha256:${c.digest}${c.provenance ? '  (signed)' : ''}\n`);
    for (const f of c.findings) process.stdout.write(`          ${f.severity} ${f.ruleId}: ${f.message}\n`);
  }
  const added = result.charts.filter((c) => c.status === 'added').length;
  process.stdout.write(`${result.index}: ${added} added, ${result.charts.length - added} unchanged${result.indexChanged ? '' : ' (index not modified)'}\n`);
}

export function registerCatalogueCommands(program: Command): void {
  const catalogue = program.command('catalogue').description('build and serve the NMaaS Helm repository (the catalogue Rancher adds)');
  catalogue
    .command('build')
    .description('package app folders, chart folders or chart .tgz files into a Helm repository (reproducible, immutable versions)')
    .argument('<inputs...>', 'app folders (nmaas.yaml), chart folders (Chart.yaml) or packaged charts (.tgz)')
    .requiredOption('-o, --output <repo-dir>', 'the repository folder (created if missing; existing versions are kept)')
    .option('--layout <layout>', `repository layout: ${LAYOUTS.join(' or ')}`, 'http')
    .option('--sign-key <file>', 'armored PGP private key: writes <chart>.tgz.prov provenance files for helm verify')
    .option('--sign-passphrase-file <file>', 'file holding the signing key passphrase (or set NMAAS_SIGN_PASSPHRASE)')
    .option('--allow-warnings', 'accept inputs whose validator findings are only warnings')
    .option('--experimental-images', 'accept apps whose image is unpinned or a placeholder digest, marking their charts experimental')
    .option('--policy <file>', "the reviewers' policy file: exemptions the validator applies (see nmaas validate --policy)")
    .option('--no-validate', 'skip the validator (for charts checked elsewhere)')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText('after', '\nExit codes: 0 built, 1 an input was refused (findings, invalid chart, changed published version), 2 bad arguments or unreadable input.')
    .action(async (inputs: string[], flags: BuildFlags) => {
      if (flags.format !== 'text' && flags.format !== 'json') return fail(`--format must be text or json, not ${flags.format}`, 2);
      if (!(LAYOUTS as readonly string[]).includes(flags.layout)) return fail(`--layout must be ${LAYOUTS.join(' or ')}, not ${flags.layout}`, 2);
      let signingKey;
      if (flags.signKey) {
        try {
          const armored = await readFile(flags.signKey, 'utf8');
          const passphrase = flags.signPassphraseFile ? (await readFile(flags.signPassphraseFile, 'utf8')).replace(/\r?\n$/, '') : process.env.NMAAS_SIGN_PASSPHRASE;
          signingKey = await readSigningKey(armored, passphrase, flags.signKey);
          if (signingKey.compatibilityWarning) process.stderr.write(`nmaas catalogue: warning: ${signingKey.compatibilityWarning}\n`);
        } catch (error) {
          return fail((error as Error).message, 2);
        }
      }
      // A shell glob such as `examples/*` also names plain files (README.md): say so and leave them
      // out, rather than refuse the whole build. A missing path or a folder that is neither an app
      // nor a chart is still an error.
      const plainFiles = inputs.filter((input) => !input.endsWith('.tgz') && statSync(input, { throwIfNoEntry: false })?.isFile() === true);
      for (const file of plainFiles) process.stderr.write(`nmaas catalogue: skipping ${file}: a plain file, not an app folder, chart folder or chart .tgz\n`);
      const reporter = progressReporter(progressMode(flags.format));
      try {
        const result = await buildRepository({
          repoDir: flags.output,
          inputs: inputs.filter((input) => !plainFiles.includes(input)),
          layout: flags.layout as Layout,
          signingKey,
          validate: flags.validate,
          allowWarnings: flags.allowWarnings === true,
          experimentalImages: flags.experimentalImages === true,
          policy: flags.policy,
          onProgress: reporter.onProgress,
        });
        reporter.end();
        printResult(result, flags.format);
      } catch (error) {
        reporter.end();
        const refused = error instanceof BuildRefusedError || error instanceof ChartError;
        if (flags.format === 'json') {
          process.stdout.write(`${JSON.stringify({ ok: false, error: (error as Error).message, problems: error instanceof BuildRefusedError ? error.problems : [] }, null, 2)}\n`);
        }
        fail((error as Error).message, refused ? 1 : 2);
      }
    });

  catalogue
    .command('serve')
    .description('serve a catalogue: index.yaml, charts and provenance for helm/Rancher, /api/apps and a browse page at /')
    .argument('<repo-dir>', 'repository folder written by `nmaas catalogue build`')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .action(async (repoDir: string, flags: { host: string; port: string }) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(`--port must be a port number 0-65535, not ${flags.port}`, 2);
      try {
        const running = await serveCatalogue({ repoDir, host: flags.host, port });
        process.stdout.write(`serving ${repoDir} at ${running.url}\n  helm repo add nmaas ${running.url}\n  browse: ${running.url}\n`);
        const stop = () => void running.close().then(() => process.exit(0));
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      } catch (error) {
        fail((error as Error).message, 2);
      }
    });

  catalogue
    .command('start')
    .description('build examples/* into the git-ignored .catalogue/ folder and serve it (what `npm start` runs)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (falls back to a free port when taken)', process.env.PORT ?? '8080')
    .option('--include <dirs...>', 'more app or chart folders to publish beside the examples (e.g. the scheduler chart)')
    .option('--policy <file>', "the reviewers' policy file the validator applies")
    .action(async (flags: { host: string; port: string; include?: string[]; policy?: string }) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(`--port must be a port number 0-65535, not ${flags.port}`, 2);
      try {
        const { server } = await startCatalogue({ host: flags.host, port, include: flags.include, policy: flags.policy });
        const stop = () => void server.close().then(() => process.exit(0));
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      } catch (error) {
        fail((error as Error).message, error instanceof BuildRefusedError || error instanceof ChartError ? 1 : 2);
      }
    });
}
