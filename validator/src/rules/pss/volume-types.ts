import { objectsRule } from '../define.js';
import { arr, pods, rec, str } from '../../k8s/pods.js';
import { onPod } from './draft.js';

const ALLOWED = new Set([
  'configMap',
  'downwardAPI',
  'emptyDir',
  'projected',
  'secret',
  'csi',
  'persistentVolumeClaim',
  'ephemeral',
  'image',
]);

export default objectsRule(
  {
    id: 'NMAAS-PSS-VOLUME-TYPES',
    title: 'Volume type outside the restricted list',
    severity: 'error',
    pss: 'restricted',
    securitySeverity: 6.5,
    rationale:
      'Volume types other than configMap, downwardAPI, emptyDir, projected, secret, csi, persistentVolumeClaim, ephemeral and image reach node or network storage directly (PSS restricted "Volume Types").',
    fix: 'Use emptyDir for scratch space and configMap for configuration.',
  },
  (input) =>
    pods(input.objects).flatMap((pod) =>
      arr(pod.spec.volumes).flatMap((v) => {
        const r = rec(v) ?? {};
        // hostPath is reported by NMAAS-PSS-HOST-PATH; one finding per mistake.
        const types = Object.keys(r).filter(
          (k) => k !== 'name' && k !== 'hostPath' && !ALLOWED.has(k) && r[k] !== null,
        );
        return types.map((t) => onPod(pod, `volume ${str(r.name) ?? '?'} has type ${t}`, t));
      }),
    ),
);
