/**
 * `npm run bench [-- name…]`: runs every `*.bench.js` module in this folder (or the named ones),
 * one after another so they do not disturb each other, and writes each result to
 * bench/results/<name>.json (temp file + rename). A bench module default-exports an async
 * function returning its figures as a JSON-serialisable object.
 */
import { readdir, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import type { Bench } from './index.js';
import { writeFileAtomic } from '@nmaas/sdk/kit';

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.resolve(here, '..', 'results');

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const files = (await readdir(here)).filter((f) => f.endsWith('.bench.js')).sort();
  const selected = files.filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.js$/, '')));
  if (selected.length === 0) {
    process.stderr.write(
      `no benchmark matches ${wanted.join(', ')}; available: ${files.map((f) => f.replace(/\.bench\.js$/, '')).join(', ')}\n`,
    );
    process.exitCode = 2;
    return;
  }
  await mkdir(resultsDir, { recursive: true });
  for (const file of selected) {
    const name = file.replace(/\.bench\.js$/, '');
    process.stdout.write(`bench ${name}…\n`);
    const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { default: Bench };
    const started = Date.now();
    const figures = await mod.default();
    const result = {
      name,
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        memoryBytes: os.totalmem(),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
      },
      wallSeconds: (Date.now() - started) / 1000,
      ...figures,
    };
    const out = path.join(resultsDir, `${name}.json`);
    await writeFileAtomic(out, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\nwrote ${path.relative(process.cwd(), out)}\n`);
  }
}

await main();
