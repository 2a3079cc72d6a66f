import { objectsRule } from '../define.js';
import { objectId } from '../../k8s/pods.js';
import type { Draft } from '../../types.js';

const ROUTE_KINDS = new Set(['Ingress', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute']);
/** ingress-nginx annotations that inject raw nginx configuration (CVE-2021-25742 and its successors). */
const SNIPPET =
  /^nginx\.ingress\.kubernetes\.io\/(configuration-snippet|server-snippet|auth-snippet|stream-snippet|modsecurity-snippet)$|snippet/;

export default objectsRule(
  {
    id: 'NMAAS-INGRESS',
    title: 'Ingress, Gateway or route that exposes the app',
    severity: 'error',
    securitySeverity: 7.0,
    rationale:
      'An Ingress, Gateway or HTTPRoute publishes the app outside the cluster through a shared proxy; an ingress-nginx snippet annotation runs arbitrary proxy configuration that can read every Secret the controller can.',
    fix: 'Remove the object: Prometheus scrapes measurement apps from inside the cluster.',
  },
  (input) => {
    const out: Draft[] = [];
    for (const o of input.objects) {
      const kind = o.object.kind ?? '';
      const base = { object: objectId(o.object), ...(o.source ? { file: o.source } : {}) };
      if (ROUTE_KINDS.has(kind))
        out.push({ ...base, message: `${kind} exposes the app outside the cluster`, value: kind });
      for (const key of Object.keys(o.object.metadata?.annotations ?? {})) {
        if (key.startsWith('nginx.ingress.kubernetes.io/') && SNIPPET.test(key))
          out.push({ ...base, message: `annotation ${key} injects proxy configuration`, value: key });
      }
    }
    return out;
  },
);
