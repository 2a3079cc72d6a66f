import { objectsRule } from '../define.js';
import { allContainers, str } from '../../k8s/pods.js';
import { onContainer } from '../pss/draft.js';

/**
 * True for digests nobody's image has: one character or a short run (`deadbeef`, `0123456789abcdef`)
 * repeated to 64 hex digits. A real sha256 has none of this structure (the chance a random digest
 * is a repetition of a period ≤ 16 is about 16⁻⁴⁸).
 */
export function isPlaceholderDigest(hex: string): boolean {
  for (let period = 1; period <= 16; period *= 2) {
    if (hex.slice(0, period).repeat(64 / period) === hex) return true;
  }
  return false;
}

const DIGEST = /@sha256:([a-f0-9]{64})$/;

export default objectsRule(
  {
    id: 'NMAAS-IMAGE-PLACEHOLDER',
    title: 'Image digest is a placeholder',
    severity: 'error',
    securitySeverity: 5.0,
    rationale:
      'A placeholder digest (all zeros, a repeated pattern) names no image: every install ends in ImagePullBackOff, and whoever later pushes content under it decides what runs.',
    fix:
      'Build the image with `nmaas image build <app-dir>` (it pins the real digest in image.lock.json) and remove the placeholder from nmaas.yaml image.digest; ' +
      'a catalogue may only carry such an app when built with --experimental-images, which marks it experimental.',
  },
  (input) => {
    const drafts = allContainers(input.objects)
      .filter((c) => {
        const hex = DIGEST.exec(str(c.c.image) ?? '')?.[1];
        return hex !== undefined && isPlaceholderDigest(hex);
      })
      .map((c) =>
        onContainer(
          c,
          `image ${JSON.stringify(str(c.c.image))} carries a placeholder digest, not the digest of a built image`,
          str(c.c.image),
        ),
      );
    const declared = input.manifest?.image.digest;
    if (drafts.length === 0 && declared !== undefined && isPlaceholderDigest(declared.slice('sha256:'.length))) {
      drafts.push({
        message: `nmaas.yaml image.digest ${declared} is a placeholder, not the digest of a built image`,
        value: declared,
      });
    }
    return drafts;
  },
);
