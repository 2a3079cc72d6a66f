/**
 * When a placed measurement pod may be evicted: never during its run. Runs start at `phase` seconds
 * into each period, counted from the Unix epoch (as the sdk runtime counts them), and last
 * `duration` seconds. A pod whose run starts within `guardSeconds` also counts as running: its
 * eviction and graceful termination would overlap the run.
 */
export interface RunSchedule {
  every: number;
  duration: number;
}

/** Milliseconds from `nowMs` until the pod is idle with `guardSeconds` before its next run; 0 when it is idle now. */
export function msUntilIdle(schedule: RunSchedule, phase: number, nowMs: number, guardSeconds: number): number {
  const { every, duration } = schedule;
  // Idle time in each period: from the end of a run to `guard` before the next; none when the run fills it.
  if (duration + guardSeconds >= every) return Number.POSITIVE_INFINITY;
  const position = (((nowMs / 1000 - phase) % every) + every) % every; // seconds since this period's run started
  const idleFrom = duration;
  const idleUntil = every - guardSeconds;
  if (position >= idleFrom && position < idleUntil) return 0;
  const wait = position < idleFrom ? idleFrom - position : every - position + idleFrom;
  return Math.ceil(wait * 1000);
}
