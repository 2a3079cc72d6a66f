import { describe, expect, it } from 'vitest';
import { errors, median, quantile, seededRandom, shiftInterval, summarise } from './stats.js';

describe('accuracy statistics', () => {
  it('interpolates quantiles like numpy (linear)', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10], 0.95)).toBe(10);
    expect(quantile([1, 2, 3, 4, 5], 0.95)).toBeCloseTo(4.8);
    expect(quantile([5, 1, 4, 2, 3], 0)).toBe(1);
    expect(Number.isNaN(median([]))).toBe(true);
  });
  it('gives relative errors, or absolute ones when the truth is zero', () => {
    expect(errors([110, 90], 100)).toEqual([0.1, 0.1]);
    expect(errors([2, 0], 0)).toEqual([2, 0]);
    expect(summarise([100, 102, 150], 100)).toMatchObject({ runs: 3, median: 0.02, absolute: false, medianValue: 102 });
  });
  it('gives absolute errors in the unit when asked, whatever the truth', () => {
    expect(errors([0.004, 0.001], 0.002, 'absolute').map((x) => Math.round(x * 1e6))).toEqual([2000, 1000]);
    const s = summarise([1, 1, 3], 1, 'absolute');
    expect(s).toMatchObject({ runs: 3, median: 0, absolute: true, medianShift: 0 });
    expect(s.p95).toBeCloseTo(1.8);
  });
  it('separates the typical shift from the spread of single runs', () => {
    // Same median as the truth, but each run is 10 % off: per-run error 10 %, shift 0.
    const s = summarise([90, 100, 110], 100);
    expect(s.medianShift).toBe(0);
    expect(s.median).toBeCloseTo(0.1);
  });

  it('bootstraps a deterministic interval of the median shift', () => {
    const alone = [100, 101, 99, 102, 98, 100, 101, 99];
    const same = shiftInterval([99, 100, 101, 100, 102, 98, 100, 99], alone, 'relative');
    expect(same[0]).toBeLessThanOrEqual(0);
    expect(same[1]).toBeGreaterThanOrEqual(0);
    expect(shiftInterval([99, 100, 101, 100, 102, 98, 100, 99], alone, 'relative')).toEqual(same);
    const slower = shiftInterval([130, 131, 129, 132, 128, 130, 131, 129], alone, 'relative');
    expect(slower[0]).toBeGreaterThan(0.25);
    expect(slower[1]).toBeLessThan(0.35);
    expect(shiftInterval([], alone, 'absolute').every(Number.isNaN)).toBe(true);
    const r = seededRandom(1);
    const xs = Array.from({ length: 1000 }, r);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });
  it('reports a signed shift', () => {
    expect(summarise([90, 90, 90], 100, 'relative', [100, 100])).toMatchObject({
      signedShift: -0.1,
      shiftInterval: [-0.1, -0.1],
    });
  });
});
