import { objectsRule } from '../define.js';
import { arr, containers, objectId, pods, rec } from '../../k8s/pods.js';
import { onContainer, onPod } from '../pss/draft.js';
import type { Draft } from '../../types.js';

export default objectsRule(
  {
    id: 'NMAAS-NODE-STORAGE',
    title: "Unbounded use of the node owner's disk",
    severity: 'warning',
    securitySeverity: 4.0,
    rationale:
      'Measurement nodes belong to other people: an emptyDir without sizeLimit or a container without an ephemeral-storage limit can fill their disk, and a PersistentVolumeClaim keeps storage after the app is gone.',
    fix: 'Give every emptyDir a sizeLimit and every container a resources.limits.ephemeral-storage; keep results in the metrics, not in volumes.',
  },
  (input) => {
    const out: Draft[] = [];
    for (const o of input.objects.filter((x) => x.object.kind === 'PersistentVolumeClaim')) {
      out.push({
        message: 'PersistentVolumeClaim keeps storage beyond the measurement',
        object: objectId(o.object),
        value: 'PersistentVolumeClaim',
        ...(o.source ? { file: o.source } : {}),
      });
    }
    for (const pod of pods(input.objects)) {
      for (const v of arr(pod.spec.volumes).map(rec)) {
        const dir = rec(v?.emptyDir);
        if (dir && dir.sizeLimit === undefined)
          out.push(onPod(pod, `emptyDir volume ${String(v?.name)} has no sizeLimit`, String(v?.name)));
      }
      for (const ref of containers(pod, ['containers', 'initContainers'])) {
        // A note: the kubelet evicts on the pod's emptyDir limits too, and charts rarely set this yet.
        if (rec(rec(ref.c.resources)?.limits)?.['ephemeral-storage'] === undefined) {
          out.push({
            ...onContainer(
              ref,
              'no resources.limits.ephemeral-storage: its writable layer and logs can grow without bound',
              'ephemeral-storage',
            ),
            severity: 'info',
          });
        }
      }
    }
    return out;
  },
);
