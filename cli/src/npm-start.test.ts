/**
 * The README's main job: the root package.json's `start` script, run as written by a shell in a folder
 * laid out like the repository (its relative output folders included), until the catalogue it serves
 * answers helm's index with every example app, the scheduler and the policy chart. The build step is
 * left out: `npm test` has just built the packages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../..', import.meta.url));
const BUILD = 'npm run build && ';
/** Images and charts of every example from a cold cache: minutes on a loaded 2-core machine. */
const START_TIMEOUT = 300_000;

let dir: string;
let child: ChildProcess | undefined;
let output = '';

/** Stops the shell and everything it started: it leads a process group of its own. */
async function stop(): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child!.once('exit', resolve));
  process.kill(-child.pid, 'SIGTERM');
  await exited;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nmaas-npm-start-'));
  // What the script reads from the repository. The examples are copied, since building their images
  // pins each digest in the app's image.lock.json; the installed packages are shared.
  await writeFile(path.join(dir, 'package.json'), '{ "private": true }\n');
  await cp(path.join(root, 'examples'), path.join(dir, 'examples'), { recursive: true });
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  await symlink(path.join(root, 'catalogue-policy.yaml'), path.join(dir, 'catalogue-policy.yaml'));
});

afterAll(async () => {
  await stop();
  await rm(dir, { recursive: true, force: true });
});

describe('npm start, as package.json spells it', () => {
  it(
    'builds the scheduler and policy charts into relative folders and serves them with the examples',
    {
      timeout: START_TIMEOUT + 30_000,
    },
    async () => {
      const scripts = (
        JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
          scripts: Record<string, string>;
        }
      ).scripts;
      expect(scripts.start?.startsWith(BUILD)).toBe(true);
      const script = scripts.start!.slice(BUILD.length);
      // Relative output folders are the point: `-o` is given as the README's users give it.
      expect(script).toMatch(/-o \.catalogue-sources\b/);

      child = spawn('sh', ['-c', script], {
        cwd: dir,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
          PORT: '0',
          HOST: '127.0.0.1',
          PUBLIC_URL: '',
        },
      });
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no helm repo add line in time:\n${output}`)), START_TIMEOUT);
        const read = (chunk: Buffer) => {
          output += chunk.toString();
          const line = /helm repo add nmaas (\S+)/.exec(output);
          if (line) {
            clearTimeout(timer);
            resolve(line[1]!);
          }
        };
        child!.stdout!.on('data', read);
        child!.stderr!.on('data', read);
        child!.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`npm start's script exited with ${String(code)} before serving:\n${output}`));
        });
      });

      const index = parse(await (await fetch(new URL('index.yaml', url))).text()) as {
        entries: Record<string, { annotations?: Record<string, string>; urls: string[] }[]>;
      };
      expect(Object.keys(index.entries).sort()).toEqual([
        'ip-spoofing-detection',
        'nmaas-policy',
        'nmaas-scheduler',
        'streaming-cartography',
        'streaming-qos',
        'web-cartography',
        'web-qos',
      ]);
      // The images were built and are served beside the charts, so no chart is marked as not ready.
      for (const [name, versions] of Object.entries(index.entries))
        expect(versions[0]!.annotations?.['catalog.cattle.io/experimental'], name).toBeUndefined();
      const chart = await fetch(new URL(index.entries['nmaas-scheduler']![0]!.urls[0]!, url));
      expect(chart.status).toBe(200);
      expect(output).not.toMatch(/refusing|error/i);
    },
  );
});
