import { objectsRule } from '../define.js';
import { arr, containers, pods, rec } from '../../k8s/pods.js';
import { onContainer, onPod } from '../pss/draft.js';
import type { Draft } from '../../types.js';

export default objectsRule(
  {
    id: 'NMAAS-ROOT-GROUP',
    title: 'Pod or container runs with the root group',
    severity: 'error',
    securitySeverity: 6.0,
    rationale:
      'runAsGroup, fsGroup or supplementalGroups 0 gives the process group root, which owns many host-mounted and device files; PSS leaves it open, NMaaS does not.',
    fix: 'Use a non-zero group (charts from `nmaas chart` use 65532).',
  },
  (input) =>
    pods(input.objects).flatMap((pod): Draft[] => {
      const out: Draft[] = [];
      const ctx = rec(pod.spec.securityContext) ?? {};
      for (const k of ['runAsGroup', 'fsGroup'])
        if (ctx[k] === 0) out.push(onPod(pod, `spec.securityContext.${k} is 0`, k));
      if (arr(ctx.supplementalGroups).includes(0))
        out.push(onPod(pod, 'spec.securityContext.supplementalGroups includes 0', 'supplementalGroups'));
      for (const ref of containers(pod))
        if (rec(ref.c.securityContext)?.runAsGroup === 0)
          out.push(onContainer(ref, 'securityContext.runAsGroup is 0', 'runAsGroup'));
      return out;
    }),
);
