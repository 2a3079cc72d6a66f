/**
 * Which measurement periods the app model accepts. The scheduler plans one horizon (an hour) slot by
 * slot; a period dividing it repeats exactly inside it. Longer or odd periods (7m, 2h, 24h) are folded
 * onto the horizon by the scheduler, which stays exact and bounded for whole minutes up to a day: their
 * common cycle with the hour stays short enough to check. Seconds that neither divide the hour nor make
 * whole minutes (7s, 61s) would make that cycle explode, and nobody measures on such a clock.
 */
import { DEFAULT_HORIZON_SECONDS } from './schema.js';
import { formatDuration } from './quantities.js';

/** The longest period an app may declare: one day. */
export const MAX_PERIOD_SECONDS = 86400;

/** What is wrong with a period given in seconds (without the value itself), or null when it is accepted. */
export function periodProblem(seconds: number, horizonSeconds = DEFAULT_HORIZON_SECONDS): string | null {
  if (!Number.isInteger(seconds) || seconds < 1)
    return 'is not a whole number of seconds; the scheduler works in 1-second slots';
  if (seconds > MAX_PERIOD_SECONDS)
    return 'is longer than one day; the longest period is 24h (run daily and let the app skip the days it does not need)';
  if (horizonSeconds % seconds !== 0 && seconds % 60 !== 0)
    return `neither divides the scheduling horizon (${formatDuration(horizonSeconds)}) nor is a whole number of minutes; pick a period such as 30s, 1m, 7m, 2h or 24h`;
  return null;
}
