import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runMeasurementOnce } from '@nmaas/sdk';
import measurement from '../src/index.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));

describe('blank-app', () => {
  it('runs once and reports its result and metrics', async () => {
    const run = await runMeasurementOnce(measurement, { appDir, parameters: { greeting: 'hi' } });
    expect(run.error).toBeUndefined();
    expect(run.outcome).toBe('success');
    expect(run.result).toMatchObject({ greeting: 'hi' });
    expect(run.metricsText).toMatch(/^blank_app_runs_total(\{[^}]*\})? 1$/m);
  });
});
