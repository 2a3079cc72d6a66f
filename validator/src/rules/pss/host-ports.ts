import { objectsRule } from '../define.js';
import { allContainers, arr, rec } from '../../k8s/pods.js';
import { onContainer } from './draft.js';

export default objectsRule(
  {
    id: 'NMAAS-PSS-HOST-PORTS',
    title: 'Container binds a host port',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 7.0,
    rationale:
      'A hostPort opens a port on the node owner\'s address, bypassing NetworkPolicy and colliding with their services (PSS baseline "Host Ports").',
    fix: 'Remove hostPort; Prometheus scrapes the metrics port through the pod network.',
  },
  (input) =>
    allContainers(input.objects).flatMap((c) =>
      arr(c.c.ports)
        .map(rec)
        .filter((p) => typeof p?.hostPort === 'number' && p.hostPort !== 0)
        .map((p) => onContainer(c, `ports: hostPort ${String(p!.hostPort)}`, String(p!.hostPort))),
    ),
);
