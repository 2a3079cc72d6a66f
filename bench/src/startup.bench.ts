/**
 * Start-up of the `nmaas` CLI as a fresh process, whole process, beside the floor of a bare
 * `node -e 0` in the same run: `--version` and `--help` load no package; `chart --help` and
 * `scheduler --help` load only the package that owns the command. Rounds alternate between the
 * variants so that a change of load on the machine hits all of them alike. Medians.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROUNDS = 21;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'cli', 'dist', 'main.js');

const VARIANTS: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  'nmaas --version': [CLI, '--version'],
  'nmaas --help': [CLI, '--help'],
  'nmaas chart --help': [CLI, 'chart', '--help'],
  'nmaas catalogue --help': [CLI, 'catalogue', '--help'],
  'nmaas scheduler --help': [CLI, 'scheduler', '--help'],
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function timeOnce(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    execFile(process.execPath, args, (error) => {
      if (error) reject(new Error(`node ${args.join(' ')}: ${error.message}`));
      else resolve(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  });
}

export default async function bench(): Promise<Record<string, unknown>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(VARIANTS).map((k) => [k, []]));
  // One warm-up round fills the page cache with node and the packages.
  for (const args of Object.values(VARIANTS)) await timeOnce(args);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, args] of Object.entries(VARIANTS)) samples[name]!.push(await timeOnce(args));
  }
  const wallMs = Object.fromEntries(Object.entries(samples).map(([name, runs]) => [name, Math.round(median(runs))]));
  const floor = wallMs['node -e 0']!;
  return {
    what: 'wall time of a fresh process, median of rounds; the target is nmaas --version ≤ 150 ms on this machine',
    rounds: ROUNDS,
    loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
    wallMs,
    overBareNodeMs: Object.fromEntries(Object.entries(wallMs).map(([name, ms]) => [name, ms - floor])),
    versionWithinTarget: wallMs['nmaas --version']! <= 150,
  };
}
