/**
 * `nmaas policy chart` through the built CLI (cli/dist, built by `npm test` first): the chart it
 * writes for this repository's catalogue passes the catalogue's own review with the exemptions of
 * catalogue-policy.yaml, and bad arguments exit 2 with what to fix, writing nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '@nmaas/validator/testing';

const run = promisify(execFile);
const CLI = path.join(REPO, 'cli/dist/main.js');
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'nmaas-policy-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function nmaas(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { timeout: 300_000, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('nmaas policy chart', () => {
  it('writes the chart for the examples and the reviewers\' policy, and the chart passes the review', async () => {
    const out = path.join(work, 'ok');
    const policy = path.join(REPO, 'catalogue-policy.yaml');
    const r = await nmaas(['policy', 'chart', '-o', out, '--apps', path.join(REPO, 'examples'), '--policy', policy, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'nmaas-policy', apps: ['ip-spoofing-detection', 'streaming-cartography', 'streaming-qos', 'web-cartography', 'web-qos'] });
    const v = await nmaas(['validate', path.join(out, 'nmaas-policy'), '--policy', policy, '--format', 'json']);
    const report = JSON.parse(v.stdout) as { findings: { ruleId: string; severity: string; message: string }[]; exempted: unknown[] };
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(v.code).toBe(0);
  }, 600_000);

  it.each([
    ['a namespace that is not a DNS label', ['--namespace', 'Bad_Name'], /namespace "Bad_Name" is not a DNS label/],
    ['the capability namespace also restricted', ['--namespace', 'lab', '--capability-namespace', 'lab'], /also a restricted --namespace/],
    ['a missing apps folder', ['--apps', '/nonexistent/apps'], /--apps \/nonexistent\/apps: cannot read/],
    ['an unreadable policy file', ['--policy', '/nonexistent/policy.yaml'], /policy\.yaml is not a valid validator policy/],
  ])('exits 2 on %s, writing nothing', async (_name, args, message) => {
    const out = path.join(work, `bad-${Math.random().toString(36).slice(2)}`);
    const r = await nmaas(['policy', 'chart', '-o', out, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });

  it('exits 2 on a policy exemption without an expiry', async () => {
    const policy = path.join(work, 'no-expiry.yaml');
    await writeFile(policy, 'exemptions:\n  - { rule: NMAAS-IMAGE-DIGEST, app: web-qos, justification: pinned by the next release }\n');
    const r = await nmaas(['policy', 'chart', '-o', path.join(work, 'x'), '--policy', policy]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exemptions\[0\]\.expires is required/);
  });
});
