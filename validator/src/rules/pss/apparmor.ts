import { objectsRule } from '../define.js';
import { containers, pods, rec, str } from '../../k8s/pods.js';
import { onContainer, onPod } from './draft.js';
import type { Draft } from '../../types.js';

const ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

export default objectsRule(
  {
    id: 'NMAAS-PSS-APPARMOR',
    title: 'AppArmor profile overridden',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 7.0,
    rationale:
      'Setting AppArmor to unconfined (or any profile but the runtime default or a node-local one) removes a layer that blocks container escapes (PSS baseline "AppArmor").',
    fix: 'Leave appArmorProfile unset or set it to RuntimeDefault.',
  },
  (input) => {
    const out: Draft[] = [];
    const okType = (t: unknown) => t === undefined || t === 'RuntimeDefault' || t === 'Localhost';
    for (const pod of pods(input.objects)) {
      for (const [k, v] of Object.entries(pod.metadata.annotations)) {
        if (k.startsWith(ANNOTATION) && !(v === '' || v === 'runtime/default' || v.startsWith('localhost/'))) {
          out.push(onPod(pod, `annotation ${k} is ${JSON.stringify(v)}`, v));
        }
      }
      const podType = rec(rec(pod.spec.securityContext)?.appArmorProfile)?.type;
      if (!okType(podType))
        out.push(onPod(pod, `spec.securityContext.appArmorProfile.type is ${JSON.stringify(podType)}`, str(podType)));
      for (const c of containers(pod)) {
        const t = rec(rec(c.c.securityContext)?.appArmorProfile)?.type;
        if (!okType(t))
          out.push(onContainer(c, `securityContext.appArmorProfile.type is ${JSON.stringify(t)}`, str(t)));
      }
    }
    return out;
  },
);
