/** Order statistics and errors against the ground truth for the accuracy report. */
import { Random } from '@nmaas/scheduler';

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/**
 * Error of each measured value against the ground truth (the median of the alone runs).
 * `relative`: as a fraction of the truth, for quantities with a scale (times, throughputs); a
 * truth of 0 falls back to the absolute difference so a run that is off is never hidden.
 * `absolute`: the difference in the metric's own unit, for counts and small offsets whose
 * truth is (near) zero (stalls, start lateness), where a ratio would explode.
 */
export function errors(
  measured: readonly number[],
  truth: number,
  mode: 'relative' | 'absolute' = 'relative',
): number[] {
  const relative = mode === 'relative' && truth !== 0;
  return measured.map((v) => (relative ? Math.abs(v - truth) / Math.abs(truth) : Math.abs(v - truth)));
}

/** Seeded draws (the scheduler's mulberry32 `Random`): the bootstrap must give the same interval for the same data. */
export function seededRandom(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}

/**
 * 95 % bootstrap interval of the signed shift of a set-up's median against the alone median
 * (relative: (m − t) / t; absolute: m − t), resampling both sets of runs. It says whether a
 * shift of a few percent is more than the run-to-run noise of n runs can produce.
 */
export function shiftInterval(
  measured: readonly number[],
  alone: readonly number[],
  mode: 'relative' | 'absolute',
  iterations = 2000,
  seed = 11,
): [number, number] {
  if (measured.length === 0 || alone.length === 0) return [NaN, NaN];
  const random = seededRandom(seed);
  const resample = (xs: readonly number[]) => xs.map(() => xs[Math.floor(random() * xs.length)]!);
  const shifts: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const m = median(resample(measured));
    const t = median(resample(alone));
    shifts.push(mode === 'relative' && t !== 0 ? (m - t) / Math.abs(t) : m - t);
  }
  return [quantile(shifts, 0.025), quantile(shifts, 0.975)];
}

export interface ErrorSummary {
  runs: number;
  /** Median and 95th percentile of the per-run errors. */
  median: number;
  p95: number;
  /** Error of the set-up's median value against the truth (how far its typical run is off). */
  medianShift: number;
  /** The set-up's median value, in the metric's unit. */
  medianValue: number;
  /** Signed shift of the median (relative or in the unit) and its 95 % bootstrap interval. */
  signedShift: number;
  shiftInterval: [number, number];
  /** True when the figures are differences in the metric's unit, not fractions. */
  absolute: boolean;
}

export function summarise(
  measured: readonly number[],
  truth: number,
  mode: 'relative' | 'absolute' = 'relative',
  alone: readonly number[] = [truth],
): ErrorSummary {
  const e = errors(measured, truth, mode);
  const m = median(measured);
  const relative = mode === 'relative' && truth !== 0;
  return {
    runs: e.length,
    median: median(e),
    p95: quantile(e, 0.95),
    medianShift: errors([m], truth, mode)[0] ?? NaN,
    medianValue: m,
    signedShift: relative ? (m - truth) / Math.abs(truth) : m - truth,
    shiftInterval: shiftInterval(measured, alone, relative ? 'relative' : 'absolute'),
    absolute: mode === 'absolute' || truth === 0,
  };
}
