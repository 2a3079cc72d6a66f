/**
 * The runtime's only source of time. The scheduler asks it for the wall-clock time and to wait
 * until a wall-clock instant; tests substitute a manual clock and drive time by hand, so every
 * scheduling rule (alignment, no overlap, skip, deadline) is tested without real waiting.
 */
import { performance } from 'node:perf_hooks';

export interface Clock {
  /** Unix time in milliseconds (fractional allowed). */
  now(): number;
  /**
   * Resolves once `now() >= atMs`, or early when `signal` aborts (it then resolves, never rejects:
   * the caller checks the signal) or when the wall clock steps backwards (the caller re-checks
   * `now()` and decides again). Never resolves early otherwise.
   */
  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void>;
}

/** Node's timers wake up to a few ms late under load; the last stretch is waited with setImmediate. */
const SPIN_MS = 2;
/**
 * Node timers run on the monotonic clock and do not notice a wall clock stepped by NTP; long waits
 * are split into chunks so a step is seen within this time.
 */
const MAX_CHUNK_MS = 5_000;
/** A wall clock going back by more than this during a wait counts as a step. */
const STEP_BACK_MS = 500;

/**
 * The real wall clock with sub-millisecond resolution: the monotonic `performance.now()`,
 * re-anchored to `Date.now()` whenever the two disagree by more than Date.now()'s 1 ms
 * truncation, so a stepped system clock (NTP) is followed at once.
 */
export class SystemClock implements Clock {
  private offset = Date.now() + 0.5 - performance.now();

  now(): number {
    const precise = performance.now() + this.offset;
    const coarse = Date.now();
    if (precise < coarse - 0.5 || precise > coarse + 1.5) {
      this.offset = coarse + 0.5 - performance.now();
      return coarse + 0.5;
    }
    return precise;
  }

  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      let timer: NodeJS.Timeout | undefined;
      let immediate: NodeJS.Immediate | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        if (immediate) clearImmediate(immediate);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
      // Recomputed from the wall clock on every wake-up: never a chained interval, so no drift.
      let lastNow = this.now();
      const step = () => {
        timer = undefined;
        immediate = undefined;
        const now = this.now();
        if (now < lastNow - STEP_BACK_MS) return done(); // stepped back: let the caller re-plan
        lastNow = now;
        const left = atMs - now;
        if (left <= 0) return done();
        if (left > SPIN_MS) timer = setTimeout(step, Math.min(left - SPIN_MS, MAX_CHUNK_MS));
        else immediate = setImmediate(step);
      };
      step();
    });
  }
}

export const systemClock: Clock = new SystemClock();

/**
 * A clock that moves only when told (tests). `advance`/`set` wake every sleeper whose instant
 * has come, in order, letting the awaiting code run between wake-ups.
 */
export class ManualClock implements Clock {
  private sleepers: { atMs: number; resolve: () => void }[] = [];

  constructor(private current = 0) {}

  now(): number {
    return this.current;
  }

  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted || atMs <= this.current) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = {
        atMs,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  /** Number of pending sleepers (tests use it to wait until the code under test is parked). */
  get pending(): number {
    return this.sleepers.length;
  }

  /** The earliest instant someone waits for, or null. */
  nextWake(): number | null {
    return this.sleepers.length === 0 ? null : Math.min(...this.sleepers.map((s) => s.atMs));
  }

  /** Moves to `toMs`, waking sleepers one instant at a time and settling promises in between. */
  async set(toMs: number): Promise<void> {
    for (;;) {
      await flush();
      const due = this.sleepers.filter((s) => s.atMs <= toMs).sort((a, b) => a.atMs - b.atMs)[0];
      if (!due) break;
      this.current = Math.max(this.current, due.atMs);
      this.sleepers = this.sleepers.filter((s) => s !== due);
      due.resolve();
    }
    this.current = Math.max(this.current, toMs);
    await flush();
  }

  /**
   * Jumps straight to `toMs` (a stalled process, a suspended VM): every due sleeper wakes at the
   * new, late time, unlike `set`, which wakes each one at its own instant.
   */
  async jump(toMs: number): Promise<void> {
    this.current = Math.max(this.current, toMs);
    await this.set(toMs);
  }

  /**
   * Time passing inside synchronous code: moves now() by `ms` without waking anyone (no timer can
   * fire while the event loop is blocked); sleepers wake on the next set/advance/jump.
   */
  spend(ms: number): void {
    this.current += ms;
  }

  /** The wall clock stepped backwards (NTP): every sleeper wakes early, as SystemClock's do. */
  async stepBack(toMs: number): Promise<void> {
    this.current = toMs;
    const woken = this.sleepers;
    this.sleepers = [];
    for (const s of woken) s.resolve();
    await flush();
  }

  advance(ms: number): Promise<void> {
    return this.set(this.current + ms);
  }
}

/** Lets pending promise chains run (several macrotask turns, so awaits nested a few deep settle). */
export async function flush(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}
