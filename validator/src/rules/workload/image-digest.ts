import { objectsRule } from '../define.js';
import { allContainers, str } from '../../k8s/pods.js';
import { onContainer } from '../pss/draft.js';

const DIGEST = /@sha256:[a-f0-9]{64}$/;

export default objectsRule(
  {
    id: 'NMAAS-IMAGE-DIGEST',
    title: 'Image not pinned by digest',
    severity: 'error',
    securitySeverity: 7.0,
    rationale:
      'A tag can be moved to other content after review; only a sha256 digest pins the image the reviewers looked at.',
    fix: 'Reference every image as repository:tag@sha256:<digest>. For the app image, `nmaas image build` pins the built digest in image.lock.json and `nmaas chart` writes it into the chart (image.digest in nmaas.yaml for an image built elsewhere).',
  },
  (input) =>
    allContainers(input.objects)
      .filter((c) => !DIGEST.test(str(c.c.image) ?? ''))
      .map((c) =>
        onContainer(
          c,
          `image ${JSON.stringify(str(c.c.image) ?? '(none)')} is not pinned by a sha256 digest`,
          str(c.c.image),
        ),
      ),
);
