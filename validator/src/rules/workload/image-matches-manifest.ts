import { objectsRule } from '../define.js';
import { allContainers, isMeasurementPodRef, str } from '../../k8s/pods.js';
import { onContainer, onPod } from '../pss/draft.js';
import { pods } from '../../k8s/pods.js';
import type { Draft } from '../../types.js';

export default objectsRule(
  {
    id: 'NMAAS-IMAGE-MISMATCH',
    title: 'App container image differs from nmaas.yaml',
    severity: 'error',
    securitySeverity: 7.0,
    rationale:
      'Reviewers approve the image nmaas.yaml pins (repository and digest); a chart running another image ships code nobody reviewed.',
    fix: 'Regenerate the chart with `nmaas chart`, or make the app container image equal image.repository:tag@digest from nmaas.yaml.',
  },
  (input) => {
    const m = input.manifest;
    if (!m) return [];
    const out: Draft[] = [];
    const { repository, tag, digest } = m.image;
    // Without a digest (no image.lock.json yet) the image must still be nmaas.yaml's; NMAAS-IMAGE-DIGEST
    // reports the missing pin.
    const expected = digest === undefined ? `${repository}:${tag}` : `${repository}:${tag}@${digest}`;
    const accepted = digest === undefined ? [expected] : [expected, `${repository}@${digest}`];
    for (const pod of pods(input.objects).filter(isMeasurementPodRef)) {
      const cs = allContainers([pod.rendered], ['containers']);
      const match = cs.find((c) => accepted.includes(str(c.c.image) ?? ''));
      if (match) continue;
      const same = cs.find(
        (c) =>
          (str(c.c.image) ?? '').startsWith(`${repository}:`) || (str(c.c.image) ?? '').startsWith(`${repository}@`),
      );
      if (same)
        out.push(
          onContainer(
            same,
            `image ${JSON.stringify(str(same.c.image))} is not nmaas.yaml's ${expected}`,
            str(same.c.image),
          ),
        );
      else out.push(onPod(pod, `no container runs nmaas.yaml's image ${expected}`, expected));
    }
    return out;
  },
);
