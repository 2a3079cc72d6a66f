import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { defineMeasurement, runMeasurementOnce, ConfigError, isMeasurement } from './index.js';
import { memorySink } from './logger.js';

const probeDir = fileURLToPath(new URL('../../fixtures/apps/probe', import.meta.url));

describe('runMeasurementOnce', () => {
  it('runs the fixture app once and returns its result and metrics', async () => {
    const probeMain = new URL('../../fixtures/apps/probe/index.mjs', import.meta.url).href;
    const { default: probe } = (await import(probeMain)) as { default: unknown };
    expect(isMeasurement(probe)).toBe(true);
    const logs = memorySink();
    const out = await runMeasurementOnce(probe as Parameters<typeof runMeasurementOnce>[0], {
      appDir: probeDir,
      parameters: { target: 'a.example' },
      logSink: logs.sink,
    });
    expect(out.outcome).toBe('success');
    expect(out.result).toMatchObject({ target: 'a.example', run: 1 });
    expect(out.metricsText).toContain('probe_checks_total{target="a.example"} 1');
    expect(out.metricsText).toContain('nmaas_runs_total{outcome="success"} 1');
    expect(out.metricsText).toMatch(/nmaas_app_info\{app="probe",version="0.3.0"\} 1/);
    expect(logs.records().map((r) => r.msg)).toEqual(['probing', 'run finished']);
  });

  it('reports a throwing measurement as a failure with its message', async () => {
    const m = defineMeasurement(async () => {
      throw new Error('boom');
    });
    const out = await runMeasurementOnce(m, { appDir: probeDir });
    expect(out.outcome).toBe('failure');
    expect(out.error).toBe('Error: boom');
    expect(out.result).toBeNull();
    expect(out.metricsText).toContain('nmaas_runs_total{outcome="failure"} 1');
  });

  it('aborts a run at timeoutSeconds and reports a timeout', async () => {
    const m = defineMeasurement(async (ctx) => {
      await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
    });
    const out = await runMeasurementOnce(m, { appDir: probeDir, timeoutSeconds: 0.05 });
    expect(out.outcome).toBe('timeout');
    expect(out.metricsText).toContain('nmaas_runs_total{outcome="timeout"} 1');
  });

  it('rejects parameters that do not match the declarations, naming the parameter', async () => {
    const m = defineMeasurement(async () => undefined);
    await expect(runMeasurementOnce(m, { appDir: probeDir, parameters: { sleepMs: 'soon' } })).rejects.toThrow(
      ConfigError,
    );
    await expect(runMeasurementOnce(m, { appDir: probeDir, parameters: { sleepMs: 'soon' } })).rejects.toThrow(
      /parameters\.sleepMs: "soon" must be a whole number; expected a whole number from 0 to 600000/,
    );
    await expect(runMeasurementOnce(m, { appDir: probeDir, parameters: { nope: 1 } })).rejects.toThrow(
      /nope is not a parameter of probe/,
    );
  });

  it('throws when the measurement uses an undeclared metric or the wrong type', async () => {
    const undeclared = await runMeasurementOnce(
      defineMeasurement(async (ctx) => void ctx.metrics.counter('nope_total')),
      { appDir: probeDir },
    );
    expect(undeclared.error).toMatch(/metric nope_total is not declared in nmaas.yaml/);
    const wrongType = await runMeasurementOnce(
      defineMeasurement(async (ctx) => void ctx.metrics.gauge('probe_checks_total')),
      { appDir: probeDir },
    );
    expect(wrongType.error).toMatch(/declared as a counter/);
  });
});
