import { objectsRule } from '../define.js';
import { addedCapabilities, allContainers, isAppContainer } from '../../k8s/pods.js';
import { onContainer } from '../pss/draft.js';

const NET = new Set(['NET_RAW', 'NET_ADMIN']);

export default objectsRule(
  {
    id: 'NMAAS-CAP-NET-OWN-CONTAINER',
    title: "NET_RAW or NET_ADMIN outside the app's own container",
    severity: 'error',
    securitySeverity: 8.0,
    rationale:
      'NET_RAW and NET_ADMIN let a process forge packets or reconfigure the pod network; a declaration justifies them for the measurement code only, never for a sidecar or init container nobody reviewed.',
    fix: "Add NET_RAW / NET_ADMIN only on the container that runs the app's image (the one nmaas.yaml names).",
  },
  (input) =>
    allContainers(input.objects).flatMap((c) =>
      isAppContainer(c, input.manifest)
        ? []
        : addedCapabilities(c.c)
            .filter((cap) => NET.has(cap.replace(/^CAP_/, '')))
            .map((cap) => onContainer(c, `adds ${cap} but is not the app's own container`, cap)),
    ),
);
