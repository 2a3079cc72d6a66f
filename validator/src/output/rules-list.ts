/** `nmaas validate --list-rules`: the rule catalogue, as text or JSON. */
import type { Rule } from '../types.js';
import { peersText } from '../rules/peers.js';

export function listRulesText(rules: readonly Rule[]): string {
  const out: string[] = [];
  let scope = '';
  for (const r of rules) {
    if (r.meta.scope !== scope) {
      scope = r.meta.scope;
      out.push(
        '',
        `${scope === 'archive' ? 'Archive safety (before unpacking)' : scope === 'chart' ? 'Chart structure' : 'Rendered objects (helm template, defaults and form bounds)'}:`,
      );
    }
    out.push(`  ${r.meta.id}  [${r.meta.severity}${r.meta.pss ? `, PSS ${r.meta.pss}` : ''}]  ${r.meta.title}`);
    out.push(`      why: ${r.meta.rationale}`);
    out.push(`      fix: ${r.meta.fix}`);
    const peers = peersText(r.meta.peers);
    if (peers !== '') out.push(`      peers: ${peers}`);
  }
  return out.join('\n').trimStart() + '\n';
}

export function listRulesJson(rules: readonly Rule[]): object[] {
  return rules.map((r) => ({ ...r.meta }));
}
