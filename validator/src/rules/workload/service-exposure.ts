import { objectsRule } from '../define.js';
import { arr, objectId, rec, str } from '../../k8s/pods.js';
import type { Draft } from '../../types.js';

export default objectsRule(
  {
    id: 'NMAAS-SERVICE-EXPOSED',
    title: 'Service exposed outside the cluster',
    severity: 'error',
    securitySeverity: 7.0,
    rationale:
      "A NodePort, LoadBalancer or externalIPs Service opens the metrics port on the node owner's network; Prometheus scrapes from inside the cluster.",
    fix: 'Use type ClusterIP (or ExternalName) without externalIPs.',
  },
  (input) => {
    const out: Draft[] = [];
    for (const o of input.objects.filter((x) => x.object.kind === 'Service')) {
      const spec = rec(o.object.spec);
      const type = str(spec?.type) ?? 'ClusterIP';
      const base = { object: objectId(o.object), ...(o.source ? { file: o.source } : {}) };
      // ExternalName is a DNS alias inside the cluster: it opens no port anywhere.
      if (type !== 'ClusterIP' && type !== 'ExternalName')
        out.push({ ...base, message: `Service type is ${type}`, value: type });
      if (arr(spec?.externalIPs).length > 0)
        out.push({ ...base, message: 'Service sets externalIPs', value: 'externalIPs' });
    }
    return out;
  },
);
