/**
 * Kubernetes' own Pod Security fixtures (../shared/corpus/pod-security-admission, v1.37) as ground
 * truth for both halves of the namespace levels: the validator's PSS rules, which stand for PSA
 * where the namespace enforces restricted, and the nmaas-pss-* CEL policies, which enforce
 * restricted in the capability namespace where PSA cannot.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RULES_BY_ID } from '@nmaas/validator';
import { podSecurityFindings } from './pod-security.js';
import { evaluateRule } from './admission.js';
import { ADMISSION_RULES } from './policies.js';
import type { AdmissionParameters } from './parameters.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CORPUS = path.resolve(REPO, '../shared/corpus/pod-security-admission');
const VERSION = 'v1.37';

interface Fixture {
  name: string;
  expect: 'pass' | 'fail';
  pod: Record<string, unknown>;
}

function fixtures(level: 'baseline' | 'restricted'): Fixture[] {
  const out: Fixture[] = [];
  for (const expect of ['pass', 'fail'] as const) {
    const dir = path.join(CORPUS, level, VERSION, expect);
    for (const file of readdirSync(dir).sort()) {
      out.push({ name: `${expect}/${file}`, expect, pod: parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown> });
    }
  }
  return out;
}

/** No app published: nothing is declared, nothing exempted (the fixtures carry no app label). */
const PARAMS: AdmissionParameters = { apps: [], allowedRegistries: ['registry.k8s.io'], exemptions: [], measurementNamespaces: ['ns'], capabilityNamespace: 'ns' };

/**
 * Where NMaaS deliberately differs from PSA, each half's mismatches must stay within these.
 * - NMaaS apps run on Linux: the Linux-only restricted controls that PSA skips for spec.os.name
 *   windows still apply (base_windows).
 * - procMount: Unmasked stays refused even with hostUsers: false (baseline allows it since v1.35;
 *   restricted does not, and the measurement namespaces are restricted).
 * - The validator strips a CAP_ prefix before comparing with the baseline set, so it accepts
 *   CAP_CHOWN, which PSA refuses (the literal name is not in the set). Its own namespace level is
 *   restricted, where drop ALL refuses the pod anyway; the CEL policies refuse it.
 */
const KNOWN: Record<'validator' | 'policies', Record<'baseline' | 'restricted', string[]>> = {
  validator: { baseline: ['pass/procmount1.yaml', 'fail/capabilities_baseline3.yaml'], restricted: ['pass/base_windows.yaml'] },
  policies: { baseline: ['pass/procmount1.yaml'], restricted: ['pass/base_windows.yaml'] },
};

const pssPolicies = ADMISSION_RULES.filter((r) => r.scope === 'capability-namespace');
const policiesAt = (level: 'baseline' | 'restricted') =>
  pssPolicies.filter((r) => level === 'restricted' || RULES_BY_ID.get(r.mirrors)?.meta.pss === 'baseline');

describe.each(['baseline', 'restricted'] as const)('Pod Security %s fixtures', (level) => {
  const cases = fixtures(level);

  it('are all there', () => {
    expect(cases.filter((c) => c.expect === 'pass').length).toBeGreaterThan(10);
    expect(cases.filter((c) => c.expect === 'fail').length).toBeGreaterThan(30);
  });

  it("the validator's PSS rules at this level refuse exactly the failing fixtures", () => {
    const wrong = cases
      .map((c) => ({ c, findings: podSecurityFindings(c.pod, level) }))
      .filter(({ c, findings }) => (findings.length > 0) !== (c.expect === 'fail'))
      .filter(({ c }) => !KNOWN.validator[level].includes(c.name))
      .map(({ c, findings }) => `${c.name}: ${findings.map((f) => f.rule).join(', ') || 'admitted'}`);
    expect(wrong).toEqual([]);
  });

  it('the nmaas-pss-* admission policies at this level deny exactly the failing fixtures', () => {
    const wrong = cases
      .map((c) => ({ c, denials: policiesAt(level).flatMap((r) => evaluateRule(r, c.pod, PARAMS)) }))
      .filter(({ c, denials }) => (denials.length > 0) !== (c.expect === 'fail') || denials.some((d) => d.error !== undefined))
      .filter(({ c, denials }) => !KNOWN.policies[level].includes(c.name) || denials.some((d) => d.error !== undefined))
      .map(({ c, denials }) => `${c.name}: ${denials.map((d) => `${d.rule}${d.error ? ` (error ${d.error})` : ''}`).join(', ') || 'admitted'}`);
    expect(wrong).toEqual([]);
  });
});

describe('the nmaas-pss-* policies', () => {
  it('mirror every validator PSS rule, one policy each', () => {
    const pssRuleIds = [...RULES_BY_ID.values()].filter((r) => r.meta.pss !== undefined).map((r) => r.meta.id).sort();
    expect(pssPolicies.map((r) => r.mirrors).sort()).toEqual(pssRuleIds);
  });
});
