/**
 * Checks an app's image without a Docker engine: runs the build stage's own RUN command from the
 * app's Dockerfile on this checkout (minus `npm ci`, the workspace being installed already), with
 * its /out folder moved to a temporary directory, then starts the SDK's container entry on the
 * resulting /app exactly as the image's CMD would. What this cannot check: the base images and
 * the runtime stage's own RUN steps (apt packages, file capabilities).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@nmaas/sdk/testing';

export interface ImageLayout {
  /** What the image holds at /app. */
  appRoot: string;
  dispose(): void;
}

/** The build stage's RUN command, continuation lines joined. */
export function buildStageCommand(dockerfile: string): string {
  const text = dockerfile.replace(/\\\n/g, ' ');
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^FROM\s.*\sAS\s+build\b/i.test(l));
  const run = lines.slice(start + 1).find((l) => /^RUN\s/.test(l));
  if (start < 0 || !run) throw new Error('the Dockerfile has no "FROM … AS build" stage with a RUN command');
  return run.replace(/^RUN\s+/, '');
}

export function buildImageLayout(appDir: string, repoRoot: string): ImageLayout {
  const work = mkdtempSync(path.join(tmpdir(), 'nmaas-image-'));
  const steps = buildStageCommand(readFileSync(path.join(appDir, 'Dockerfile'), 'utf8'))
    .split(/\s+&&\s+/)
    .filter((step) => !/^npm ci\b/.test(step.trim()))
    .map((step) => step.replace(/(^|\s)\/out\b/g, `$1${work}/out`));
  try {
    execFileSync('sh', ['-c', steps.join(' && ')], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 240_000,
    });
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    const e = error as { stderr?: Buffer; stdout?: Buffer; message: string };
    throw new Error(
      `the Dockerfile's build steps failed: ${e.message}\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`,
    );
  }
  return { appRoot: path.join(work, 'out', 'app'), dispose: () => rmSync(work, { recursive: true, force: true }) };
}

export interface RunningEntry {
  port: number;
  child: ChildProcess;
  output: () => string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `node <app>/node_modules/.bin/nmaas-app <app>` (the image's CMD) and waits for /healthz. */
export async function startContainerEntry(appRoot: string, env: Record<string, string> = {}): Promise<RunningEntry> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(appRoot, 'node_modules', '.bin', 'nmaas-app'), appRoot], {
    cwd: tmpdir(),
    env: { ...process.env, NMAAS_METRICS_PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nmaas-app exited with ${child.exitCode}: ${out}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    child,
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
