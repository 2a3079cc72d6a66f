import { afterEach, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { registerCommands } from '../commands.js';

const probeDir = fileURLToPath(new URL('../../fixtures/apps/probe', import.meta.url));

async function nmaas(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const program = new Command('nmaas').exitOverride();
  registerCommands(program);
  let code: number;
  try {
    await program.parseAsync(['node', 'nmaas', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (error) {
    code = (error as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
  return { code, stdout, stderr };
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('nmaas run --once', () => {
  it('runs the app once and prints its result and metrics', async () => {
    const r = await nmaas('run', probeDir, '--once', '--param', 'target=cli.example');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^probe 0\.3\.0: success in \d+\.\d{3} s\n/);
    expect(r.stdout).toContain('"target": "cli.example"');
    expect(r.stdout).toContain('probe_checks_total{target="cli.example"} 1');
    expect(r.stdout).toContain('nmaas_runs_total{outcome="success"} 1');
    // Logs go to stderr, as JSON lines.
    expect(JSON.parse(r.stderr.split('\n')[0]!)).toMatchObject({ msg: 'probing', app: 'probe', run: 1 });
  });

  it('exits 1 when the run fails, and prints JSON with --format json', async () => {
    const r = await nmaas('run', probeDir, '--once', '--param', 'fail=true', '--format', 'json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      outcome: string;
      error: string;
      metricsText: string;
      parameters: Record<string, unknown>;
    };
    expect(out).toMatchObject({
      outcome: 'failure',
      error: 'Error: told to fail',
      parameters: { fail: true, target: 'example.org' },
    });
    expect(out.metricsText).toContain('nmaas_runs_total{outcome="failure"} 1');
  });

  it('exits 2 on a bad parameter value, naming it and the expected form', async () => {
    const r = await nmaas('run', probeDir, '--once', '--param', 'sleepMs=abc');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--param: parameters.sleepMs: "abc" must be a whole number; expected a whole number from 0 to 600000',
    );
  });

  it('exits 2 on malformed arguments and on a folder that is not an app', async () => {
    expect((await nmaas('run', probeDir, '--once', '--param', 'novalue')).stderr).toContain(
      'must be written name=value',
    );
    expect((await nmaas('run', probeDir, '--once', '--param', 'novalue')).code).toBe(2);
    expect((await nmaas('run', probeDir, '--port', 'x')).code).toBe(2);
    const notApp = await nmaas('run', fileURLToPath(new URL('.', import.meta.url)), '--once');
    expect(notApp.code).toBe(2);
    expect(notApp.stderr).toContain('nmaas.yaml');
    const unbuilt = await nmaas(
      'run',
      fileURLToPath(new URL('../../fixtures/apps/minimal', import.meta.url)),
      '--once',
    );
    expect(unbuilt.code).toBe(2);
    expect(unbuilt.stderr).toMatch(/package\.json/);
  });
});

describe('nmaas run (built CLI, on the schedule)', () => {
  it('starts the first run within about a second, serves /results, and stops cleanly on Ctrl-C', async () => {
    const { spawn } = await import('node:child_process');
    const cli = fileURLToPath(new URL('../../../cli/dist/main.js', import.meta.url));
    const child = spawn(process.execPath, [cli, 'run', probeDir, '--port', '0', '--param', 'target=dev.example'], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const lines: Record<string, unknown>[] = [];
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const started = Date.now();
      const finished = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no run finished; stderr: ${stderr}`)), 15_000);
        let buffer = '';
        child.stdout.on('data', (d: Buffer) => {
          buffer += d.toString();
          const parts = buffer.split('\n');
          buffer = parts.pop()!;
          for (const line of parts) {
            const rec = JSON.parse(line) as Record<string, unknown>;
            lines.push(rec);
            if (rec.msg === 'run finished') {
              clearTimeout(timer);
              resolve(rec);
            }
          }
        });
      });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(finished).toMatchObject({ outcome: 'success', run: 1 });
      const port = lines.find((r) => r.msg === 'started')!.port as number;
      const results = (await (await fetch(`http://127.0.0.1:${port}/results`)).json()) as {
        results: { result: unknown }[];
      };
      expect(results.results[0]!.result).toMatchObject({ target: 'dev.example' });
      const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exit).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
