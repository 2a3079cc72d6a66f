/** `nmaas validate --list-rules`: the rule catalogue, as text or JSON. */
import type { RuleMeta } from '../types.js';
import { peersText } from '../rules/peers.js';

export function listRulesText(rules: readonly RuleMeta[]): string {
  const out: string[] = [];
  let scope = '';
  for (const meta of rules) {
    if (meta.scope !== scope) {
      scope = meta.scope;
      out.push(
        '',
        `${scope === 'archive' ? 'Archive safety (before unpacking)' : scope === 'chart' ? 'Chart structure' : 'Rendered objects (helm template, defaults and form bounds)'}:`,
      );
    }
    out.push(`  ${meta.id}  [${meta.severity}${meta.pss ? `, PSS ${meta.pss}` : ''}]  ${meta.title}`);
    out.push(`      why: ${meta.rationale}`);
    out.push(`      fix: ${meta.fix}`);
    const peers = peersText(meta.peers);
    if (peers !== '') out.push(`      peers: ${peers}`);
  }
  return out.join('\n').trimStart() + '\n';
}

export function listRulesJson(rules: readonly RuleMeta[]): object[] {
  return rules.map((meta) => ({ ...meta }));
}
