import { readFileSync } from 'node:fs';
import { runCli } from '@nmaas/sdk/kit';
import { buildProgram } from './program.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

// Help and --version exit 0, argument errors 2, and each command's own errors by the kit's convention.
await runCli(await buildProgram(version, process.argv), process.argv);
