/**
 * The reviewers' policy file: the only place exemptions come from. Each exemption is as narrow
 * as a finding (rule, app, container, value), carries a justification and expires; nothing
 * inside a submission can exempt it (see NMAAS-SELF-EXEMPTION), and `--strict` ignores them all.
 *
 * ```yaml
 * apiVersion: nmaas.io/v1
 * kind: ValidatorPolicy
 * allowedRegistries: [ghcr.io, quay.io]
 * exemptions:
 *   - rule: NMAAS-PSS-CAPABILITIES-BASELINE
 *     app: ip-spoofing
 *     container: ip-spoofing
 *     value: NET_ADMIN
 *     justification: Sends packets with forged source addresses, which is the measurement.
 *     expires: 2027-06-30
 * ```
 */
import { parse } from 'yaml';
import { errorMessage, readBoundedFile } from '@nmaas/sdk/kit';
import { closestName } from '@nmaas/sdk/model';
import type { ExemptionUse, Finding } from './types.js';

export const DEFAULT_ALLOWED_REGISTRIES = ['ghcr.io', 'quay.io', 'registry.k8s.io', 'docker.io'];

export interface Exemption extends ExemptionUse {
  reviewer?: string;
}

export interface Policy {
  allowedRegistries: string[];
  exemptions: Exemption[];
}

export class PolicyError extends Error {
  constructor(file: string, problems: string[]) {
    super(`${file} is not a valid validator policy:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const POLICY_KEYS = ['apiVersion', 'kind', 'allowedRegistries', 'exemptions'];
const EXEMPTION_KEYS = ['rule', 'app', 'container', 'value', 'justification', 'expires', 'reviewer'];

/** A misspelt key would be dropped without a word (a typo in `exemptions` drops them all): name it. */
function unknownKeys(object: Record<string, unknown>, known: readonly string[], where: string): string[] {
  return Object.keys(object)
    .filter((key) => !known.includes(key))
    .map((key) => {
      const guess = closestName(key, known);
      return `${where}${key} is not a policy field${guess ? ` (did you mean ${guess}?)` : ''}; known: ${known.join(', ')}`;
    });
}

export function parsePolicy(text: string, file = 'policy.yaml', knownRules?: ReadonlySet<string>): Policy {
  let data: unknown;
  try {
    data = parse(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new PolicyError(file, [`YAML syntax: ${(error as Error).message.split('\n')[0]}`]);
  }
  const problems: string[] = [];
  const root = (data ?? {}) as Record<string, unknown>;
  if (typeof root !== 'object' || Array.isArray(root))
    throw new PolicyError(file, ['the file must be a YAML mapping (apiVersion, kind, allowedRegistries, exemptions)']);
  if (root.kind !== undefined && root.kind !== 'ValidatorPolicy')
    problems.push(`kind is ${JSON.stringify(root.kind)}, expected ValidatorPolicy`);
  problems.push(...unknownKeys(root, POLICY_KEYS, ''));
  const policy: Policy = { allowedRegistries: DEFAULT_ALLOWED_REGISTRIES, exemptions: [] };
  if (root.allowedRegistries !== undefined) {
    if (
      !Array.isArray(root.allowedRegistries) ||
      !root.allowedRegistries.every((r) => typeof r === 'string' && r !== '')
    )
      problems.push('allowedRegistries must be a list of registry hosts such as ghcr.io');
    else policy.allowedRegistries = root.allowedRegistries as string[];
  }
  const list = root.exemptions ?? [];
  if (!Array.isArray(list)) problems.push('exemptions must be a list');
  else {
    list.forEach((raw, i) => {
      const e = (raw ?? {}) as Record<string, unknown>;
      const where = `exemptions[${i}]`;
      if (typeof e === 'object' && !Array.isArray(e)) problems.push(...unknownKeys(e, EXEMPTION_KEYS, `${where}.`));
      const need = (k: string) => {
        const v = e[k];
        if (typeof v !== 'string' || v.trim() === '') {
          problems.push(`${where}.${k} is required`);
          return '';
        }
        return v.trim();
      };
      const rule = need('rule');
      const app = need('app');
      const justification = need('justification');
      // YAML reads an unquoted 2027-01-31 as a date: accept both forms.
      const expiresRaw = e.expires instanceof Date ? e.expires.toISOString().slice(0, 10) : e.expires;
      let expires = '';
      if (typeof expiresRaw !== 'string' || !DATE.test(expiresRaw) || Number.isNaN(Date.parse(expiresRaw)))
        problems.push(`${where}.expires is required, as a date YYYY-MM-DD`);
      else expires = expiresRaw;
      if (justification !== '' && justification.length < 10)
        problems.push(`${where}.justification is too short: say why the exemption is safe`);
      if (rule !== '' && knownRules && !knownRules.has(rule))
        problems.push(`${where}.rule ${rule} is not a rule id (see nmaas validate --list-rules)`);
      for (const k of ['container', 'value', 'reviewer'])
        if (e[k] !== undefined && typeof e[k] !== 'string') problems.push(`${where}.${k} must be a string`);
      const ex: Exemption = { rule, app, justification, expires };
      if (typeof e.container === 'string') ex.container = e.container;
      if (typeof e.value === 'string') ex.value = e.value;
      if (typeof e.reviewer === 'string') ex.reviewer = e.reviewer;
      policy.exemptions.push(ex);
    });
  }
  if (problems.length > 0) throw new PolicyError(file, problems);
  return policy;
}

/** A policy of hundreds of exemptions is a few hundred KiB; /dev/zero or a FIFO must not be read at all. */
const MAX_POLICY_BYTES = 1024 * 1024;

export async function loadPolicy(file: string, knownRules?: ReadonlySet<string>): Promise<Policy> {
  let text: string;
  try {
    text = (await readBoundedFile(file, MAX_POLICY_BYTES)).toString('utf8');
  } catch (error) {
    throw new PolicyError(file, [`cannot read: ${errorMessage(error)}`]);
  }
  return parsePolicy(text, file, knownRules);
}

export function isExpired(e: ExemptionUse, now: Date): boolean {
  // An exemption is valid through the whole of its expiry day (UTC).
  return now.getTime() >= Date.parse(`${e.expires}T00:00:00Z`) + 24 * 3600 * 1000;
}

/** An exemption matches a finding exactly: same rule and app, and the same container and value whenever the finding has them. */
export function matches(e: ExemptionUse, f: Finding): boolean {
  return e.rule === f.ruleId && e.app === f.app && e.container === f.container && e.value === f.value;
}

export function applyPolicy(
  findings: Finding[],
  policy: Policy | undefined,
  options: { strict: boolean; now: Date },
): { findings: Finding[]; exempted: { finding: Finding; exemption: ExemptionUse }[] } {
  if (!policy || options.strict) return { findings, exempted: [] };
  const active: Finding[] = [];
  const exempted: { finding: Finding; exemption: ExemptionUse }[] = [];
  for (const f of findings) {
    const candidates = policy.exemptions.filter((e) => matches(e, f));
    const valid = candidates.find((e) => !isExpired(e, options.now));
    if (valid) {
      const { reviewer: _r, ...use } = valid as Exemption;
      exempted.push({ finding: f, exemption: use });
    } else if (candidates.length > 0)
      active.push({ ...f, message: `${f.message} (policy exemption expired ${candidates[0]!.expires})` });
    else active.push(f);
  }
  return { findings: active, exempted };
}
