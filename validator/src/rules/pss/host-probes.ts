import { objectsRule } from '../define.js';
import { allContainers, rec, str } from '../../k8s/pods.js';
import { onContainer } from './draft.js';
import type { Draft } from '../../types.js';

export default objectsRule(
  {
    id: 'NMAAS-PSS-HOST-PROBES',
    title: 'Probe or lifecycle hook targets another host',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 6.5,
    rationale:
      'A probe or hook with `host` makes the kubelet send requests to any address from the node (SSRF from the node\'s network; PSS baseline "Host Probes / Lifecycle Hooks", v1.34+).',
    fix: 'Remove `host` from httpGet/tcpSocket probes and hooks; they target the pod itself.',
  },
  (input) => {
    const out: Draft[] = [];
    for (const c of allContainers(input.objects)) {
      const handlers: [string, unknown][] = [
        ['livenessProbe', c.c.livenessProbe],
        ['readinessProbe', c.c.readinessProbe],
        ['startupProbe', c.c.startupProbe],
        ['lifecycle.postStart', rec(c.c.lifecycle)?.postStart],
        ['lifecycle.preStop', rec(c.c.lifecycle)?.preStop],
      ];
      for (const [where, h] of handlers) {
        for (const kind of ['httpGet', 'tcpSocket']) {
          const host = str(rec(rec(h)?.[kind])?.host);
          if (host !== undefined && host !== '')
            out.push(onContainer(c, `${where}.${kind}.host is ${JSON.stringify(host)}`, host));
        }
      }
    }
    return out;
  },
);
