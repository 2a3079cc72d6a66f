/**
 * The in-cluster re-plan against the fake API server (real evictions, PodDisruptionBudgets and
 * Events over the real client), with a clock the test drives: a refused pod is placed by moving
 * one pod, whose replacement gets the planned slot; a PodDisruptionBudget blocks the move; a pod
 * in its run is evicted only once the run has ended, and not at all when that is beyond the bound.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { encodeDecision, type PodContract } from '@nmaas/sdk/contract';
import { TempDirs, tool } from '@nmaas/sdk/testing';
import { checkPlacement, isActive, nodeSpecFromOffer } from '../engine/index.js';
import { ClientNodeKubeApi, loadKubeConfig } from '../kube/client-node-api.js';
import { FakeApiServer } from '../kube/fake-api-server.js';
import type { KubeApi, Pod } from '../kube/types.js';
import { AdmissionService } from './admission-service.js';
import { generateCertificates, type CertificateFiles } from './certificates.js';
import { eventObject, ReplanLoop, type ReplanSettings } from './replan-loop.js';
import { ReplanMetrics } from './replan-metrics.js';
import { msUntilIdle } from './run-window.js';
import { BOOKING_ID_ANNOTATION, SchedulerState } from './state.js';
import { contract, contractPod, measurementNode } from './testing.js';

/** Runs 40 s of every minute: two never share a 100 Mbps node, and each is idle 20 s a minute. */
const busy = (app: string): PodContract =>
  contract(app, {
    everySeconds: 60,
    durationSeconds: 40,
    startWithinSeconds: 59,
    run: { cpu: 100, memory: 64, bandwidth: 60 },
  });

const temp = new TempDirs('replan-loop');
const openssl = tool('openssl', 'apt-get install openssl');
let certs: CertificateFiles;
let fake: FakeApiServer;
let api: KubeApi;
let state: SchedulerState;
let service: AdmissionService;
let clock: number;
let registry: Registry;
const evictedAt: { pod: string; ms: number }[] = [];

beforeAll(async () => {
  if (!openssl.skip) certs = await generateCertificates(await temp.make());
});
afterAll(() => temp.removeAll());
beforeEach(async () => {
  if (openssl.skip) return;
  fake = new FakeApiServer({ tls: { cert: await readFile(certs.certFile), key: await readFile(certs.keyFile) } });
  api = new ClientNodeKubeApi(loadKubeConfig({ server: await fake.start(), caFile: certs.caFile }));
  for (const n of ['n1', 'n2'])
    fake.create('nodes', measurementNode(n, 'edge', { cpu: 2000, memory: 4096, bandwidth: 100 }));
  // A fixed instant, the start of a minute: the tests move it forward, never the wall clock.
  clock = Date.UTC(2026, 0, 5, 10, 0, 0);
  state = new SchedulerState({ now: () => clock });
  state.syncNodes(fake.list('nodes'));
  service = new AdmissionService(state, { now: () => clock });
  registry = new Registry();
  evictedAt.length = 0;
});
afterEach(async () => fake?.stop());

function loop(settings: Partial<ReplanSettings> = {}): ReplanLoop {
  return new ReplanLoop(
    state,
    service.pending,
    { maxMigrations: 2, timeLimitSeconds: 2, maxWaitSeconds: 120, guardSeconds: 5, seed: 1, ...settings },
    {
      evict: async (namespace, name) => {
        await api.evictPod(namespace, name);
        evictedAt.push({ pod: name, ms: clock });
      },
      recordEvent: (e) => api.createEvent(e.pod.namespace, eventObject(e, 'nmaas-scheduler', 'test', clock)),
      metrics: new ReplanMetrics(registry),
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    },
  );
}

/** Admits a pod as the API server would, persists it with its decision, and lets the state see it. */
async function admitted(
  c: PodContract,
  ownerUid: string,
  labels: Record<string, string> = {},
  name = `${c.app}-0`,
): Promise<Pod> {
  const answer = await service.admit(c, null, false, { namespace: 'measurements', ownerUid });
  if (answer.kind !== 'placed') throw new Error(`expected ${c.app} placed, got ${answer.code}`);
  const pod = contractPod(c, { ownerUid, name });
  pod.metadata.labels = { ...pod.metadata.labels, ...labels };
  pod.metadata.annotations = {
    ...pod.metadata.annotations,
    ...encodeDecision({ node: answer.node, phaseSeconds: answer.phase }),
    [BOOKING_ID_ANNOTATION]: answer.bookingId,
  };
  const created = fake.create('pods', pod);
  state.upsertPod(created);
  return created;
}

/** A first pod, then one pinned to its node that fits only if the first one moves: refused now. */
async function crowded(labels: Record<string, string> = {}) {
  const first = await admitted(busy('mover'), 'rs-mover', labels);
  const id = first.metadata.annotations![BOOKING_ID_ANNOTATION]!;
  const at = state.placementOf(id)!;
  const refused = await service.admit(busy('pinned'), at.node, false, {
    namespace: 'measurements',
    ownerUid: 'rs-pinned',
  });
  expect(refused.kind).toBe('refused');
  expect(service.pending.size).toBe(1);
  return { first, id, at };
}

function noCompetition(): number {
  const bookings = state.engine.bookings();
  const nodes = [...state.nodes.values()].map((v) => nodeSpecFromOffer(v.offer));
  const instances = bookings.map((b) => b.instance);
  const placed = bookings.map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
  return checkPlacement(nodes, { horizon: state.engine.horizon, instances }, placed).competingSlotSeconds;
}

const metric = async (name: string, outcome: string) =>
  (await registry.getSingleMetric(name)!.get()).values.find((v) => v.labels.outcome === outcome)?.value;

describe.skipIf(openssl.skip)('re-planning in the cluster', () => {
  it('places a refused pod by moving one pod; both replacements get the planned slots', async () => {
    const { first, id, at } = await crowded();
    // The mover is in its run now: it is evicted only once the run is over.
    clock += ((at.phase + 3) % 60) * 1000;
    expect(msUntilIdle({ every: 60, duration: 40 }, at.phase, clock, 5)).toBeGreaterThan(0);
    const run = await loop().run();
    expect(run!.outcomes.map((o) => [o.kind, o.outcome]).sort()).toEqual([
      ['move', 'moved'],
      ['place', 'reserved'],
    ]);
    expect(run!.after.placed).toBe(run!.before.placed + 1);
    expect(evictedAt).toHaveLength(1);
    expect(isActive(Math.floor(evictedAt[0]!.ms / 1000), 60, 40, at.phase)).toBe(false);
    expect(fake.get('pods', 'measurements', first.metadata.name!)).toBeUndefined();
    const planned = state.placementOf(id)!;
    expect(planned.node).not.toBe(at.node);

    // The controllers create the pods again: each gets the slot the plan kept for it.
    const mover = await service.admit(busy('mover'), null, false, { namespace: 'measurements', ownerUid: 'rs-mover' });
    expect(mover).toMatchObject({ kind: 'placed', how: 'replacement', bookingId: id, ...planned });
    const pinned = await service.admit(busy('pinned'), at.node, false, {
      namespace: 'measurements',
      ownerUid: 'rs-pinned',
    });
    expect(pinned).toMatchObject({ kind: 'placed', how: 'replacement', node: at.node });
    expect(noCompetition()).toBe(0);

    const events = fake.list<Pod & { reason?: string; involvedObject?: { name?: string } }>('events');
    expect(events.map((e) => [e.reason, e.involvedObject?.name])).toEqual([['Replanned', first.metadata.name]]);
    expect(await metric('nmaas_scheduler_replan_moves_total', 'moved')).toBe(1);
    expect(await metric('nmaas_scheduler_replan_moves_total', 'reserved')).toBe(1);
  });

  it('a PodDisruptionBudget blocks the move: the pod stays where it was, the refused pod gets nothing', async () => {
    fake.create('poddisruptionbudgets', {
      metadata: { name: 'keep', namespace: 'measurements' },
      spec: { selector: { matchLabels: { pdb: 'on' } }, minAvailable: 1 },
    });
    const { first, id, at } = await crowded({ pdb: 'on' });
    clock += ((at.phase + 45) % 60) * 1000; // idle now
    const run = await loop().run();
    expect(run!.outcomes.map((o) => [o.kind, o.outcome]).sort()).toEqual([
      ['move', 'disruption-budget'],
      ['place', 'conflict'],
    ]);
    expect(fake.get('pods', 'measurements', first.metadata.name!)).toBeDefined();
    expect(state.placementOf(id)).toEqual(at);
    expect(state.tracked.get(id)!.moving).toBeUndefined();
    expect(state.engine.bookings()).toHaveLength(1);
    expect(noCompetition()).toBe(0);
    const events = fake.list<Pod & { reason?: string; type?: string }>('events');
    expect(events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'ReplanBlocked']]);
    expect(await metric('nmaas_scheduler_replan_moves_total', 'disruption-budget')).toBe(1);
  });

  it('never evicts a pod whose run does not end within the wait bound', async () => {
    const { first, id, at } = await crowded();
    clock += ((at.phase + 1) % 60) * 1000; // 39 s of its run left
    const run = await loop({ maxWaitSeconds: 20 }).run();
    expect(evictedAt).toEqual([]);
    expect(run!.fixed.running).toBe(1);
    expect(run!.outcomes).toEqual([]);
    expect(fake.get('pods', 'measurements', first.metadata.name!)).toBeDefined();
    expect(state.placementOf(id)).toEqual(at);
  });

  it('bookings that already compete are left out of the search; the run adds no competition', async () => {
    // Two pods created with the same decision on n2 by hand: 120 Mbps on a 100 Mbps node, 40 s a minute.
    for (const name of ['squat-a', 'squat-b']) {
      const pod = contractPod(busy('squat'), { ownerUid: `rs-${name}`, name });
      pod.metadata.annotations = { ...pod.metadata.annotations, ...encodeDecision({ node: 'n2', phaseSeconds: 0 }) };
      state.upsertPod(fake.create('pods', pod));
    }
    const before = noCompetition();
    expect(before).toBeGreaterThan(0);
    const { at } = await crowded();
    clock += ((at.phase + 45) % 60) * 1000;
    const run = await loop().run();
    expect(run!.result).not.toBe('error');
    expect(run!.fixed.conflicting).toBe(1);
    expect(noCompetition()).toBe(before);
    expect(fake.get('pods', 'measurements', 'squat-a')).toBeDefined();
    expect(fake.get('pods', 'measurements', 'squat-b')).toBeDefined();
  });

  it('a dependant listed before its affinity partner is planned, not left out as conflicting', async () => {
    // The partner's first pod is replaced by a second on the same node: the engine now lists the dependant first.
    const first = await admitted(contract('anchor'), 'rs-anchor');
    const at = state.placementOf(first.metadata.annotations![BOOKING_ID_ANNOTATION]!)!;
    await admitted(contract('dependant', { affinity: ['anchor'] }), 'rs-dependant');
    await admitted(contract('anchor'), 'rs-anchor-2', {}, 'anchor-1');
    state.deletePod(first);
    expect(state.engine.bookings().map((b) => b.instance.app)).toEqual(['dependant', 'anchor']);
    expect(state.engine.bookings().every((b) => b.node === at.node)).toBe(true);
    const plan = await loop().preview();
    expect(plan.fixed.conflicting).toBe(0);
    expect(plan.before.placed).toBe(2);
  });

  it('a preview shows the moves and changes nothing', async () => {
    const { id, at } = await crowded();
    const plan = await loop().preview();
    expect(plan.moves.map((m) => m.kind).sort()).toEqual(['move', 'place']);
    expect(plan.moves.find((m) => m.kind === 'move')!.pod).toBe('measurements/mover-0');
    expect(state.placementOf(id)).toEqual(at);
    expect(evictedAt).toEqual([]);
    expect(service.pending.size).toBe(1);
  });
});

describe('when a pod may be evicted', () => {
  it('waits for the run to end, and for the guard before the next run', () => {
    const s = { every: 60, duration: 40 };
    const at = (second: number) => Date.UTC(2026, 0, 5, 10, 0, second);
    expect(msUntilIdle(s, 0, at(0), 5)).toBe(40_000);
    expect(msUntilIdle(s, 0, at(39), 5)).toBe(1_000);
    expect(msUntilIdle(s, 0, at(40), 5)).toBe(0);
    expect(msUntilIdle(s, 0, at(54), 5)).toBe(0);
    expect(msUntilIdle(s, 0, at(56), 5)).toBe(44_000);
    expect(msUntilIdle(s, 10, at(4), 5)).toBe(0);
    expect(msUntilIdle({ every: 60, duration: 58 }, 0, at(59), 5)).toBe(Number.POSITIVE_INFINITY);
  });
});
