/**
 * Placeholder digests: `catalogue build` refuses an app whose image digest is all zeros (the
 * validator's NMAAS-IMAGE-PLACEHOLDER), and --experimental-images lets it in only marked
 * `catalog.cattle.io/experimental` in Chart.yaml and index.yaml, the findings kept as warnings.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildRefusedError, buildRepository } from './build.js';
import { parseIndex } from './index-file.js';
import { EXPERIMENTAL_ANNOTATION } from './experimental-images.js';
import { copyFullApp, tempDir } from './testing/helpers.js';

describe('apps with a placeholder image digest', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let app: string;
  beforeAll(async () => {
    work = await tempDir();
    app = path.join(work.dir, 'web-qos-full');
    await copyFullApp(app);
    const manifest = await readFile(path.join(app, 'nmaas.yaml'), 'utf8');
    await writeFile(
      path.join(app, 'nmaas.yaml'),
      manifest.replace(/digest: sha256:[a-f0-9]{64}/, `digest: sha256:${'0'.repeat(64)}`),
    );
  });
  afterAll(async () => work?.cleanup());

  it('are refused by catalogue build with the placeholder rule named', async () => {
    const error = await buildRepository({ repoDir: path.join(work.dir, 'refused'), inputs: [app] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BuildRefusedError);
    expect((error as BuildRefusedError).problems.join('\n')).toContain('NMAAS-IMAGE-PLACEHOLDER');
  });

  it('are published only marked experimental with --experimental-images', async () => {
    const repoDir = path.join(work.dir, 'experimental');
    // Warnings from other rules are not what this test is about.
    const result = await buildRepository({ repoDir, inputs: [app], experimentalImages: true, allowWarnings: true });
    const chart = result.charts[0]!;
    expect(chart.findings.filter((f) => f.ruleId === 'NMAAS-IMAGE-PLACEHOLDER').map((f) => f.severity)).toEqual(
      expect.arrayContaining(['warning']),
    );
    expect(chart.findings.some((f) => f.severity === 'error')).toBe(false);
    const index = parseIndex(await readFile(path.join(repoDir, 'index.yaml'), 'utf8'), 'index.yaml');
    expect(index.entries['web-qos-full']![0]!.annotations?.[EXPERIMENTAL_ANNOTATION]).toBe('true');
  });
});
