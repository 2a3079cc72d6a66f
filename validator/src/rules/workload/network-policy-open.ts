import { objectsRule } from '../define.js';
import { arr, objectId, rec } from '../../k8s/pods.js';
import type { Draft } from '../../types.js';

/** An ingress rule that admits every source: no `from`, an empty `from`, or a peer that is an empty selector or 0.0.0.0/0. */
function admitsAll(rule: Record<string, unknown>): boolean {
  const from = rule.from;
  if (from === undefined || from === null || (Array.isArray(from) && from.length === 0)) return true;
  return arr(from).some((peer) => {
    const p = rec(peer) ?? {};
    const cidr = rec(p.ipBlock)?.cidr;
    if (cidr === '0.0.0.0/0' || cidr === '::/0') return true;
    const ns = rec(p.namespaceSelector);
    // namespaceSelector: {} alone is every pod of every namespace.
    return ns !== undefined && Object.keys(ns).length === 0 && p.podSelector === undefined;
  });
}

export default objectsRule(
  {
    id: 'NMAAS-NETWORK-POLICY-OPEN',
    title: 'NetworkPolicy that does not isolate ingress',
    severity: 'error',
    securitySeverity: 6.0,
    rationale:
      'A NetworkPolicy that leaves out Ingress from its policyTypes (with egress rules only), or whose ingress rule admits every source, selects the pods without isolating them: any neighbour can reach them.',
    fix: 'List Ingress in policyTypes and admit only the monitoring namespace on the metrics port.',
  },
  (input) => {
    const out: Draft[] = [];
    for (const o of input.objects.filter((x) => x.object.kind === 'NetworkPolicy')) {
      const spec = rec(o.object.spec) ?? {};
      const types = arr(spec.policyTypes);
      // Kubernetes' default policyTypes: Ingress, plus Egress when egress rules are given.
      const isolatesIngress = types.length === 0 ? true : types.includes('Ingress');
      const base = { object: objectId(o.object), ...(o.source ? { file: o.source } : {}) };
      if (!isolatesIngress)
        out.push({
          ...base,
          message: 'policyTypes leaves out Ingress: the selected pods take traffic from anywhere',
          value: 'policyTypes',
        });
      else if (
        arr(spec.ingress)
          .map(rec)
          .some((r) => r !== undefined && admitsAll(r))
      )
        out.push({ ...base, message: 'an ingress rule admits every source', value: 'ingress' });
    }
    return out;
  },
);
