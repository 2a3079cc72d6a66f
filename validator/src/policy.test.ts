/** Exemptions come only from the reviewers' policy file, are narrow, justified and expire; --strict ignores them. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPolicy, loadPolicy, parsePolicy, PolicyError } from './policy.js';
import { RULES } from './rules/index.js';
import type { Finding } from './types.js';

const known = new Set(RULES.map((r) => r.meta.id));
const finding = (over: Partial<Finding> = {}): Finding => ({
  ruleId: 'NMAAS-PSS-CAPABILITIES-BASELINE',
  severity: 'error',
  title: 't',
  message: 'adds capability NET_ADMIN',
  app: 'ip-spoofing',
  object: 'Deployment/x',
  container: 'probe',
  value: 'NET_ADMIN',
  ...over,
});
const policy = parsePolicy(
  `apiVersion: nmaas.io/v1
kind: ValidatorPolicy
allowedRegistries: [ghcr.io]
exemptions:
  - rule: NMAAS-PSS-CAPABILITIES-BASELINE
    app: ip-spoofing
    container: probe
    value: NET_ADMIN
    justification: Forges source addresses on purpose; that is the measurement.
    expires: 2027-06-30
    reviewer: alice
  - rule: NMAAS-IMAGE-REGISTRY
    app: ip-spoofing
    container: probe
    value: quay.io
    justification: Mirrors the upstream image while ghcr is being set up.
    expires: 2026-01-31
`,
  'policy.yaml',
  known,
);
const now = new Date('2026-11-27T12:00:00Z');

describe('policy exemptions', () => {
  it('exempts exactly the named rule, app, container and value', () => {
    const out = applyPolicy([finding()], policy, { strict: false, now });
    expect(out.findings).toEqual([]);
    expect(out.exempted[0]!.exemption.justification).toMatch(/Forges/);
    for (const other of [
      { app: 'web-qos' },
      { container: 'sidecar' },
      { value: 'SYS_ADMIN' },
      { ruleId: 'NMAAS-CAP-UNDECLARED' },
      { container: undefined },
    ]) {
      expect(applyPolicy([finding(other)], policy, { strict: false, now }).findings).toHaveLength(1);
    }
  });

  it('ignores every exemption with --strict', () => {
    const out = applyPolicy([finding()], policy, { strict: true, now });
    expect(out.findings).toHaveLength(1);
    expect(out.exempted).toEqual([]);
  });

  it('stops applying an exemption after its expiry day, and says so', () => {
    const f = finding({ ruleId: 'NMAAS-IMAGE-REGISTRY', value: 'quay.io' });
    expect(applyPolicy([f], policy, { strict: false, now: new Date('2026-01-31T23:59:00Z') }).findings).toEqual([]);
    const after = applyPolicy([f], policy, { strict: false, now });
    expect(after.findings[0]!.message).toMatch(/exemption expired 2026-01-31/);
  });

  it('reads allowedRegistries', () => {
    expect(policy.allowedRegistries).toEqual(['ghcr.io']);
  });

  it('refuses exemptions without justification or expiry, and unknown rules', () => {
    const bad = `exemptions:
  - { rule: NMAAS-PSS-PRIVILEGED, app: x }
  - { rule: NMAAS-NOPE, app: x, justification: "long enough reason", expires: "2027-13-45" }
  - { rule: NMAAS-PSS-PRIVILEGED, app: x, justification: short, expires: 2027-01-01 }
`;
    let error: unknown;
    try {
      parsePolicy(bad, 'p.yaml', known);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    const msg = (error as Error).message;
    expect(msg).toMatch(/exemptions\[0\]\.justification is required/);
    expect(msg).toMatch(/exemptions\[0\]\.expires is required/);
    expect(msg).toMatch(/NMAAS-NOPE is not a rule id/);
    expect(msg).toMatch(/exemptions\[1\]\.expires/);
    expect(msg).toMatch(/exemptions\[2\]\.justification is too short/);
  });

  it('refuses a misspelt field instead of dropping what it holds', () => {
    const typos = `exemptons:
  - { rule: NMAAS-PSS-PRIVILEGED, app: x, justification: "long enough reason", expires: 2027-01-01 }
allowedRegistry: [evil.example]
exemptions:
  - { rule: NMAAS-PSS-PRIVILEGED, app: x, justification: "long enough reason", expires: 2027-01-01, contianer: c }
`;
    expect(() => parsePolicy(typos, 'p.yaml', known)).toThrow(PolicyError);
    const msg = (() => {
      try {
        parsePolicy(typos, 'p.yaml', known);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(msg).toMatch(/^ {2}exemptons is not a policy field \(did you mean exemptions\?\)/m);
    expect(msg).toMatch(/^ {2}allowedRegistry is not a policy field \(did you mean allowedRegistries\?\)/m);
    expect(msg).toMatch(/exemptions\[0\]\.contianer is not a policy field \(did you mean container\?\)/);
  });

  it('reads only a regular policy file of at most 1 MiB', async () => {
    await expect(loadPolicy('/dev/zero')).rejects.toThrow(/cannot read: \/dev\/zero is a device, not a regular file/);
    const dir = await mkdtemp(path.join(tmpdir(), 'nmaas-policy-'));
    try {
      const big = path.join(dir, 'big.yaml');
      await writeFile(big, `# ${'x'.repeat(1024 * 1024)}\n`);
      await expect(loadPolicy(big)).rejects.toThrow(/more than the 1 MiB nmaas reads/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
