import { describe, expect, it } from 'vitest';
import { checkPlacement, isAllowedPhase, type InstanceSpec } from '../engine/index.js';
import { cpuNode, instanceSpec } from '../engine/testing.js';
import { recreationSeconds } from './controller-retries.js';
import { simulate } from './run.js';

/** Every 10 minutes for 200 s; `startWithin` 30 s unless said otherwise. */
const tenMinutes = (id: string, cpu: number, over = {}) =>
  instanceSpec(id, {
    every: 600,
    duration: 200,
    startWithin: 30,
    release: 0,
    run: { cpu, memory: 10, bandwidth: 1 },
    ...over,
  });

describe('recreationSeconds', () => {
  it('is client-go back-off (5 ms doubling, capped at 1,000 s) read in whole seconds', () => {
    // Cumulative delays 5·(2^n − 1) ms: 1.275 s, 2.555 s, 5.115 s … 655.355 s, then 1,310.715 s and
    // steps of 1,000 s once a single delay would pass the cap.
    expect(recreationSeconds(3600)).toEqual([1, 2, 5, 10, 20, 40, 81, 163, 327, 655, 1310, 2310, 3310]);
    expect(recreationSeconds(327)).toEqual([1, 2, 5, 10, 20, 40, 81, 163, 327]);
    expect(recreationSeconds(0)).toEqual([]);
    expect(() => recreationSeconds(-1)).toThrow(/whole number of seconds/);
    expect(() => recreationSeconds(1.5)).toThrow(/whole number of seconds/);
  });
});

describe('simulate with controller re-creations', () => {
  const nodes = [cpuNode('n-0', 1000)];
  // `full` takes the whole node for its first 200 s of every 10 minutes; `late` may start only in its
  // first 30 s, so the pod created at second 0 finds no room: the first re-created pod whose window
  // reaches past second 200 (created at 327 s: phases 327–357) does.
  const full = tenMinutes('full-0', 1000, { startWithin: 0 });
  const late = tenMinutes('late-0', 600);
  const run = (instances: InstanceSpec[], untilSeconds = 3600) =>
    simulate(nodes, { horizon: 3600, instances }, { strategy: 'nmaas', controllerRetries: untilSeconds });

  it('places a refused pod in the window of the first re-created pod that has room, and says how late', async () => {
    const r = await run([full, late]);
    expect(r.controllerRetries).toEqual({
      untilSeconds: 3600,
      // One first offer each, then one per re-creation second up to 327 (1, 2, 5 … 163, 327).
      offers: 2 + 9,
      late: [{ id: 'late-0', delaySeconds: 327, release: 327 }],
    });
    expect(r.placed).toEqual([
      { id: 'full-0', node: 'n-0', phase: 0 },
      { id: 'late-0', node: 'n-0', phase: 327 },
    ]);
    // simulate's checker judged the late pod in its own window; the first pod's window never held 327.
    expect(r.metrics).toMatchObject({ placed: 2, rejected: 0, competingSlotSeconds: 0, violations: 0 });
    expect(isAllowedPhase(327, late.every, late.startWithin, late.release)).toBe(false);
    const asFirst = checkPlacement(nodes, { horizon: 3600, instances: [full, late] }, r.placed);
    expect(asFirst.violations).toBe(1);
  });

  it('stops at untilSeconds, with the reason of the last offer', async () => {
    const r = await run([full, late], 300);
    expect(r.controllerRetries).toMatchObject({ offers: 2 + 8, late: [] });
    expect(r.rejected.map((x) => x.id)).toEqual(['late-0']);
    // The last re-created pod was created at 163 s: its own window, 2:43–3:13.
    expect(r.rejected[0]!.reason).toMatch(/starting between 2:43 and 3:13 into each period/);
  });

  it('offers a pod whose window spans its period once: a later second changes none of its phases', async () => {
    const anyPhase = tenMinutes('any-0', 1000, { startWithin: 599, duration: 500 });
    const r = await run([full, anyPhase]);
    expect(r.controllerRetries).toMatchObject({ offers: 2, late: [] });
    expect(r.rejected.map((x) => x.id)).toEqual(['any-0']);
  });

  it('offers the refused in arrival order at each second: the earlier arrival takes the room both want', async () => {
    const r = await run([full, tenMinutes('second-0', 600), tenMinutes('third-0', 600)]);
    expect(r.controllerRetries!.late.map((x) => [x.id, x.delaySeconds])).toEqual([['second-0', 327]]);
    // After it, [327, 527) holds 600 m: no re-created window of the third (up to 3,310 s) has 200 s free.
    expect(r.rejected.map((x) => x.id)).toEqual(['third-0']);
    expect(r.metrics).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
  });

  it('is the nmaas webhook alone: not with the step-counted retry model, the re-plan loop or another strategy', async () => {
    const apps = { horizon: 3600, instances: [full, late] };
    await expect(simulate(nodes, apps, { strategy: 'first-fit', controllerRetries: 60 })).rejects.toThrow(
      /controller re-creations model the nmaas webhook's refusals.*got first-fit/,
    );
    await expect(simulate(nodes, apps, { retry: true, controllerRetries: 60 })).rejects.toThrow(/with retry/);
    await expect(simulate(nodes, apps, { replanLoop: true, controllerRetries: 60 })).rejects.toThrow(
      /with the re-plan loop/,
    );
  });
});
