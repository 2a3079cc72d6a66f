/**
 * Periods that do not divide the horizon. A node keeps one slot array over the horizon H; a booking
 * whose period P divides H lands there exactly. Any other period (7 min, 2 h, 24 h…) is folded: only
 * its phase modulo g = gcd(P, H) matters against the bookings of the array (two strictly periodic runs
 * meet iff their intervals meet modulo the gcd of their periods), so it is written into the array as a
 * run of min(D, g) slots every g. Pairwise against another booking of period Q that is exact; summed
 * with other folded ones it is conservative (it counts the run at every hour where it falls in some
 * cycle), so the engine may refuse what an hyper-period model would accept, never the other way round.
 * Day periods (whole hours dividing a day) are the exception: among themselves they are read over the
 * real day (NodeState's dayMax and dayProfile).
 */
import { MAX_PERIOD_SECONDS } from '@nmaas/sdk/model';

/** The longest period the engine accepts: the app model's (one day). */
export { MAX_PERIOD_SECONDS };

export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Whether a period is folded onto the horizon's slot array rather than booked into it exactly. */
export function isFolded(every: number, horizon: number): boolean {
  return horizon % every !== 0;
}

/**
 * How a period lands on the slot array: every `step` slots a run of `length` slots. For periods dividing
 * the horizon that is the period and the duration; otherwise the gcd with the horizon, and the run
 * clipped to it (a run as long as the gcd covers every slot in some cycle).
 */
export function slotStep(every: number, duration: number, horizon: number): { step: number; length: number } {
  if (!isFolded(every, horizon)) return { step: every, length: duration };
  const step = gcd(every, horizon);
  return { step, length: Math.min(duration, step) };
}

/** Seconds in a day: the cycle of every period that divides it. */
export const DAY_SECONDS = 86400;

/**
 * Whether a period is longer than the horizon, a whole number of horizons and divides a day (2, 3, 4, 6,
 * 8, 12 or 24 h with the one-hour horizon): such bookings repeat within one day, so their sum with each
 * other can be read exactly over a day instead of folded onto every hour.
 */
export function isDayPeriod(every: number, horizon: number): boolean {
  return every > horizon && every % horizon === 0 && DAY_SECONDS % every === 0;
}
