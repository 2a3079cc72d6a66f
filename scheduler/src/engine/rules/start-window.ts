/**
 * Start window: an instance of period P starts at (release + k) mod P for 0 ≤ k ≤ min(startWithin, P − 1).
 *  - filter: the phase search tries only those phases (`Shape.release`/`kmax`, fit.ts), and a shape's
 *    any-phase twin carries "no phase at all fits" across start windows;
 *  - phases: every other phase is forbidden;
 *  - refusal: the window in the capacity refusal ("starting between 0:00 and 2:00"), and rule
 *    'start-window' when the closest node is free only outside it;
 *  - checker: `isAllowedPhase`.
 */
import { formatSlot } from '../time.js';

/** Allowed phases, in preference order: (release + k) mod P for 0 ≤ k ≤ min(S, P − 1). */
export function allowedPhases(every: number, startWithin: number, release: number): number[] {
  const kmax = Math.min(startWithin, every - 1);
  const out: number[] = [];
  for (let k = 0; k <= kmax; k++) out.push((((release + k) % every) + every) % every);
  return out;
}

/** The definition. */
export function isAllowedPhase(phase: number, every: number, startWithin: number, release: number): boolean {
  if (!Number.isInteger(phase) || phase < 0 || phase >= every) return false;
  const k = (((phase - release) % every) + every) % every;
  return k <= Math.min(startWithin, every - 1);
}

/** " starting between 0:00 and 2:00 into each period", or "" when any phase is allowed. */
export function describeWindow(w: { earliest: number; latest: number; every: number }): string {
  if (w.earliest === w.latest) return ` starting at ${formatSlot(w.earliest)} into each period`;
  return ((w.latest - w.earliest + w.every) % w.every) + 1 < w.every
    ? ` starting between ${formatSlot(w.earliest)} and ${formatSlot(w.latest)} into each period`
    : '';
}
