import { objectsRule } from '../define.js';
import { allContainers, rec } from '../../k8s/pods.js';
import { onContainer } from '../pss/draft.js';
import type { Draft } from '../../types.js';

export default objectsRule(
  {
    id: 'NMAAS-RESOURCES',
    title: 'CPU or memory request or limit missing',
    severity: 'error',
    securitySeverity: 5.0,
    rationale:
      'The scheduler gives each measurement a slot sized from its declared resources; a container without limits can starve the others on the node and make their results wrong.',
    fix: 'Set resources.requests and resources.limits for cpu and memory on every container (`nmaas chart` derives them from nmaas.yaml).',
  },
  (input) => {
    const out: Draft[] = [];
    // Ephemeral containers cannot have resources (the API forbids them).
    for (const c of allContainers(input.objects, ['containers', 'initContainers'])) {
      const r = rec(c.c.resources);
      const missing: string[] = [];
      for (const kind of ['requests', 'limits'] as const)
        for (const res of ['cpu', 'memory']) if (rec(r?.[kind])?.[res] === undefined) missing.push(`${kind}.${res}`);
      if (missing.length > 0) out.push(onContainer(c, `resources ${missing.join(', ')} not set`, missing.join(',')));
    }
    return out;
  },
);
