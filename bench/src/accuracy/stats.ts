/** Order statistics and errors against the ground truth for the accuracy report. */

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
export function errors(measured: readonly number[], truth: number, mode: 'relative' | 'absolute' = 'relative'): number[] {
  const relative = mode === 'relative' && truth !== 0;
  return measured.map((v) => (relative ? Math.abs(v - truth) / Math.abs(truth) : Math.abs(v - truth)));
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
  /** True when the figures are differences in the metric's unit, not fractions. */
  absolute: boolean;
}

export function summarise(measured: readonly number[], truth: number, mode: 'relative' | 'absolute' = 'relative'): ErrorSummary {
  const e = errors(measured, truth, mode);
  const m = median(measured);
  return {
    runs: e.length,
    median: median(e),
    p95: quantile(e, 0.95),
    medianShift: errors([m], truth, mode)[0] ?? NaN,
    medianValue: m,
    absolute: mode === 'absolute' || truth === 0,
  };
}
