/** NMAAS-IMAGE-MISMATCH: the app container runs exactly the image nmaas.yaml (and its lock) names. */
import { describe, expect, it } from 'vitest';
import { APP_LABEL } from '@nmaas/sdk/contract';
import { parseManifest } from '@nmaas/sdk/model';
import { readFileSync } from 'node:fs';
import rule from './image-matches-manifest.js';
import { deploymentInput } from '../../testing/index.js';
import type { ObjectsInput } from '../../types.js';

const DIGEST = 'sha256:185ffbf011646906e877f16da94c96bb2f583aa5fc0f2595e9a5e24c7a3128a4';
const text = readFileSync(new URL('../../../../examples/web-qos/nmaas.yaml', import.meta.url), 'utf8');

function input(image: string, digest: string | undefined): ObjectsInput {
  const manifest = parseManifest(text);
  manifest.image.digest = digest;
  return deploymentInput(
    { metadata: { labels: { [APP_LABEL]: 'web-qos' } }, spec: { containers: [{ name: 'app', image }] } },
    { manifest },
  );
}

describe('NMAAS-IMAGE-MISMATCH', () => {
  const manifest = parseManifest(text);
  const named = `${manifest.image.repository}:${manifest.image.tag}`;

  it('passes the pinned image, by tag and digest or by digest alone, and flags another digest', () => {
    expect(rule.check(input(`${named}@${DIGEST}`, DIGEST))).toEqual([]);
    expect(rule.check(input(`${manifest.image.repository}@${DIGEST}`, DIGEST))).toEqual([]);
    const other = rule.check(input(`${named}@sha256:${'1a'.repeat(32)}`, DIGEST));
    expect(other).toHaveLength(1);
    expect(other[0]!.message).toContain(`is not nmaas.yaml's ${named}@${DIGEST}`);
  });

  it('without a pinned digest, names the image by tag and leaves the missing pin to NMAAS-IMAGE-DIGEST', () => {
    expect(rule.check(input(named, undefined))).toEqual([]);
    const other = rule.check(input(`${manifest.image.repository}:9.9.9`, undefined));
    expect(other).toHaveLength(1);
    expect(other[0]!.message).toBe(
      `container app: image "${manifest.image.repository}:9.9.9" is not nmaas.yaml's ${named}`,
    );
    expect(other[0]!.message).not.toContain('undefined');
  });
});
