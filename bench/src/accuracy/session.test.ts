import { describe, expect, it } from 'vitest';
import { METRICS, samples } from './extract.js';
import { parseArgs, roundOrder } from './main.js';
import { recordsInWindow, type RunRecordJson } from './session.js';
import { staleBedIds, tbfArgs } from './testbed.js';

const rec = (scheduledAtMs: number, extra: Partial<RunRecordJson> = {}): RunRecordJson => ({
  run: 1,
  scheduledAt: new Date(scheduledAtMs).toISOString(),
  startedAt: new Date(scheduledAtMs).toISOString(),
  endedAt: new Date(scheduledAtMs + 1000).toISOString(),
  outcome: 'success',
  durationSeconds: 1,
  latenessSeconds: 0,
  ...extra,
});

describe('session plumbing', () => {
  it('counts only the runs scheduled inside the session window', () => {
    const origin = 1_700_000_004_000;
    const records = [rec(origin - 4000), rec(origin), rec(origin + 11_000), rec(origin + 24_000), rec(origin + 36_000)];
    expect(recordsInWindow(records, origin, 3, 12).map((r) => Date.parse(r.scheduledAt) - origin)).toEqual([
      0, 11_000, 24_000,
    ]);
  });

  it('reads no value from failed runs, and a lateness from every run', () => {
    const ttfb = METRICS.find((m) => m.id === 'web.ttfb')!;
    const lateness = METRICS.find((m) => m.id === 'web.lateness')!;
    const records = [
      rec(0, {
        result: { probes: [{ success: true, bodyBytes: 10, phases: { processing: 0.02, transfer: 0.1 } }] },
        latenessSeconds: 0.001,
      }),
      rec(0, { result: { probes: [{ success: false, bodyBytes: 0, phases: { processing: 0, transfer: 0 } }] } }),
      rec(0, { outcome: 'timeout', latenessSeconds: 0.2 }),
    ];
    expect(samples(ttfb, records)).toEqual({ values: [0.02], runs: 3, missing: 2 });
    expect(samples(lateness, records).values).toEqual([0.001, 0, 0.2]);
  });

  it('rotates the session order across rounds', () => {
    expect(roundOrder(0)).toEqual(['alone-web', 'alone-stream', 'overlap', 'nmaas']);
    expect(roundOrder(1)).toEqual(['alone-stream', 'overlap', 'nmaas', 'alone-web']);
    expect(new Set([0, 1, 2, 3].map((r) => roundOrder(r)[0])).size).toBe(4);
  });

  it('parses its options and rejects bad ones', () => {
    expect(parseArgs(['--rounds', '2', '--periods', '5', '--rate', '30'])).toMatchObject({
      rounds: 2,
      periodsPerSession: 5,
      rateMbit: 30,
    });
    expect(() => parseArgs(['--rounds', 'x'])).toThrow(/whole number/);
    expect(() => parseArgs(['--periods', '21'])).toThrow(/at most 20/);
    expect(() => parseArgs(['--bogus'])).toThrow(/unknown option/);
  });

  it('finds beds whose bench is gone, and sizes the token bucket', () => {
    const list = 'nmaas-acc-c-123 (id: 4)\nnmaas-acc-s-123 (id: 5)\nnmaas-acc-c-77\nnmsp-s-30710\n';
    expect(staleBedIds(list, (pid) => pid === 77)).toEqual(['123']);
    expect(tbfArgs(25)).toEqual(['root', 'tbf', 'rate', '25mbit', 'burst', '31250', 'latency', '200ms']);
    expect(tbfArgs(1)[5]).toBe('16384');
  });
});
