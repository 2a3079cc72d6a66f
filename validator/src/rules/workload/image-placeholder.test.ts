/** NMAAS-IMAGE-PLACEHOLDER: zero and patterned digests are refused, real ones pass. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import rule, { isPlaceholderDigest } from './image-placeholder.js';
import { deploymentInput } from '../../testing/index.js';
import type { ObjectsInput } from '../../types.js';

function input(image: string): ObjectsInput {
  return deploymentInput({ metadata: {}, spec: { containers: [{ name: 'app', image }] } });
}

describe('NMAAS-IMAGE-PLACEHOLDER', () => {
  it('flags the all-zero digest the examples used to carry, and other repeated patterns', () => {
    for (const hex of [
      '0'.repeat(64),
      'f'.repeat(64),
      'deadbeef'.repeat(8),
      '0123456789abcdef'.repeat(4),
      'ab'.repeat(32),
    ]) {
      expect(isPlaceholderDigest(hex), hex).toBe(true);
      const drafts = rule.check(input(`ghcr.io/nmaas/app:1.0.0@sha256:${hex}`));
      expect(drafts).toHaveLength(1);
      expect(drafts[0]!.message).toContain('placeholder digest');
    }
  });

  it('passes the digests of real content and leaves missing digests to NMAAS-IMAGE-DIGEST', () => {
    for (let i = 0; i < 200; i++) {
      const hex = createHash('sha256').update(`layer ${i}`).digest('hex');
      expect(isPlaceholderDigest(hex)).toBe(false);
      expect(rule.check(input(`ghcr.io/nmaas/app:1.0.0@sha256:${hex}`))).toEqual([]);
    }
    expect(rule.check(input('ghcr.io/nmaas/app:1.0.0'))).toEqual([]);
  });
});
