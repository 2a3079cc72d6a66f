import { describe, expect, it } from 'vitest';
import { Engine, type InstanceSpec, type NodeSpec } from '../engine/index.js';
import { instanceSpec } from '../engine/testing.js';
import { DEFAULT_RETRY_POLICY, runWithRetry, type WorkloadEvent } from './retry.js';
import { simulate } from './run.js';

const spec = instanceSpec;

const nodes: NodeSpec[] = [{ name: 'a', labels: {}, capacity: { cpu: 100, memory: 1000, bandwidth: 1000 } }];

describe('retry model', () => {
  it('re-offers with doubling back-off in arrival steps, capped, and gives up after the attempt limit', () => {
    const offers: string[] = [];
    const events: WorkloadEvent[] = [{ kind: 'arrive', spec: spec('never-0') }];
    for (let k = 0; k < 9; k++) events.push({ kind: 'arrive', spec: spec(`filler-${k}`) });
    const outcome = runWithRetry(
      events,
      (s) => {
        offers.push(s.id);
        return s.id === 'never-0' ? 'no room' : true;
      },
      () => undefined,
      { attempts: 4, firstBackoff: 1, maxBackoff: 2 },
    );
    // Steps: arrival at 1, retries at 1+1 = 2, 2+2 = 4, 4+2 (capped) = 6; then given up.
    const order = offers;
    expect(order.filter((id) => id === 'never-0')).toHaveLength(4);
    expect(order.slice(0, 8)).toEqual([
      'never-0',
      'filler-0',
      'never-0',
      'filler-1',
      'filler-2',
      'never-0',
      'filler-3',
      'filler-4',
    ]);
    expect(order[8]).toBe('never-0');
    expect(order).toHaveLength(13);
    expect(outcome).toMatchObject({ refused: [{ id: 'never-0', reason: 'no room', attempts: 4 }], placedOnRetry: 0 });
  });

  it('a dependant that arrived before its affinity partner is placed on a retry once the partner is there', async () => {
    const apps = {
      horizon: 60,
      instances: [
        spec('dep-0', { affinity: ['partner'] }),
        spec('partner-0', { run: { cpu: 10, memory: 1, bandwidth: 1 } }),
      ],
    };
    const online = await simulate(nodes, apps, { strategy: 'nmaas' });
    expect(online.metrics.placed).toBe(1);
    const retried = await simulate(nodes, apps, { strategy: 'nmaas', retry: true });
    expect(retried.metrics).toMatchObject({ placed: 2, rejected: 0, competingSlotSeconds: 0, violations: 0 });
  });

  it('a removal makes room for a pending retry; removing a pending instance cancels it', () => {
    const engine = new Engine(nodes, { horizon: 60 });
    const offer = (s: InstanceSpec): true | string => {
      const r = engine.place(s);
      return r.ok ? true : r.reason;
    };
    const big = (id: string): InstanceSpec => spec(id, { duration: 60, startWithin: 0 });
    const outcome = runWithRetry(
      [
        { kind: 'arrive', spec: big('first-0') },
        { kind: 'arrive', spec: big('waiting-0') },
        { kind: 'arrive', spec: big('gone-0') },
        { kind: 'remove', id: 'gone-0' },
        { kind: 'remove', id: 'first-0' },
      ],
      offer,
      (id) => engine.remove(id),
      DEFAULT_RETRY_POLICY,
    );
    expect(engine.bookings().map((b) => b.id)).toEqual(['waiting-0']);
    expect(outcome).toMatchObject({ refused: [], placedOnRetry: 1 });
  });

  it('runs the step hook after each event and its retries, and on quiet steps while something is pending', () => {
    const seen: string[] = [];
    runWithRetry(
      [
        { kind: 'arrive', spec: spec('never-0') },
        { kind: 'arrive', spec: spec('fits-0') },
      ],
      (s) => (s.id === 'never-0' ? 'no room' : true),
      () => undefined,
      { attempts: 3, firstBackoff: 1, maxBackoff: 4 },
      { afterStep: (step, pending) => seen.push(`${step}:${pending.map((p) => p.id).join(',')}`) },
    );
    // Offers of never-0 at steps 1, 2 and 4; the hook sees it pending until its last refusal at step 4.
    expect(seen).toEqual(['1:never-0', '2:never-0', '3:never-0']);
  });

  it('refuses a policy that could not end', () => {
    expect(() =>
      runWithRetry(
        [],
        () => true,
        () => undefined,
        { attempts: 0, firstBackoff: 1, maxBackoff: 1 },
      ),
    ).toThrow(/attempts must be a whole number ≥ 1/);
  });
});
