import { objectsRule } from '../define.js';
import { containers, pods, rec } from '../../k8s/pods.js';
import { onContainer, onPod } from './draft.js';
import type { Draft } from '../../types.js';

export default objectsRule(
  {
    id: 'NMAAS-PSS-HOST-PROCESS',
    title: 'Windows HostProcess container',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 9.0,
    rationale:
      'A HostProcess container runs as a process on the Windows host with full access to it (PSS baseline "HostProcess").',
    fix: 'Remove securityContext.windowsOptions.hostProcess (NMaaS apps run on Linux).',
  },
  (input) => {
    const out: Draft[] = [];
    for (const pod of pods(input.objects)) {
      if (rec(rec(pod.spec.securityContext)?.windowsOptions)?.hostProcess === true)
        out.push(onPod(pod, 'spec.securityContext.windowsOptions.hostProcess is true', 'hostProcess'));
      for (const c of containers(pod)) {
        if (rec(rec(c.c.securityContext)?.windowsOptions)?.hostProcess === true)
          out.push(onContainer(c, 'securityContext.windowsOptions.hostProcess is true', 'hostProcess'));
      }
    }
    return out;
  },
);
