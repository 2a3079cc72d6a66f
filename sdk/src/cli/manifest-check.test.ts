import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const nmaas = fileURLToPath(new URL('../../../cli/dist/main.js', import.meta.url));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [nmaas, ...args], { cwd: root }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('nmaas manifest check (built CLI)', () => {
  it('exits 0 on a valid app', async () => {
    const r = await run(['manifest', 'check', 'sdk/fixtures/apps/full']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/web-qos-full 1\.2\.0 is valid/);
  });

  it('exits 1 with readable, located errors on a broken app', async () => {
    const r = await run(['manifest', 'check', 'sdk/fixtures/apps/broken']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /nmaas\.yaml:13:\d+ schedule\.duration: 10m is longer than schedule\.every \(5m\); a run must end before the next one starts/,
    );
    expect(r.stderr).toMatch(/name: name must be a DNS-1123 label/);
  });

  it('prints JSON with --format json', async () => {
    const r = await run(['manifest', 'check', 'sdk/fixtures/apps/broken', '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { valid: boolean; issues: { path: string }[] };
    expect(report.valid).toBe(false);
    expect(report.issues.map((i) => i.path)).toContain('resources.idle.cpu');
  });

  it('exits 2 on wrong arguments', async () => {
    expect((await run(['manifest', 'check'])).code).toBe(2);
    expect((await run(['manifest', 'check', 'x', '--format', 'xml'])).code).toBe(2);
    expect((await run(['no-such-command'])).code).toBe(2);
  });

  it('lists only subcommands that exist', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/manifest/);
  });
});
