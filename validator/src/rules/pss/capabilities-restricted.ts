import { objectsRule } from '../define.js';
import { addedCapabilities, allContainers, arr, isDeclaredOnAppContainer, rec } from '../../k8s/pods.js';
import { BASELINE_CAPABILITIES } from './capabilities-baseline.js';
import { onContainer } from './draft.js';
import type { Draft } from '../../types.js';

export default objectsRule(
  {
    id: 'NMAAS-PSS-CAPABILITIES-RESTRICTED',
    title: 'Capabilities not dropped, or added beyond NET_BIND_SERVICE',
    severity: 'error',
    pss: 'restricted',
    securitySeverity: 6.0,
    rationale:
      'Restricted pods drop ALL capabilities and may add back only NET_BIND_SERVICE: a compromised process then holds no kernel privilege (PSS restricted "Capabilities").',
    fix: 'Set securityContext.capabilities.drop: [ALL] on every container and add only what nmaas.yaml declares.',
  },
  (input) => {
    const out: Draft[] = [];
    for (const c of allContainers(input.objects)) {
      const drop = arr(rec(rec(c.c.securityContext)?.capabilities)?.drop);
      if (!drop.includes('ALL'))
        out.push(onContainer(c, 'securityContext.capabilities.drop does not include ALL', 'drop'));
      for (const cap of addedCapabilities(c.c)) {
        const bare = cap.replace(/^CAP_/, '');
        // Capabilities outside the baseline set are NMAAS-PSS-CAPABILITIES-BASELINE's finding.
        if (bare === 'NET_BIND_SERVICE' || !BASELINE_CAPABILITIES.has(bare)) continue;
        if (isDeclaredOnAppContainer(c, cap, input.manifest))
          out.push({
            ...onContainer(c, `adds capability ${cap}, beyond PSS restricted; declared in nmaas.yaml`, cap),
            severity: 'info',
          });
        else out.push(onContainer(c, `adds capability ${cap}; PSS restricted allows only NET_BIND_SERVICE`, cap));
      }
    }
    return out;
  },
);
