import { describe, expect, it } from 'vitest';
import { ManualClock, flush } from './clock.js';
import { defineMeasurement, type MeasurementContext } from './measurement.js';
import { memorySink } from './logger.js';
import { startRuntime, choosePhaseMs, type Runtime } from './running-app.js';
import { resolveConfig } from './config.js';
import { parseManifest } from '../model/manifest.js';
import type { RunRecord } from './results.js';

const manifest = parseManifest(`
apiVersion: nmaas.io/v1
name: sched-test
version: 1.0.0
displayName: Scheduler test
description: Drives the run loop with a manual clock.
category: other
maintainers: [{ name: Tests }]
license: MIT
image: { repository: ghcr.io/nmaas/sched-test, tag: "1.0.0", digest: "sha256:${'3'.repeat(64)}" }
schedule: { every: 5s, duration: 2s }
resources: { run: { cpu: 10m, memory: 16Mi }, idle: { cpu: 1m, memory: 16Mi } }
metrics:
  - { name: sched_test_runs_total, type: counter, help: Runs seen }
`);

const T0 = 1_800_000_000_000; // a Unix instant in ms, a multiple of 5 s

interface Harness {
  clock: ManualClock;
  runtime: Runtime;
  records: RunRecord[];
  logs: ReturnType<typeof memorySink>;
  counts(): Promise<Record<string, number>>;
}

async function harness(
  measure: (ctx: MeasurementContext, clock: ManualClock) => Promise<void>,
  opts: { startAt?: number; phaseMs?: number; everyMs?: number; durationMs?: number; maxLatenessMs?: number } = {},
): Promise<Harness> {
  const clock = new ManualClock(opts.startAt ?? T0 + 300);
  const logs = memorySink();
  const records: RunRecord[] = [];
  const runtime = await startRuntime({
    manifest,
    measurement: defineMeasurement((ctx) => measure(ctx, clock)),
    config: resolveConfig(manifest, {}),
    timing: {
      phaseMs: opts.phaseMs ?? 2000,
      everyMs: opts.everyMs ?? 5000,
      durationMs: opts.durationMs ?? 2000,
      maxLatenessMs: opts.maxLatenessMs ?? 500,
    },
    port: null,
    clock,
    logSink: logs.sink,
    node: 'node-a',
    onRecord: (r) => records.push(r),
  });
  await flush();
  return { clock, runtime, records, logs, counts: () => runtime.metrics.outcomeCounts() };
}

describe('run loop (manual clock)', () => {
  it('starts runs exactly at k x every + phase, aligned to Unix time', async () => {
    const starts: number[] = [];
    const h = await harness(async (ctx) => {
      starts.push(ctx.run.startedAt.getTime());
      expect(ctx.run.scheduledAt.getTime()).toBe(ctx.run.startedAt.getTime());
    });
    expect(h.runtime.runLoop.nextSlotMs).toBe(T0 + 2000);
    await h.clock.set(T0 + 20_000);
    expect(starts).toEqual([T0 + 2000, T0 + 7000, T0 + 12_000, T0 + 17_000]);
    expect(starts.every((s) => (s - 2000) % 5000 === 0)).toBe(true);
    expect(await h.counts()).toEqual({ success: 4, failure: 0, timeout: 0, skipped: 0 });
    await h.runtime.stop(0);
  });

  it('runs a daily measurement at the same UTC time each day: k x 24 h + phase, no drift', async () => {
    const DAY = 86_400_000;
    const midnight = Math.floor(T0 / DAY) * DAY;
    const starts: number[] = [];
    const h = await harness(async (ctx) => void starts.push(ctx.run.scheduledAt.getTime()), {
      startAt: midnight + 5 * 3_600_000,
      everyMs: DAY,
      durationMs: 600_000,
      phaseMs: 3 * 3_600_000 + 17_000,
    });
    // Started after 03:00:17 UTC: the first run is tomorrow's.
    expect(h.runtime.runLoop.nextSlotMs).toBe(midnight + DAY + 3 * 3_600_000 + 17_000);
    await h.clock.set(midnight + 4 * DAY);
    expect(starts).toEqual([1, 2, 3].map((d) => midnight + d * DAY + 3 * 3_600_000 + 17_000));
    expect(await h.counts()).toEqual({ success: 3, failure: 0, timeout: 0, skipped: 0 });
    await h.runtime.stop(0);
  });

  it('without a scheduler, puts a daily first run within startWithin of any start', () => {
    const DAY = 86_400_000;
    for (const [now, r] of [
      [T0 + 1234.5, 0],
      [T0 + 7 * 3_600_000 + 59_999, 0.5],
      [T0 + 23 * 3_600_000 + 999, 0.999],
    ] as const) {
      const phase = choosePhaseMs(now, DAY, 900_000, () => r);
      expect(phase % 1000).toBe(0);
      const first = Math.ceil((now - phase) / DAY) * DAY + phase;
      expect(first - now).toBeGreaterThanOrEqual(0);
      expect(first - now).toBeLessThan(901_000);
    }
  });

  it('reduces a phase larger than the period modulo the period', async () => {
    const h = await harness(async () => undefined, { phaseMs: 3_602_000 });
    expect(h.runtime.timing.phaseMs).toBe(2000);
    expect(h.runtime.runLoop.nextSlotMs).toBe(T0 + 2000);
    await h.runtime.stop(0);
  });

  it('never runs two runs at once: a run that ignores its abort keeps the next slots from starting, and they are skipped', async () => {
    let active = 0;
    let maxActive = 0;
    const starts: number[] = [];
    const h = await harness(async (ctx, clock) => {
      active++;
      maxActive = Math.max(maxActive, active);
      starts.push(ctx.run.startedAt.getTime());
      // The first run ignores ctx.signal and goes on for 12 s: well past its deadline and two slots.
      if (ctx.run.number === 1) await clock.sleepUntil(clock.now() + 12_000);
      active--;
    });
    await h.clock.set(T0 + 30_000);
    expect(maxActive).toBe(1);
    // Run 1 at 2 s, timed out at 4 s but busy until 14 s: the slots at 7 s and 12 s are skipped, run 2 at 17 s.
    expect(starts).toEqual([T0 + 2000, T0 + 17_000, T0 + 22_000, T0 + 27_000]);
    expect(h.records[0]).toMatchObject({ outcome: 'timeout', durationSeconds: 2 });
    expect(await h.counts()).toEqual({ success: 3, failure: 0, timeout: 1, skipped: 2 });
    await h.runtime.stop(0);
  });

  it('skips late slots instead of catching up after a stall, and counts each one', async () => {
    const starts: number[] = [];
    const h = await harness(async (ctx) => void starts.push(ctx.run.startedAt.getTime()));
    await h.clock.set(T0 + 2000); // run 1 on time
    // The process stalls for 16 s: it wakes at 18.0 s, 16 s after the slot at 2 s... the slots at 7, 12 and 17 s are missed.
    await h.clock.jump(T0 + 18_000);
    await h.clock.set(T0 + 25_000);
    expect(starts).toEqual([T0 + 2000, T0 + 22_000]);
    expect(await h.counts()).toMatchObject({ success: 2, skipped: 3 });
    const skipLogs = h.logs.records().filter((r) => String(r.msg).includes('skipped'));
    expect(skipLogs.length).toBeGreaterThan(0);
    await h.runtime.stop(0);
  });

  it('runs a slot that is late within the tolerance, and measures the lateness', async () => {
    const h = await harness(async () => undefined);
    await h.clock.jump(T0 + 2300); // 300 ms late, tolerance 500 ms
    expect(h.records).toHaveLength(1);
    expect(h.records[0]!.latenessSeconds).toBeCloseTo(0.3, 6);
    const text = (await h.runtime.metrics.render(false)).body;
    expect(text).toContain('nmaas_start_lateness_seconds_bucket{le="0.5"} 1');
    expect(text).toContain('nmaas_start_lateness_seconds_bucket{le="0.25"} 0');
    await h.runtime.stop(0);
  });

  it('aborts a run at its deadline (scheduled start + duration), even when it started late', async () => {
    let reason: unknown;
    const h = await harness(async (ctx) => {
      await new Promise((_, reject) =>
        ctx.signal.addEventListener('abort', () => {
          reason = ctx.signal.reason;
          reject(ctx.signal.reason);
        }),
      );
    });
    await h.clock.jump(T0 + 2400);
    await h.clock.set(T0 + 3999);
    expect(h.records).toHaveLength(0);
    await h.clock.set(T0 + 4000);
    expect(h.records).toHaveLength(1);
    expect(h.records[0]).toMatchObject({ outcome: 'timeout', endedAt: new Date(T0 + 4000).toISOString() });
    expect(h.records[0]!.durationSeconds).toBeCloseTo(1.6, 6);
    expect((reason as Error).name).toBe('TimeoutError');
    expect(await h.counts()).toMatchObject({ timeout: 1, failure: 0 });
    await h.runtime.stop(0);
  });

  it('isolates failures: a throwing run is counted and logged, and the next one runs', async () => {
    const h = await harness(async (ctx) => {
      if (ctx.run.number % 2 === 1) throw new Error(`run ${ctx.run.number} broke`);
      ctx.result({ ok: ctx.run.number });
    });
    await h.clock.set(T0 + 20_000);
    expect(h.records.map((r) => r.outcome)).toEqual(['failure', 'success', 'failure', 'success']);
    expect(h.records[0]!.error).toBe('Error: run 1 broke');
    expect(h.records[1]!.result).toEqual({ ok: 2 });
    const errors = h.logs.records().filter((r) => r.level === 'error');
    expect(errors.map((r) => r.msg)).toEqual(['run failed', 'run failed']);
    expect(errors[0]).toMatchObject({ run: 1, error: 'Error: run 1 broke', app: 'sched-test', node: 'node-a' });
    expect(await h.counts()).toEqual({ success: 2, failure: 2, timeout: 0, skipped: 0 });
    const text = (await h.runtime.metrics.render(false)).body;
    expect(text).toContain(`nmaas_last_success_timestamp_seconds ${(T0 + 17_000) / 1000}`);
    expect(text).toContain(`nmaas_last_run_timestamp_seconds ${(T0 + 17_000) / 1000}`);
    await h.runtime.stop(0);
  });

  it('stop lets the current run finish within the grace period', async () => {
    const h = await harness(async (_ctx, clock) => clock.sleepUntil(clock.now() + 1000));
    await h.clock.set(T0 + 2500);
    expect(h.runtime.runLoop.running).toBe(true);
    const stopping = h.runtime.stop(10_000);
    await h.clock.set(T0 + 3000);
    expect(await stopping).toEqual({ abortedRun: false, runStillGoing: false });
    expect(h.records).toEqual([expect.objectContaining({ outcome: 'success' })]);
    await h.clock.set(T0 + 60_000);
    expect(h.records).toHaveLength(1); // nothing scheduled after stop
  });

  it('stop aborts a run that outlasts the grace period and counts it', async () => {
    const h = await harness(
      async (ctx) => {
        await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
      },
      { durationMs: 5000 },
    );
    await h.clock.set(T0 + 2500);
    const stopping = h.runtime.stop(500);
    await h.clock.set(T0 + 3000);
    expect(await stopping).toEqual({ abortedRun: true, runStillGoing: false });
    expect(h.records).toEqual([expect.objectContaining({ outcome: 'timeout', error: 'aborted at shutdown' })]);
    const stoppedLog = h.logs.records().find((r) => r.msg === 'stopped');
    expect(stoppedLog).toMatchObject({ runs: { success: 0, failure: 0, timeout: 1, skipped: 0 } });
  });

  it('chooses a default phase that puts the first run within startWithin, on a whole second', () => {
    const now = T0 + 1234.5;
    for (const r of [0, 0.25, 0.5, 0.999]) {
      const phase = choosePhaseMs(now, 300_000, 60_000, () => r);
      expect(phase % 1000).toBe(0);
      const first = Math.ceil((now - phase) / 300_000) * 300_000 + phase;
      expect(first - now).toBeGreaterThanOrEqual(0);
      expect(first - now).toBeLessThan(61_000);
    }
    expect(choosePhaseMs(now, 300_000, 0, () => 0.7)).toBe((T0 + 2000) % 300_000);
  });
});

describe('a run that blocks the event loop past its deadline', () => {
  it('is counted as a timeout, since nothing could abort it', async () => {
    const h = await harness(async (_ctx, clock) => {
      // Simulates synchronous work: the clock moves past the deadline without any timer firing.
      clock.spend(2500);
    });
    await h.clock.set(T0 + 2000);
    expect(h.records[0]).toMatchObject({ outcome: 'timeout' });
    expect(h.records[0]!.error).toMatch(/^finished 0\.500 s after its deadline \(it blocked the event loop\)/);
    await h.runtime.stop(0);
  });
});

describe('a wall clock stepped backwards', () => {
  it('re-aligns on the slots of the clock as it now reads instead of waiting out the step', async () => {
    const starts: number[] = [];
    const h = await harness(async (ctx) => void starts.push(ctx.run.startedAt.getTime()));
    await h.clock.set(T0 + 2000);
    const back = T0 - 3_600_000 + 100; // NTP steps the clock back one hour
    await h.clock.stepBack(back);
    expect(h.runtime.runLoop.nextSlotMs).toBe(T0 - 3_600_000 + 2000);
    await h.clock.set(back + 10_000);
    expect(starts).toEqual([T0 + 2000, T0 - 3_600_000 + 2000, T0 - 3_600_000 + 7000]);
    expect(h.logs.records().some((r) => r.msg === 'the wall clock stepped backwards; schedule re-aligned')).toBe(true);
    await h.runtime.stop(0);
  });

  it('a small step back inside a period just keeps the current slot', async () => {
    const starts: number[] = [];
    const h = await harness(async (ctx) => void starts.push(ctx.run.startedAt.getTime()));
    await h.clock.set(T0 + 3000);
    await h.clock.stepBack(T0 + 2500);
    await h.clock.set(T0 + 12_000);
    expect(starts).toEqual([T0 + 2000, T0 + 7000, T0 + 12_000]);
    await h.runtime.stop(0);
  });
});

describe('SystemClock', () => {
  it('never wakes before the instant, and returns early when aborted', async () => {
    const { SystemClock } = await import('./clock.js');
    const clock = new SystemClock();
    for (let i = 0; i < 5; i++) {
      const at = clock.now() + 15;
      await clock.sleepUntil(at);
      expect(clock.now()).toBeGreaterThanOrEqual(at);
    }
    const ctl = new AbortController();
    const far = clock.sleepUntil(clock.now() + 60_000, ctl.signal);
    ctl.abort();
    await far; // resolves at once instead of after a minute
    expect(Math.abs(clock.now() - Date.now())).toBeLessThan(2);
  });
});
