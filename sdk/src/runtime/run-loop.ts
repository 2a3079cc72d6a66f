/**
 * The run loop inside every app (the cluster scheduler places apps; this starts their runs). Runs start at the wall-clock instants k × every + phase (Unix
 * time), so apps on nodes with synchronised clocks agree on when each runs: that is what lets the
 * cluster scheduler interleave measurements without overlap.
 *
 * - No drift: every wait is computed afresh from the wall clock to the next slot instant; there is
 *   no chained interval whose errors add up.
 * - No overlap: the next slot is only considered once the current run's function has returned.
 * - Skip, never catch up: a slot whose start would be more than `maxLatenessMs` late (the process
 *   was stalled, or a run ignored its abort signal) is skipped and counted, and the run loop moves
 *   on to the next slot still in time; a burst of make-up runs would measure a different network.
 * - Deadline anchored to the slot (scheduled start + duration): a late start shortens the run, it
 *   never pushes it into the next app's reserved window.
 */
import type { Clock } from './clock.js';
import type { JsonLogger } from './logger.js';
import type { RunHandle, RunRequest } from './measurement-run.js';
import type { RunRecord } from './results.js';

export interface ScheduleTiming {
  everyMs: number;
  /** Offset of the slots from multiples of `everyMs` in Unix time; reduced modulo everyMs. */
  phaseMs: number;
  durationMs: number;
  /** Latest acceptable start after a slot instant; later slots are skipped. */
  maxLatenessMs: number;
}

export interface RunLoopOptions {
  timing: ScheduleTiming;
  clock: Clock;
  startRun: (request: RunRequest) => RunHandle;
  /** Called for each batch of skipped slots. */
  onSkip?: (count: number, slotMs: number, reason: string) => void;
  onRecord?: (record: RunRecord) => void;
  log?: JsonLogger;
}

/** Default tolerance: half the run's duration, at most one second. */
export function defaultMaxLatenessMs(durationMs: number): number {
  return Math.min(1000, durationMs / 2);
}

export function validateTiming(t: ScheduleTiming): void {
  const problems: string[] = [];
  if (!(t.everyMs > 0) || !Number.isFinite(t.everyMs))
    problems.push(`every must be a positive number of ms, not ${t.everyMs}`);
  if (!(t.durationMs > 0) || t.durationMs > t.everyMs)
    problems.push(`duration (${t.durationMs} ms) must be positive and at most every (${t.everyMs} ms)`);
  if (!(t.maxLatenessMs >= 0) || t.maxLatenessMs >= t.everyMs)
    problems.push(`maxLateness (${t.maxLatenessMs} ms) must be at least 0 and below every (${t.everyMs} ms)`);
  if (!Number.isFinite(t.phaseMs)) problems.push(`phase must be a number of ms, not ${t.phaseMs}`);
  if (problems.length > 0) throw new RangeError(`invalid schedule: ${problems.join('; ')}`);
}

export class RunLoop {
  private readonly stopping = new AbortController();
  private readonly abortRuns = new AbortController();
  private loopDone: Promise<void> | null = null;
  private runNumber = 0;
  private current: RunHandle | null = null;
  private readonly phaseMs: number;
  /** The next slot the run loop waits for (null before start and after stop). */
  nextSlotMs: number | null = null;

  constructor(private readonly options: RunLoopOptions) {
    validateTiming(options.timing);
    const { everyMs, phaseMs } = options.timing;
    this.phaseMs = ((phaseMs % everyMs) + everyMs) % everyMs;
  }

  /** Instant of slot k. */
  slotAt(k: number): number {
    return k * this.options.timing.everyMs + this.phaseMs;
  }

  /** Index of the first slot at or after `ms`. */
  slotIndexAtOrAfter(ms: number): number {
    return Math.ceil((ms - this.phaseMs) / this.options.timing.everyMs);
  }

  get runsStarted(): number {
    return this.runNumber;
  }

  get running(): boolean {
    return this.current !== null;
  }

  /** Starts the loop; the first slot is the next one at or after now. */
  start(): void {
    if (this.loopDone) throw new Error('run loop already started');
    const k = this.slotIndexAtOrAfter(this.options.clock.now());
    this.nextSlotMs = this.slotAt(k);
    this.loopDone = this.loop(k).catch((error: unknown) => {
      // Runs cannot throw (measurement-run.ts classifies everything); reaching here is an SDK bug: make it loud.
      this.options.log?.error('run loop stopped by an internal error', { error });
      throw error;
    });
  }

  private async loop(firstK: number): Promise<void> {
    const { clock, timing } = this.options;
    const stop = this.stopping.signal;
    let k = firstK;
    while (!stop.aborted) {
      let slotMs = this.slotAt(k);
      this.nextSlotMs = slotMs;
      for (;;) {
        const now = clock.now();
        // The next slot is never more than a period away unless the wall clock went backwards
        // (NTP step, VM restore): re-align on the slots of the clock as it now reads.
        if (slotMs - now > timing.everyMs) {
          k = this.slotIndexAtOrAfter(now);
          this.options.log?.warn('the wall clock stepped backwards; schedule re-aligned', {
            steppedBackSeconds: (slotMs - timing.everyMs - now) / 1000,
            nextRunAt: new Date(this.slotAt(k)).toISOString(),
          });
          slotMs = this.slotAt(k);
          this.nextSlotMs = slotMs;
        }
        if (now >= slotMs || stop.aborted) break;
        await clock.sleepUntil(slotMs, stop);
      }
      if (stop.aborted) break;
      const now = clock.now();
      const late = now - slotMs;
      if (late > timing.maxLatenessMs) {
        this.options.onSkip?.(
          1,
          slotMs,
          `started ${(late / 1000).toFixed(3)} s late (tolerance ${(timing.maxLatenessMs / 1000).toFixed(3)} s)`,
        );
      } else {
        const handle = this.options.startRun({
          number: ++this.runNumber,
          scheduledAtMs: slotMs,
          startedAtMs: now,
          deadlineMs: slotMs + timing.durationMs,
          stop: this.abortRuns.signal,
        });
        this.current = handle;
        const record = await handle.record;
        this.options.onRecord?.(record);
        await handle.settled;
        this.current = null;
      }
      // The next slot still in time; the ones in between passed while we were busy or stalled.
      const after = clock.now();
      const nextK = Math.max(k + 1, this.slotIndexAtOrAfter(after - timing.maxLatenessMs));
      if (nextK > k + 1)
        this.options.onSkip?.(
          nextK - k - 1,
          this.slotAt(k + 1),
          'the previous run was still going (or the process was stalled)',
        );
      k = nextK;
    }
    this.nextSlotMs = null;
  }

  /**
   * Stops scheduling. A run in progress may finish until `graceMs` has passed; then it is
   * aborted (counted as a timeout) and given `abortWaitMs` more to return. Resolves once the loop
   * is over or those waits have passed; never rejects.
   */
  async stop(graceMs: number, abortWaitMs = 1000): Promise<{ abortedRun: boolean; runStillGoing: boolean }> {
    this.stopping.abort();
    if (!this.loopDone) return { abortedRun: false, runStillGoing: false };
    const { clock } = this.options;
    const over = this.loopDone.then(
      () => true,
      () => true,
    );
    const waitFor = async (ms: number): Promise<boolean> => {
      const done = new AbortController();
      const result = await Promise.race([over, clock.sleepUntil(clock.now() + ms, done.signal).then(() => false)]);
      done.abort();
      return result;
    };
    if (await waitFor(graceMs)) return { abortedRun: false, runStillGoing: false };
    this.abortRuns.abort();
    const ended = await waitFor(abortWaitMs);
    return { abortedRun: true, runStillGoing: !ended };
  }

  /** Resolves when the loop has ended (after stop). */
  get done(): Promise<void> {
    return this.loopDone ?? Promise.resolve();
  }
}
