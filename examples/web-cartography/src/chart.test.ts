import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const cli = fileURLToPath(new URL('../../../cli/dist/main.js', import.meta.url));

describe('the app as a catalogue submission', () => {
  it('nmaas.yaml is valid and the synthesised chart passes the validator with no error', () => {
    expect(existsSync(cli), 'build the CLI first: npx tsc -b cli (npm test does)').toBe(true);
    const check = spawnSync(process.execPath, [cli, 'manifest', 'check', appDir], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const run = spawnSync(process.execPath, [cli, 'validate', appDir, '--format', 'json'], { encoding: 'utf8', timeout: 180_000 });
    expect([0, 1], run.stderr).toContain(run.status);
    const report = JSON.parse(run.stdout) as { findings: { severity: string; ruleId: string; message: string }[] };
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => `${f.ruleId}: ${f.message}`)).toEqual([]);
  }, 200_000);
});
