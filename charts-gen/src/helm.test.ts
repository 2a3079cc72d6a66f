import { describe, expect, it } from 'vitest';
import { HELM_VERSIONS, resolveHelm, runHelm } from './helm.js';

describe('real helm through the helper', () => {
  it.each(HELM_VERSIONS)('runs helm %s', async (version) => {
    expect(resolveHelm(version)).toMatch(/helm/);
    const { stdout } = await runHelm(['version', '--short'], { version });
    expect(stdout.trim()).toMatch(new RegExp(`^v${version.replace('.', '\\.')}\\.\\d+`));
  });

  it('reports a failing helm command with its stderr', async () => {
    await expect(runHelm(['lint', '/nonexistent-chart-dir'], { version: '3.17' })).rejects.toThrow(
      /helm lint .* failed/,
    );
  });
});
