/**
 * The README's local recipe for the webhook, as a developer runs it: `nmaas chart` an app,
 * `nmaas scheduler review` its chart, `nmaas scheduler serve --dev`, then the curl line the
 * review command prints, with real helm, openssl and curl. Also: serve --dev removes its
 * throwaway certificate (a private key) when it stops.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempDirs, tool } from '@nmaas/sdk/testing';
import { REPO_ROOT, startDevServe } from './testing.js';
import { curlLine } from './review-command.js';

const run = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'cli', 'dist', 'main.js');
const openssl = tool('openssl', 'apt-get install openssl');
const curl = tool('curl', 'apt-get install curl');
const temp = new TempDirs('review');

async function nmaas(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(() => {
  execFileSync('npx', ['tsc', '-b', 'cli'], { cwd: REPO_ROOT, stdio: 'inherit' });
}, 600_000);
afterAll(() => temp.removeAll());

describe('nmaas scheduler review', () => {
  it('needs a chart folder and says how to make one', async () => {
    const dir = await temp.make();
    const result = await nmaas('scheduler', 'review', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${dir} is not a chart folder (no Chart.yaml); make the chart first (npm run chart`,
    );
  });

  it.skipIf(openssl.skip || curl.skip)(
    'prints the review of the rendered pod; the printed curl line gets a placement from serve --dev',
    { timeout: 180_000 },
    async () => {
      const dir = await temp.make();
      const charted = await nmaas('chart', path.join(REPO_ROOT, 'examples', 'web-qos'), '-o', path.join(dir, 'chart'));
      expect(charted.code, charted.stderr).toBe(0);
      const chartDir = path.join(dir, 'chart', 'web-qos');
      const reviewFile = path.join(dir, 'review.json');
      const printed = await nmaas('scheduler', 'review', chartDir, '-o', reviewFile);
      expect(printed.code, printed.stderr).toBe(0);
      expect(printed.stderr).toContain(curlLine('https://127.0.0.1:8443', reviewFile));
      const review = JSON.parse(await readFile(reviewFile, 'utf8')) as {
        kind: string;
        request: { operation: string; object: { kind: string; metadata: { labels: Record<string, string> } } };
      };
      expect(review).toMatchObject({
        kind: 'AdmissionReview',
        request: { operation: 'CREATE', object: { kind: 'Pod' } },
      });
      expect(review.request.object.metadata.labels['nmaas.io/app']).toBe('web-qos');

      const served = await startDevServe();
      const ca = served.ca;
      let exitCode: number | null = null;
      try {
        // The printed line, pointed at the port this test's server got, run by a shell as typed.
        const { stdout } = await run('sh', ['-c', curlLine(served.url, reviewFile)], { timeout: 30_000 });
        expect(stdout).toMatch(/"response"/);
        const answer = JSON.parse(stdout) as { response: { allowed: boolean; patchType?: string; patch?: string } };
        expect(answer.response.allowed).toBe(true);
        const patch = JSON.parse(Buffer.from(answer.response.patch ?? '', 'base64').toString('utf8')) as {
          path: string;
          value?: unknown;
        }[];
        expect(JSON.stringify(patch)).toContain('NMAAS_PHASE_SECONDS');
        expect(JSON.stringify(patch)).toMatch(/edge-\d|core-\d/);
      } finally {
        exitCode = await served.stop();
      }
      expect(exitCode).toBe(0);
      expect(ca).not.toBe('');
      expect(existsSync(path.dirname(ca))).toBe(false);
    },
  );
});
