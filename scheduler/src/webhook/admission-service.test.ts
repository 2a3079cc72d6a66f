/**
 * The admission service on its own: placements keep the engine and the tracked pods in step in
 * one call, refusals are data (code, culprits) until the edge renders them with pod names.
 */
import { describe, expect, it } from 'vitest';
import { DECISION_ANNOTATIONS, encodeDecision } from '@nmaas/sdk/contract';
import { AdmissionService, type Admission, type Refused } from './admission-service.js';
import { describeRefused } from './refusal-text.js';
import { SchedulerState } from './state.js';
import { contract, contractPod, measurementNode } from './testing.js';

function service(): { service: AdmissionService; state: SchedulerState } {
  const state = new SchedulerState();
  state.syncNodes([measurementNode('edge-1', 'edge', { cpu: 1000, memory: 1024, bandwidth: 100 })]);
  return { service: new AdmissionService(state), state };
}

const origin = { namespace: 'm', ownerUid: 'rs-1' };

function placed(a: Admission): Extract<Admission, { kind: 'placed' }> {
  if (a.kind !== 'placed') throw new Error(`expected a placement, got ${JSON.stringify(a)}`);
  return a;
}

/** Seconds from `arrivalMs` to the first run of a pod at `phase` of period `every` (runs start at k·every + phase). */
function firstRunDelay(arrivalMs: number, every: number, phase: number): number {
  const arrival = arrivalMs / 1000;
  const k = Math.ceil((arrival - phase) / every);
  return k * every + phase - arrival;
}

describe("start windows run from the pod's arrival", () => {
  it('an hourly pod that tolerates ten minutes starts within ten minutes of whenever it arrives', async () => {
    // Arrivals spread over a day at odd instants (not on period boundaries), one fresh cluster each.
    for (let i = 0; i < 48; i++) {
      const arrivalMs = 1_767_225_600_000 + i * 1_811_337 + (i % 7) * 123;
      const state = new SchedulerState();
      state.syncNodes([measurementNode('edge-1', 'edge', { cpu: 1000, memory: 1024, bandwidth: 100 })]);
      const s = new AdmissionService(state, { now: () => arrivalMs });
      const hourly = contract('cartography', { everySeconds: 3600, durationSeconds: 60, startWithinSeconds: 600 });
      const p = placed(await s.admit(hourly, null, false, origin));
      const delay = firstRunDelay(arrivalMs, 3600, p.phase);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(600 + 1);
    }
  });

  it('pods of one app arriving at different times are not herded into one window of the period', async () => {
    const state = new SchedulerState();
    state.syncNodes([measurementNode('edge-1', 'edge', { cpu: 64_000, memory: 65_536, bandwidth: 10_000 })]);
    let nowMs = 1_767_225_600_000;
    const s = new AdmissionService(state, { now: () => nowMs });
    const phases: number[] = [];
    for (let i = 0; i < 12; i++) {
      nowMs += 25_000; // one pod every 25 s over a 5-minute period
      const c = contract('web-qos', { everySeconds: 300, durationSeconds: 20, startWithinSeconds: 30 });
      const p = placed(await s.admit(c, null, false, origin));
      expect(firstRunDelay(nowMs, 300, p.phase)).toBeLessThanOrEqual(31);
      phases.push(p.phase);
    }
    // With windows anchored at the period's start, all twelve would sit in 0–30 s.
    expect(phases.filter((ph) => ph > 30).length).toBeGreaterThanOrEqual(8);
  });
});

describe('AdmissionService', () => {
  it('books and tracks a placement in one call; a dry run books nothing', async () => {
    const { service: s, state } = service();
    const dry = placed(await s.admit(contract('probe'), null, true, origin));
    expect(dry).toMatchObject({ node: 'edge-1', how: 'decided', dryRun: true });
    expect(state.engine.bookings()).toHaveLength(0);
    expect(state.tracked.size).toBe(0);

    const p = placed(await s.admit(contract('probe'), null, false, origin));
    expect(s.bookingOf(p.bookingId)).toEqual({ node: p.node, phase: p.phase });
    expect(state.tracked.get(p.bookingId)).toMatchObject({ namespace: 'm', ownerUid: 'rs-1' });
    expect(s.nameOf(p.bookingId)).toEqual({ pendingApp: 'probe' });
    // Every engine booking has its tracked pod, and the reverse.
    expect(state.engine.bookings().map((b) => b.id)).toEqual([...state.tracked.keys()]);
  });

  it('refuses with data, not prose; the edge names the culprit pods', async () => {
    const { service: s, state } = service();
    const first = placed(await s.admit(contract('web', { exclusive: true }), null, false, origin));
    // The watch sees the persisted pod: from now on it has a name.
    const pod = contractPod(contract('web', { exclusive: true }), { namespace: 'm', name: 'web-abc' });
    pod.metadata.annotations = {
      ...pod.metadata.annotations,
      ...encodeDecision({ node: 'edge-1', phaseSeconds: first.phase }),
      [DECISION_ANNOTATIONS.bookingId]: first.bookingId,
    };
    expect(state.upsertPod({ ...pod, metadata: { ...pod.metadata, uid: 'u-1' } })).toBe(first.bookingId);

    const refused = await s.admit(contract('dns', { everySeconds: 20, durationSeconds: 15 }), null, false, origin);
    expect(refused.kind).toBe('refused');
    if (refused.kind !== 'refused' || !('refusal' in refused)) throw new Error('expected an engine refusal');
    expect(refused.code).toBe('capacity');
    // The culprit is data: the booking holding the node, not a sentence to parse.
    expect(refused.refusal.code === 'capacity' && 'culprits' in refused.refusal && refused.refusal.culprits).toEqual([
      first.bookingId,
    ]);
    expect(state.tracked.size).toBe(1);
    const text = describeRefused(refused, (id) => s.nameOf(id));
    expect(text).toContain('m/web-abc');
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/);
  });

  it('ends the search for moves at its time limit, says so in the refusal, and counts it', async () => {
    const whole = contract('long', { everySeconds: 60, durationSeconds: 60, startWithinSeconds: 59, exclusive: true });
    const pinnedHere = contract('pinned', { everySeconds: 60, durationSeconds: 10, startWithinSeconds: 59 });
    /** `long` placed and persisted on one of two nodes; the service's limit and its clock as given. */
    const crowded = (repairWithinMs: number, clock: () => number) => {
      const state = new SchedulerState();
      state.syncNodes(
        ['edge-1', 'edge-2'].map((n) => measurementNode(n, 'edge', { cpu: 1000, memory: 1024, bandwidth: 100 })),
      );
      const evicted: string[] = [];
      const s = new AdmissionService(state, {
        migrations: 1,
        evict: async (namespace, name) => void evicted.push(`${namespace}/${name}`),
        repairWithinMs,
        monotonic: clock,
      });
      return { s, state, evicted };
    };
    const persist = async (s: AdmissionService, state: SchedulerState) => {
      const first = placed(await s.admit(whole, null, false, origin));
      const pod = contractPod(whole, { namespace: 'm', name: 'long-abc' });
      pod.metadata.annotations = {
        ...pod.metadata.annotations,
        ...encodeDecision({ node: first.node, phaseSeconds: first.phase }),
        [DECISION_ANNOTATIONS.bookingId]: first.bookingId,
      };
      state.upsertPod({ ...pod, metadata: { ...pod.metadata, uid: 'u-long' } });
      return first.node;
    };

    // Time enough: the pod pinned beside `long` gets in by moving it.
    const roomy = crowded(2_000, () => 0);
    const node = await persist(roomy.s, roomy.state);
    const moved = placed(await roomy.s.admit(pinnedHere, node, false, origin));
    expect(moved.migrations).toHaveLength(1);
    expect(roomy.evicted).toEqual(['m/long-abc']);
    expect(roomy.s.counts().repairsCut).toBe(0);

    // The clock already at the limit when the search starts: refused, nothing evicted, and said why.
    let now = 0;
    const late = crowded(5, () => (now += 5));
    const lateNode = await persist(late.s, late.state);
    const refused = await late.s.admit(pinnedHere, lateNode, false, origin);
    expect(refused).toMatchObject({ kind: 'refused', code: 'capacity', repairCut: true });
    expect(late.evicted).toEqual([]);
    expect(late.state.engine.bookings()).toHaveLength(1);
    expect(late.s.counts().repairsCut).toBe(1);
    expect(describeRefused(refused as Refused, (id) => late.s.nameOf(id))).toMatch(
      /m\/long-abc.*moving other measurements to make room was tried and stopped at the scheduler's time limit/,
    );
  });

  it('explains an unplaceable pod whose window spans its period once, whatever second it arrives', async () => {
    const state = new SchedulerState();
    state.syncNodes([measurementNode('edge-1', 'edge', { cpu: 1000, memory: 1024, bandwidth: 100 })]);
    let nowMs = 1_767_225_600_000;
    const s = new AdmissionService(state, { now: () => nowMs });
    const run = { cpu: 100, memory: 64, bandwidth: 500 };
    const anyTime = contract('bulk', { everySeconds: 300, durationSeconds: 10, startWithinSeconds: 300, run });
    const narrow = contract('bulk', { everySeconds: 300, durationSeconds: 10, startWithinSeconds: 30, run });
    const first = await s.admit(anyTime, null, false, origin);
    const firstNarrow = await s.admit(narrow, null, false, origin);
    expect(first.kind).toBe('refused');
    nowMs += 7_000;
    // Remembered across arrival seconds: every phase was allowed at both.
    expect(await s.admit(anyTime, null, false, origin)).toBe(first);
    // A narrow window allows other phases from another second: explained again, and still refused.
    const laterNarrow = await s.admit(narrow, null, false, origin);
    expect(laterNarrow).not.toBe(firstNarrow);
    expect(laterNarrow.kind).toBe('refused');
    // Room may have appeared (a node changed): explained again.
    state.syncNodes([measurementNode('edge-1', 'edge', { cpu: 1000, memory: 1024, bandwidth: 200 })]);
    const afterChange = await s.admit(anyTime, null, false, origin);
    expect(afterChange).not.toBe(first);
    expect(afterChange.kind).toBe('refused');
  });

  it('keeps a decision the pod carries, or refuses it with the node and the problems', async () => {
    const { service: s, state } = service();
    const kept = placed(s.keep(contract('probe'), { node: 'edge-1', phaseSeconds: 7 }, undefined, false, origin));
    expect(kept).toMatchObject({ node: 'edge-1', phase: 7, how: 'kept' });
    expect(state.tracked.has(kept.bookingId)).toBe(true);
    expect(s.keep(contract('probe'), { node: 'gone', phaseSeconds: 7 }, undefined, false, origin)).toEqual({
      kind: 'refused',
      code: 'unknown-node',
      node: 'gone',
      phase: 7,
    });
    const big = contract('big', { run: { cpu: 900, memory: 900, bandwidth: 90 } });
    const stale = s.keep(big, { node: 'edge-1', phaseSeconds: 7 }, undefined, false, origin);
    expect(stale).toMatchObject({ kind: 'refused', code: 'stale-decision', node: 'edge-1', phase: 7 });
    expect(state.engine.bookings()).toHaveLength(1);
  });
});
