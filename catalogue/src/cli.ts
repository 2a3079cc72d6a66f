/**
 * `nmaas catalogue build|serve`. Exit codes: 0 built/serving; 1 an input was read but refused
 * (validation findings, an invalid chart, a change to a published version); 2 bad arguments or
 * unreadable input (missing folder, damaged index.yaml, unreadable key).
 */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  action,
  describeSystemError,
  errorMessage,
  formatOption,
  InputError,
  isSystemError,
  UsageError,
} from '@nmaas/sdk/kit';
import { buildRepository, BuildRefusedError, type BuildResult } from './build.js';
import { ChartError } from './chart-metadata.js';
import { LAYOUTS, type Layout } from './layout.js';
import { progressMode, progressReporter } from './progress.js';
import { readSigningKey } from './provenance.js';
// `serve` and `start` load the server (and what it reads) only when they run: `build` does not need it.
const loadServer = () => import('./serve/server.js');
const loadStart = () => import('./start.js');
const PUBLIC_URL = /^https?:\/\/[^\s/]+(\/\S*)?$/;

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
  publicUrl?: string;
}

// A refused input (findings, an invalid chart, a changed published version) did not pass: exit 1.
const refusal = (error: unknown) =>
  error instanceof BuildRefusedError || error instanceof ChartError ? new InputError((error as Error).message) : error;

function portNumber(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a port number 0-65535, not ${text}`);
  return port;
}

function printResult(result: BuildResult, format: string): void {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  for (const c of result.charts) {
    process.stdout.write(
      `${c.status === 'added' ? 'added    ' : 'unchanged'} ${c.name} ${c.version}  ${c.url}  sha256:${c.digest}${c.provenance ? '  (signed)' : ''}\n`,
    );
    for (const f of c.findings) process.stdout.write(`          ${f.severity} ${f.ruleId}: ${f.message}\n`);
  }
  const added = result.charts.filter((c) => c.status === 'added').length;
  process.stdout.write(
    `${result.index}: ${added} added, ${result.charts.length - added} unchanged${result.indexChanged ? '' : ' (index not modified)'}\n`,
  );
}

/** A file an option names, read whole; a failure names the option and the file (EISDIR carries no path). */
async function readOptionFile(flag: string, file: string): Promise<string> {
  return readFile(file, 'utf8').catch((error: unknown) => {
    throw new UsageError(`${flag} ${isSystemError(error) ? describeSystemError(error, file) : errorMessage(error)}`);
  });
}

export function registerCatalogueCommands(program: Command): void {
  const catalogue = program
    .command('catalogue')
    .description('build and serve the NMaaS Helm repository (the catalogue Rancher adds)');
  catalogue
    .command('build')
    .description(
      'package app folders, chart folders or chart .tgz files into a Helm repository (reproducible, immutable versions)',
    )
    .argument('<inputs...>', 'app folders (nmaas.yaml), chart folders (Chart.yaml) or packaged charts (.tgz)')
    .requiredOption('-o, --output <repo-dir>', 'the repository folder (created if missing; existing versions are kept)')
    .option('--layout <layout>', `repository layout: ${LAYOUTS.join(' or ')}`, 'http')
    .option('--sign-key <file>', 'armored PGP private key: writes <chart>.tgz.prov provenance files for helm verify')
    .option('--sign-passphrase-file <file>', 'file holding the signing key passphrase (or set NMAAS_SIGN_PASSPHRASE)')
    .option('--allow-warnings', 'accept inputs whose validator findings are only warnings')
    .option(
      '--experimental-images',
      'accept apps whose image is unpinned or a placeholder digest, marking their charts experimental',
    )
    .option(
      '--policy <file>',
      "the reviewers' policy file: exemptions the validator applies (see nmaas validate --policy)",
    )
    .option('--no-validate', 'skip the validator (for charts checked elsewhere)')
    .option(
      '--public-url <url>',
      'URL the repository is served at: Chart.yaml links the app icons under icons/ absolutely (default: $PUBLIC_URL; without it relative to index.yaml, which Rancher resolves)',
    )
    .addOption(formatOption())
    .addHelpText(
      'after',
      '\nExit codes: 0 built, 1 an input was refused (findings, invalid chart, changed published version), 2 bad arguments or unreadable input.',
    )
    .action(
      action(async (inputs: string[], flags: BuildFlags) => {
        if (!(LAYOUTS as readonly string[]).includes(flags.layout))
          throw new UsageError(`--layout must be ${LAYOUTS.join(' or ')}, not ${flags.layout}`);
        const publicUrl = flags.publicUrl ?? (process.env.PUBLIC_URL || undefined);
        if (publicUrl !== undefined && !PUBLIC_URL.test(publicUrl))
          throw new UsageError(
            `--public-url must be an http(s) URL such as https://charts.example.org/, not ${publicUrl}`,
          );
        let signingKey;
        if (flags.signKey) {
          const armored = await readOptionFile('--sign-key', flags.signKey);
          const passphrase = flags.signPassphraseFile
            ? (await readOptionFile('--sign-passphrase-file', flags.signPassphraseFile)).replace(/\r?\n$/, '')
            : process.env.NMAAS_SIGN_PASSPHRASE;
          try {
            signingKey = await readSigningKey(armored, passphrase, flags.signKey);
          } catch (error) {
            throw new UsageError((error as Error).message);
          }
          if (signingKey.compatibilityWarning)
            process.stderr.write(`nmaas catalogue: warning: ${signingKey.compatibilityWarning}\n`);
        }
        // A shell glob such as `examples/*` also names plain files (README.md): say so and leave them
        // out, rather than refuse the whole build. A missing path or a folder that is neither an app
        // nor a chart is still an error.
        const plainFiles = inputs.filter(
          (input) => !input.endsWith('.tgz') && statSync(input, { throwIfNoEntry: false })?.isFile() === true,
        );
        for (const file of plainFiles)
          process.stderr.write(
            `nmaas catalogue: skipping ${file}: a plain file, not an app folder, chart folder or chart .tgz\n`,
          );
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
            publicUrl,
            onProgress: reporter.onProgress,
          });
          reporter.end();
          printResult(result, flags.format);
        } catch (error) {
          reporter.end();
          if (flags.format === 'json') {
            process.stdout.write(
              `${JSON.stringify({ ok: false, error: (error as Error).message, problems: error instanceof BuildRefusedError ? error.problems : [] }, null, 2)}\n`,
            );
          }
          throw refusal(error);
        }
      }),
    );

  catalogue
    .command('serve')
    .description(
      'serve a catalogue: index.yaml, charts and provenance for helm/Rancher, /api/apps and a browse page at /',
    )
    .argument('<repo-dir>', 'repository folder written by `nmaas catalogue build`')
    .option('--host <host>', 'address to listen on (default: $HOST, else 127.0.0.1; 0.0.0.0 for a cluster to reach it)')
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .action(
      action(async (repoDir: string, flags: { host?: string; port: string }) => {
        const port = portNumber(flags.port);
        const [{ serveCatalogue }, { listenHost }] = await Promise.all([loadServer(), loadStart()]);
        const running = await serveCatalogue({ repoDir, host: listenHost(flags.host), port });
        process.stdout.write(
          `serving ${repoDir} at ${running.url}\n  helm repo add nmaas ${running.url}\n  browse: ${running.url}\n`,
        );
        const stop = () => void running.close().then(() => process.exit(0));
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      }),
    );

  catalogue
    .command('start')
    .description('build examples/* into the git-ignored .catalogue/ folder and serve it (what `npm start` runs)')
    .option('--host <host>', 'address to listen on (default: $HOST, else 127.0.0.1; 0.0.0.0 for a cluster to reach it)')
    .option('--port <port>', 'port to listen on (falls back to a free port when taken)', process.env.PORT ?? '8080')
    .option(
      '--include <dirs...>',
      'more app or chart folders to publish beside the examples (e.g. the scheduler chart)',
    )
    .option('--policy <file>', "the reviewers' policy file the validator applies")
    .action(
      action(async (flags: { host?: string; port: string; include?: string[]; policy?: string }) => {
        const port = portNumber(flags.port);
        try {
          const { startCatalogue } = await loadStart();
          const { server } = await startCatalogue({
            host: flags.host,
            port,
            include: flags.include,
            policy: flags.policy,
          });
          const stop = () => void server.close().then(() => process.exit(0));
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        } catch (error) {
          throw refusal(error);
        }
      }),
    );
}
