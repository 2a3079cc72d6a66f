/**
 * Pod Security Admission at a namespace's level, by the validator's own PSS rules (one module
 * per PSS control, tested there): the rules tagged with the level, run on the pod alone. PSA knows
 * nothing of nmaas.yaml, so they run without a manifest: no declared capability is accepted.
 */
import { RULES, type ObjectsRule, type PssLevel } from '@nmaas/validator';

export interface PssFinding {
  rule: string;
  message: string;
}

const LEVELS: Record<PssLevel, readonly PssLevel[]> = { baseline: ['baseline'], restricted: ['baseline', 'restricted'] };

/** The validator's object rules that implement the PSS controls of `level` (restricted includes baseline). */
export function pssRules(level: PssLevel): ObjectsRule[] {
  return RULES.filter((r): r is ObjectsRule => r.meta.scope === 'objects' && r.meta.pss !== undefined && LEVELS[level].includes(r.meta.pss));
}

/** What PSA enforcing `level` would refuse in this Pod (or workload: its pod template is checked). */
export function podSecurityFindings(object: Record<string, unknown>, level: PssLevel): PssFinding[] {
  const input = { objects: [{ object, valueSets: ['admission'] }], valueSet: 'admission', namespace: '', allowedRegistries: [] };
  return pssRules(level).flatMap((rule) =>
    rule
      .check(input)
      .filter((d) => d.severity !== 'info')
      .map((d) => ({ rule: rule.meta.id, message: d.message })),
  );
}
