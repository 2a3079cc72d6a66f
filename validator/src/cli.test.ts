/** `nmaas validate` through the real CLI: formats, exit codes 0/1/2, policy and --strict. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES } from './rules/index.js';
import { buildCase, BASE_CHART, loadCases, REPO, tempDir } from './testing/index.js';
import { formatText } from './output/text.js';
import { validate } from './engine.js';

const CLI = path.join(REPO, 'cli', 'dist', 'main.js');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, 'validate', ...args],
      { env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

let work: string;
let privileged: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build with \`npx tsc -b cli\` (npm test does)`);
  work = await tempDir();
  const c = (await loadCases()).find((x) => x.id === 'NMAAS-PSS-PRIVILEGED')!;
  privileged = await buildCase(c, path.join(work, 'priv'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('nmaas validate', () => {
  it('--list-rules prints every rule with its severity, PSS level, rationale and fix', async () => {
    const r = await run(['--list-rules']);
    expect(r.code).toBe(0);
    for (const rule of RULES) expect(r.stdout).toContain(rule.meta.id);
    expect(r.stdout).toMatch(/NMAAS-PSS-PRIVILEGED {2}\[error, PSS baseline\]/);
    const json = JSON.parse((await run(['--list-rules', '--format', 'json'])).stdout) as {
      id: string;
      rationale: string;
      fix: string;
    }[];
    expect(json.map((x) => x.id)).toEqual(RULES.map((x) => x.meta.id));
    expect(json.every((x) => x.rationale && x.fix)).toBe(true);
    const sarif = await run(['--list-rules', '--format', 'sarif']);
    expect(sarif.code).toBe(2);
    expect(sarif.stderr).toMatch(/--list-rules prints text or json/);
  });

  it('exits 0 on a clean chart, 1 when a finding reaches --fail-on', async () => {
    const clean = await run([BASE_CHART]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/0 error\(s\)/);
    expect(clean.stdout).not.toMatch(/\x1b\[/); // no colour when stdout is not a terminal
    expect((await run([BASE_CHART, '--fail-on', 'warning'])).code).toBe(0);
    expect((await run([BASE_CHART, '--fail-on', 'info'])).code).toBe(1);
    expect((await run([BASE_CHART, '--fail-on', 'none'])).code).toBe(0);
  });

  it('reports a bad chart as text grouped by object, and as JSON', async () => {
    const text = await run([privileged]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(
      /Deployment\/nmaas-validate-web-qos-full {2}\(templates\/deployment\.yaml\)\n(.*\n)*.*error {3}NMAAS-PSS-PRIVILEGED/,
    );
    const json = await run([privileged, '--format', 'json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.findings.map((f: { ruleId: string }) => f.ruleId)).toContain('NMAAS-PSS-PRIVILEGED');
  });

  it('writes SARIF to a file with -o', async () => {
    const out = path.join(work, 'results.sarif');
    const r = await run([privileged, '--format', 'sarif', '-o', out]);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(await readFile(out, 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.some((x: { ruleId: string }) => x.ruleId === 'NMAAS-PSS-PRIVILEGED')).toBe(true);
  });

  it('applies reviewer exemptions from --policy, and ignores them with --strict', async () => {
    const policy = path.join(work, 'policy.yaml');
    await writeFile(
      policy,
      `kind: ValidatorPolicy
exemptions:
  - rule: NMAAS-PSS-PRIVILEGED
    app: web-qos-full
    container: web-qos-full
    value: privileged
    justification: Test exemption for the CLI test, reviewed by nobody.
    expires: 2999-12-31
`,
    );
    const exempt = await run([privileged, '--policy', policy]);
    expect(exempt.code, exempt.stdout).toBe(0);
    expect(exempt.stdout).toMatch(/exempted by the reviewers' policy/);
    expect((await run([privileged, '--policy', policy, '--strict'])).code).toBe(1);
  });

  it('exits 2 on unreadable input and bad arguments', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run([path.join(work, 'nope')])).code).toBe(2);
    expect((await run([BASE_CHART, '--format', 'xml'])).code).toBe(2);
    expect((await run([BASE_CHART, '--fail-on', 'fatal'])).code).toBe(2);
    const helm = await run([BASE_CHART, '--helm', '9']);
    expect(helm.code).toBe(2);
    expect(helm.stderr).toMatch(/--helm 9: .*use one of 3\.17, 4\.1/);
    const badPolicy = path.join(work, 'bad-policy.yaml');
    await writeFile(badPolicy, 'exemptions:\n  - { rule: NMAAS-PSS-PRIVILEGED, app: x }\n');
    const r = await run([BASE_CHART, '--policy', badPolicy]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/justification is required/);
    const notGzip = path.join(work, 'x.tgz');
    await writeFile(notGzip, 'not a chart');
    expect((await run([notGzip])).code).toBe(2);
  });
});

describe('text output', () => {
  it('colours severities on a terminal', async () => {
    const c = (await loadCases()).find((x) => x.id === 'NMAAS-PSS-PRIVILEGED')!;
    const dir = await buildCase(c, path.join(work, 'colour'));
    const report = await validate(dir, { defaultsOnly: true });
    expect(formatText(report, { colour: true })).toMatch(/\x1b\[31merror/);
    expect(formatText(report, { colour: false })).not.toMatch(/\x1b\[/);
  });
});
