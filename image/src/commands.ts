/**
 * `nmaas image build` and `nmaas image push`. Exit codes (the kit's convention): 2 for wrong
 * arguments or unreadable input (no app folder, no OCI layout, a malformed reference), 1 when the
 * input was read but the build or push did not pass (invalid nmaas.yaml, base layer unavailable,
 * registry refused or unreachable). The errors carry their own code (the manifest's says whether
 * it could be read; a missing base layer and a refusing registry are input errors), so the kit's
 * action wrapper maps them and nothing here looks at message text.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { action, formatOption, UsageError } from '@nmaas/sdk/kit';
import { buildImage } from './build-image.js';
import { writeImageLock } from './image-lock-write.js';
import { DEFAULT_CHUNK_SIZE, pushImage } from './push.js';

function readPasswordStdin(): string {
  return readFileSync(0, 'utf8').replace(/\r?\n$/, '');
}

export function registerCommands(program: Command): void {
  const image = program
    .command('image')
    .description("Build an app's container image without a daemon, and push it to a registry");

  image
    .command('build')
    .description(
      'Build <app-dir> into an OCI image layout (base: Node.js runtime only; user 65532; entry point nmaas-app), write an SPDX SBOM and pin the digest in image.lock.json',
    )
    .argument('<app-dir>', 'app folder (nmaas.yaml, built dist/)')
    .option('-o, --output <dir>', 'OCI layout folder to write (default: <app-dir>/dist-image/oci)')
    .option('--sbom <file>', 'SBOM file (default: <output>.spdx.json)')
    .option('--cache <dir>', 'cache for the base layer inputs (default: $NMAAS_IMAGE_CACHE or ~/.cache/nmaas/image)')
    .option('--revision <rev>', 'org.opencontainers.image.revision label, e.g. the git commit')
    .option('--no-lock', 'do not write image.lock.json')
    .addOption(formatOption(['text', 'json']))
    .action(
      action(
        async (
          appDir: string,
          opts: {
            output?: string;
            sbom?: string;
            cache?: string;
            revision?: string;
            lock: boolean;
            format: 'text' | 'json';
          },
        ) => {
          const built = await buildImage({
            appDir,
            outDir: opts.output,
            sbomFile: opts.sbom,
            cacheDir: opts.cache,
            revision: opts.revision,
          });
          const lockFile = opts.lock
            ? await writeImageLock(appDir, {
                repository: built.repository,
                tag: built.tag,
                digest: built.manifestDigest,
              })
            : undefined;
          if (opts.format === 'json') process.stdout.write(`${JSON.stringify({ ...built, lockFile }, null, 2)}\n`);
          else {
            process.stdout.write(`built ${built.repository}:${built.tag}@${built.manifestDigest}\n`);
            process.stdout.write(
              `  layout ${built.layoutDir} (${(built.compressedSize / 1e6).toFixed(1)} MB compressed)\n  sbom   ${built.sbomFile}\n`,
            );
            if (lockFile) process.stdout.write(`  pinned in ${lockFile}\n`);
          }
        },
      ),
    );

  image
    .command('push')
    .description(
      "Push an OCI layout's image to a registry over the OCI Distribution API (Basic or Bearer auth); the tag is set only once every blob is there",
    )
    .argument('<oci-layout>', 'OCI layout folder (from nmaas image build, or .catalogue/oci/charts/<name>)')
    .argument('<reference>', 'registry/repository:tag, e.g. harbor.example.org/nmaas/web-qos:0.1.0')
    .option('--layout-tag <tag>', 'which image of the layout (its ref name), when it holds several')
    .option('-u, --username <name>', 'registry user (or NMAAS_REGISTRY_USERNAME)')
    .option('--password-stdin', 'read the password or token from standard input (or NMAAS_REGISTRY_PASSWORD)')
    .option('--plain-http', 'talk HTTP, not HTTPS (the default only for 127.0.0.1 and localhost)')
    .addOption(
      new Option('--chunk-size <bytes>', 'upload blobs larger than this in chunks; 0 = one request per blob').default(
        String(DEFAULT_CHUNK_SIZE),
      ),
    )
    .option('--mount-from <repo...>', 'repositories on the same registry to mount existing blobs from')
    .addOption(formatOption(['text', 'json']))
    .action(
      action(
        async (
          layoutDir: string,
          reference: string,
          opts: {
            layoutTag?: string;
            username?: string;
            passwordStdin?: boolean;
            plainHttp?: boolean;
            chunkSize: string;
            mountFrom?: string[];
            format: 'text' | 'json';
          },
        ) => {
          const chunkSize = Number(opts.chunkSize);
          if (!Number.isInteger(chunkSize) || chunkSize < 0)
            throw new UsageError(`--chunk-size must be a whole number of bytes, not ${opts.chunkSize}`);
          const username = opts.username ?? process.env.NMAAS_REGISTRY_USERNAME;
          const password = opts.passwordStdin ? readPasswordStdin() : process.env.NMAAS_REGISTRY_PASSWORD;
          if (username !== undefined && password === undefined)
            throw new UsageError('a --username needs a password: --password-stdin or NMAAS_REGISTRY_PASSWORD');
          const result = await pushImage({
            layoutDir,
            reference,
            layoutTag: opts.layoutTag,
            credentials: username !== undefined && password !== undefined ? { username, password } : undefined,
            scheme: opts.plainHttp ? 'http' : undefined,
            chunkSize,
            mountFrom: opts.mountFrom,
          });
          if (opts.format === 'json') process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          else
            process.stdout.write(
              `pushed ${result.reference}@${result.digest} (${result.uploaded} uploaded, ${result.skipped} already there, ${result.mounted} mounted)\n`,
            );
        },
      ),
    );
}
