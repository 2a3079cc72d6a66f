#!/usr/bin/env node
// `npm create nmaas-app` runs this bin (npm maps `npm create <x>` to the package `create-<x>`).
import { run } from './cli.js';

process.exitCode = await run(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
});
