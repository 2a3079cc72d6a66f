/**
 * `@nmaas/validator/rules`: every rule's metadata (id, title, severity, PSS level, scope, what it
 * checks, the fix, peer rules), from the one rule list. Tools that mirror the validator's rules
 * elsewhere (admission policies, documentation) import this, never a copy.
 */
import { RULES } from './rules/index.js';
import type { RuleMeta } from './types.js';

export const RULE_METADATA: readonly RuleMeta[] = RULES.map((r) => r.meta);
export const RULE_METADATA_BY_ID: ReadonlyMap<string, RuleMeta> = new Map(RULE_METADATA.map((m) => [m.id, m]));
export { peersText, PEERS, type PeerRules } from './rules/peers.js';
export type { RuleMeta, RuleScope, Severity, PssLevel } from './types.js';
