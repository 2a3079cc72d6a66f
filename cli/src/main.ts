import { readFileSync } from 'node:fs';
import { runCli } from '@nmaas/sdk/kit';
import { buildProgram, helpAsOption, requestedCommand, TOP_COMMANDS } from './program.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

// Help and --version exit 0, argument errors 2, and each command's own errors by the kit's convention.
const argv = helpAsOption(process.argv);
const asked = requestedCommand(argv);
if (argv !== process.argv && asked !== undefined && !TOP_COMMANDS.some((c) => c.name === asked)) {
  process.stderr.write(`nmaas: unknown command '${asked}' (nmaas --help lists the commands)\n`);
  process.exitCode = 2;
} else {
  await runCli(await buildProgram(version, argv), argv);
}
