/* eslint-disable @typescript-eslint/no-explicit-any -- this test reaches into a pod spec the Pod type leaves open */
/**
 * High availability against the in-process fake API server (the real client-node KubeApi): two
 * replicas share one Lease; admissions go to both (the follower forwards to the leader); the test
 * plays the API server, persisting each admitted pod with the patch applied. Then: zero double
 * bookings (independent checker), a restarted replica rebuilds the same bookings, pods that were
 * never persisted release their slots, and readapt evicts through the Eviction API honouring PDBs.
 */
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import fastJsonPatch from 'fast-json-patch';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HOSTNAME_LABEL, decodeDecision, decodePodContract, type PodContract } from '@nmaas/sdk/contract';
import { tool, TempDirs } from '@nmaas/sdk/testing';
import { checkPlacement, instanceFromContract, nodeSpecFromOffer, type InstanceSpec } from '../engine/index.js';
import { ClientNodeKubeApi, loadKubeConfig } from '../kube/client-node-api.js';
import { FakeApiServer } from '../kube/fake-api-server.js';
import type { KubeApi, Pod } from '../kube/types.js';
import { generateCertificates, type CertificateFiles } from './certificates.js';
import { startClusterReplica, type ClusterReplicaOptions, type Replica } from './runtime.js';
import { BOOKING_ID_ANNOTATION } from './state.js';
import { admissionReview, contract, contractPod, measurementNode, patchOf, post } from './testing.js';

/** Temp folders of this file's tests, removed after them. */
const temp = new TempDirs('ha');
afterAll(() => temp.removeAll());

const openssl = tool('openssl', 'apt-get install openssl');
const { applyPatch } = fastJsonPatch;

let certs: CertificateFiles;
let ca: Buffer;
let fake: FakeApiServer;
let api: KubeApi;
const agent = new https.Agent({ keepAlive: true, maxSockets: 64 });
const replicas: Replica[] = [];

const until = async (what: string, ok: () => boolean, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

async function replica(identity: string, extra: Partial<ClusterReplicaOptions> = {}): Promise<Replica> {
  const r = await startClusterReplica({
    api,
    certFile: certs.certFile,
    keyFile: certs.keyFile,
    port: 0,
    host: '127.0.0.1',
    // Realistic ratios, shortened: the renew deadline must survive a loaded event loop (1,000 TLS handshakes).
    election: {
      namespace: 'nmaas-system',
      name: 'nmaas-scheduler',
      identity,
      leaseDurationMs: 6000,
      renewDeadlineMs: 4000,
      retryPeriodMs: 200,
      settleMs: 300,
    },
    // Everything (client, both replicas, the API server) shares this test process: be patient.
    forward: { ca, timeoutMs: 30_000 },
    state: { pendingTtlMs: 1500 },
    reconcileEveryMs: 100,
    ...extra,
  });
  replicas.push(r);
  return r;
}

/** Plays the API server: admission, then persistence of the patched pod (as the ReplicaSet controller's create). */
async function createThrough(
  r: Replica,
  pod: Pod,
  persist = true,
): Promise<{ allowed: boolean; message?: string; pod?: Pod }> {
  const answer = await post(r.url, JSON.stringify(admissionReview(pod)), { ca, agent });
  if (answer.status !== 200) throw new Error(`HTTP ${answer.status}: ${answer.body}`);
  const review = answer.json();
  if (!review.response.allowed) return { allowed: false, message: review.response.status.message };
  const final = applyPatch(structuredClone(pod), patchOf(review) as fastJsonPatch.Operation[], true, false).newDocument;
  return { allowed: true, pod: persist ? fake.create('pods', final) : final };
}

/**
 * createThrough as a controller sees it: a refusal while no replica may decide (leader election in progress)
 * is retried, as the controller's back-off would, for a bounded time; any other answer is returned.
 */
async function createWhenLed(r: Replica, pod: Pod, persist = true): ReturnType<typeof createThrough> {
  const end = Date.now() + 15_000;
  for (;;) {
    const answer = await createThrough(r, pod, persist);
    if (answer.allowed || !/leader election in progress/.test(answer.message ?? '') || Date.now() > end) return answer;
    await new Promise((res) => setTimeout(res, 100));
  }
}

function persistedPlacement(): {
  nodes: ReturnType<typeof nodeSpecFromOffer>[];
  instances: InstanceSpec[];
  placed: { id: string; node: string; phase: number }[];
} {
  const instances: InstanceSpec[] = [];
  const placed: { id: string; node: string; phase: number }[] = [];
  for (const p of fake.list<Pod>('pods')) {
    const d = decodeDecision(p.metadata.annotations);
    if (d === null) continue;
    const id = p.metadata.annotations![BOOKING_ID_ANNOTATION]!;
    // The start window runs from the pod's arrival: the API server's creationTimestamp (whole
    // seconds, just after admission), so the checker allows one second more.
    const c = decodePodContract(p.metadata);
    const created = Math.floor(Date.parse(p.metadata.creationTimestamp!) / 1000);
    const release = created % c.everySeconds;
    instances.push(instanceFromContract(id, { ...c, startWithinSeconds: c.startWithinSeconds + 1 }, { release }));
    placed.push({ id, node: d.node, phase: d.phaseSeconds });
  }
  const nodes = replicas[0]!.state ? [...replicas[0]!.state.nodes.values()].map((v) => nodeSpecFromOffer(v.offer)) : [];
  return { nodes, instances, placed };
}

const APPS: PodContract[] = [
  contract('web-qos', {
    everySeconds: 300,
    durationSeconds: 20,
    startWithinSeconds: 300,
    run: { cpu: 250, memory: 128, bandwidth: 20 },
  }),
  contract('streaming-qos', {
    everySeconds: 600,
    durationSeconds: 120,
    startWithinSeconds: 600,
    run: { cpu: 500, memory: 256, bandwidth: 300 },
  }),
  contract('dns-probe', {
    everySeconds: 60,
    durationSeconds: 5,
    startWithinSeconds: 60,
    run: { cpu: 100, memory: 64, bandwidth: 1 },
  }),
  contract('bulk', {
    everySeconds: 900,
    durationSeconds: 300,
    startWithinSeconds: 900,
    exclusive: true,
    run: { cpu: 1000, memory: 512, bandwidth: 800 },
  }),
  contract('edge-only', {
    everySeconds: 300,
    durationSeconds: 60,
    startWithinSeconds: 120,
    nodeSelector: { 'nmaas.io/pool': 'edge' },
    antiAffinity: ['bulk'],
  }),
];

/**
 * The cases after the 1,000 admissions need room the crowd cannot have taken (how many of them are placed
 * depends on the machine's speed): a pool of nodes added only after it, and an app selecting that pool.
 */
const SPARE_POOL = 'spare';
const SPARE: PodContract = contract('spare-probe', {
  everySeconds: 60,
  durationSeconds: 5,
  startWithinSeconds: 60,
  run: { cpu: 100, memory: 64, bandwidth: 1 },
  nodeSelector: { 'nmaas.io/pool': SPARE_POOL },
});

describe.skipIf(openssl.skip)('two webhook replicas on one API server', () => {
  beforeAll(async () => {
    certs = await generateCertificates(await temp.make());
    ca = await readFile(certs.caFile);
    agent.options.ca = ca;
    fake = new FakeApiServer({ tls: { cert: await readFile(certs.certFile), key: await readFile(certs.keyFile) } });
    api = new ClientNodeKubeApi(loadKubeConfig({ server: await fake.start(), caFile: certs.caFile }));
    for (let i = 0; i < 80; i++) fake.create('nodes', measurementNode(`edge-${i}`, 'edge'));
    for (let i = 0; i < 20; i++)
      fake.create('nodes', measurementNode(`core-${i}`, 'core', { cpu: 4000, memory: 8192, bandwidth: 2000 }));
    fake.create('nodes', { metadata: { name: 'control-plane', labels: { [HOSTNAME_LABEL]: 'control-plane' } } });
  });
  afterAll(async () => {
    for (const r of replicas) await r.stop().catch(() => {});
    agent.destroy();
    await fake.stop();
  });

  it('1,000 concurrent admissions spread over both replicas: zero double bookings', async () => {
    const a = await replica('replica-a');
    const b = await replica('replica-b');
    await until('a leader able to decide', () => a.leader!.canDecide() || b.leader!.canDecide());
    expect(a.state.nodes.size).toBe(100);
    const pods = Array.from({ length: 1000 }, (_, i) =>
      contractPod(APPS[i % APPS.length]!, { ownerUid: `rs-${i % 40}` }),
    );
    const results = await Promise.all(pods.map((p, i) => createThrough(i % 2 === 0 ? a : b, p)));
    const placed = results.filter((r) => r.allowed).length;
    const refused = results.filter((r) => !r.allowed);
    expect(placed).toBeGreaterThan(500);
    // A refusal always says why: the engine's reason, or (when the leader's renewals fall behind under
    // this load, all in one process) that no replica may decide at this instant.
    for (const r of refused) expect(r.message).toMatch(/cannot place .*: \S+|leader election in progress/);
    const follower = a.leader!.isLeader ? b : a;
    expect(follower.server.stats.forwarded).toBeGreaterThan(0);

    const { nodes, instances, placed: positions } = persistedPlacement();
    expect(positions).toHaveLength(placed);
    expect(new Set(positions.map((p) => p.id)).size).toBe(placed);
    const report = checkPlacement(nodes, { horizon: 3600, instances }, positions);
    expect(report.problems.slice(0, 3)).toEqual([]);
    expect(report.competingSlotSeconds).toBe(0);
    expect(report.violations).toBe(0);
    // Both replicas' watches converge on the persisted bookings.
    for (const r of [a, b]) await until('watch convergence', () => r.state.engine.bookings().length === placed);
  }, 120_000);

  it('a restarted replica rebuilds the same bookings, and the survivor takes over', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const leader = a.leader!.isLeader ? a : b;
    const survivor = leader === a ? b : a;
    for (let i = 0; i < 2; i++) fake.create('nodes', measurementNode(`spare-${i}`, SPARE_POOL));
    await until('the survivor to watch the spare nodes', () => survivor.state.nodes.size === 102);
    const before = leader.state.engine
      .bookings()
      .map((x) => `${x.id}@${x.node}+${x.phase}`)
      .sort();
    await leader.stop();
    replicas.splice(replicas.indexOf(leader), 1);
    const restarted = await replica(leader === a ? 'replica-a' : 'replica-b');
    expect(
      restarted.state.engine
        .bookings()
        .map((x) => `${x.id}@${x.node}+${x.phase}`)
        .sort(),
    ).toEqual(before);
    await until('the survivor to lead', () => survivor.leader!.canDecide() || restarted.leader!.canDecide());
    await until('the restarted replica to know the leader', () => restarted.leader!.leaderUrl !== undefined);
    const after = await createWhenLed(restarted, contractPod(SPARE, { ownerUid: 'rs-after' }));
    expect(after).toMatchObject({ allowed: true });
  }, 60_000);

  it('a pod refused later in the admission chain (never persisted) releases its slot', async () => {
    const r = replicas[0]!;
    const leader = replicas.find((x) => x.leader!.canDecide()) ?? r;
    const before = leader.state.engine.bookings().length;
    const ghost = await createWhenLed(r, contractPod(SPARE, { ownerUid: 'rs-ghost' }), false);
    expect(ghost).toMatchObject({ allowed: true });
    expect(leader.state.engine.bookings().length).toBe(before + 1);
    await until('the reconciler', () => leader.state.engine.bookings().length === before, 10_000);
  }, 30_000);

  it('a copy of a persisted pod (same booking id) gets its own booking or a refusal, never a shared one', async () => {
    await until('a leader able to decide', () => replicas.some((x) => x.leader!.canDecide()));
    const leader = replicas.find((x) => x.leader!.canDecide())!;
    const original = await createWhenLed(leader, contractPod(SPARE, { ownerUid: 'rs-copy' }));
    expect(original).toMatchObject({ allowed: true });
    const id = original.pod!.metadata.annotations![BOOKING_ID_ANNOTATION]!;
    await until('the watch', () => leader.state.podOf(id) !== null);
    const copy: Pod = {
      ...structuredClone(original.pod!),
      metadata: {
        ...structuredClone(original.pod!.metadata),
        name: undefined,
        generateName: 'copy-',
        uid: undefined,
        resourceVersion: undefined,
      },
    };
    const answer = await createWhenLed(leader, copy);
    if (answer.allowed) {
      expect(answer.pod!.metadata.annotations![BOOKING_ID_ANNOTATION]).not.toBe(id);
      expect(decodeDecision(answer.pod!.metadata.annotations)).toEqual(
        decodeDecision(original.pod!.metadata.annotations),
      );
    } else expect(answer.message).toMatch(/competes/);
    const { nodes, instances, placed } = persistedPlacement();
    expect(checkPlacement(nodes, { horizon: 3600, instances }, placed).competingSlotSeconds).toBe(0);
  });

  it('a dry run books nothing, even through the follower', async () => {
    await until('a leader able to decide', () => replicas.some((x) => x.leader!.canDecide()));
    const leader = replicas.find((x) => x.leader!.canDecide())!;
    const follower = replicas.find((x) => x !== leader)!;
    const before = leader.state.engine.bookings().length;
    const answer = await post(follower.url, JSON.stringify(admissionReview(contractPod(SPARE), { dryRun: true })), {
      ca,
      agent,
    });
    expect(answer.json().response).toMatchObject({ allowed: true });
    expect(
      decodeDecision(
        applyPatch(contractPod(SPARE), patchOf(answer.json()) as fastJsonPatch.Operation[], true, false).newDocument
          .metadata.annotations,
      ),
    ).not.toBeNull();
    expect(leader.state.engine.bookings().length).toBe(before);
  });
});

describe.skipIf(openssl.skip)('readapt through the Eviction API', () => {
  let fake2: FakeApiServer;
  let r: Replica;
  const big = (app: string) =>
    contract(app, {
      everySeconds: 60,
      durationSeconds: 60,
      startWithinSeconds: 59,
      run: { cpu: 100, memory: 64, bandwidth: 60 },
    });

  beforeEach(async () => {
    // Evicted pods terminate gracefully: MODIFIED (deletionTimestamp) first, DELETED 150 ms later.
    fake2 = new FakeApiServer({
      evictionGraceMs: 150,
      tls: { cert: await readFile(certs.certFile), key: await readFile(certs.keyFile) },
    });
    const api2 = new ClientNodeKubeApi(loadKubeConfig({ server: await fake2.start(), caFile: certs.caFile }));
    fake2.create('nodes', measurementNode('n1', 'edge', { cpu: 2000, memory: 4096, bandwidth: 100 }));
    fake2.create('nodes', measurementNode('n2', 'edge', { cpu: 2000, memory: 4096, bandwidth: 100 }));
    r = await startClusterReplica({
      api: api2,
      certFile: certs.certFile,
      keyFile: certs.keyFile,
      port: 0,
      host: '127.0.0.1',
      migrations: 2,
      election: {
        namespace: 'nmaas-system',
        name: 'nmaas-scheduler',
        identity: 'solo',
        // One replica, so nothing waits on the lease expiring: long enough to survive a loaded machine.
        leaseDurationMs: 6000,
        renewDeadlineMs: 4000,
        retryPeriodMs: 100,
        settleMs: 100,
      },
    });
    await until('leadership', () => r.leader!.canDecide());
  });
  afterEach(async () => {
    await r.stop();
    await fake2.stop();
  });

  async function through(pod: Pod): Promise<{ allowed: boolean; message?: string; pod?: Pod }> {
    const answer = await post(r.url, JSON.stringify(admissionReview(pod)), { ca, agent });
    const review = answer.json();
    if (!review.response.allowed) return { allowed: false, message: review.response.status.message };
    const final = applyPatch(
      structuredClone(pod),
      patchOf(review) as fastJsonPatch.Operation[],
      true,
      false,
    ).newDocument;
    return { allowed: true, pod: fake2.create('pods', final) };
  }

  /** Places `c`, then a pod pinned to the same node that fits only if the first one moves. */
  async function crowd(c: PodContract, labels: Record<string, string> = {}) {
    const first = contractPod(c, { ownerUid: `rs-${c.app}` });
    first.metadata.labels = { ...first.metadata.labels, ...labels };
    const x = await through(first);
    expect(x.allowed).toBe(true);
    const id = x.pod!.metadata.annotations![BOOKING_ID_ANNOTATION]!;
    await until('watch', () => r.state.podOf(id) !== null);
    const pinned = contractPod(big('pinned'), { ownerUid: 'rs-pinned' });
    (pinned.spec as any).nodeSelector = { [HOSTNAME_LABEL]: decodeDecision(x.pod!.metadata.annotations)!.node };
    return { x, id, y: await through(pinned) };
  }

  it('moves a placed pod by evicting it, and its replacement lands where the plan says', async () => {
    const { x, id, y } = await crowd(big('mover'));
    const xNode = decodeDecision(x.pod!.metadata.annotations)!.node;
    expect(y.message ?? '').toBe('');
    expect(y.allowed).toBe(true);
    expect(fake2.get<Pod>('pods', 'measurements', x.pod!.metadata.name!)?.metadata.deletionTimestamp).toBeDefined(); // evicted, terminating
    const planned = r.state.placementOf(id)!;
    expect(planned.node).not.toBe(xNode);
    await until(
      'the evicted pod to be gone',
      () => fake2.get('pods', 'measurements', x.pod!.metadata.name!) === undefined,
    );
    await new Promise((res) => setTimeout(res, 100)); // its MODIFIED and DELETED events reach the watch
    expect(r.state.placementOf(id)).toEqual(planned);
    // The ReplicaSet re-creates the moved pod: it gets the planned slot and the same booking.
    const replacement = await through(contractPod(big('mover'), { ownerUid: 'rs-mover' }));
    expect(replacement.allowed).toBe(true);
    expect(decodeDecision(replacement.pod!.metadata.annotations)).toEqual({
      node: planned.node,
      phaseSeconds: planned.phase,
    });
    expect(replacement.pod!.metadata.annotations![BOOKING_ID_ANNOTATION]).toBe(id);
    await until('watch', () => r.state.podOf(id)?.name === replacement.pod!.metadata.name);
    const { nodes, instances, placed } = (() => {
      const inst: InstanceSpec[] = [];
      const pl: { id: string; node: string; phase: number }[] = [];
      for (const p of fake2.list<Pod>('pods')) {
        const d = decodeDecision(p.metadata.annotations)!;
        inst.push(instanceFromContract(p.metadata.annotations![BOOKING_ID_ANNOTATION]!, decodePodContract(p.metadata)));
        pl.push({ id: p.metadata.annotations![BOOKING_ID_ANNOTATION]!, node: d.node, phase: d.phaseSeconds });
      }
      return { nodes: [...r.state.nodes.values()].map((v) => nodeSpecFromOffer(v.offer)), instances: inst, placed: pl };
    })();
    expect(checkPlacement(nodes, { horizon: 3600, instances }, placed).competingSlotSeconds).toBe(0);
  });

  /** An `anchor` pod pinned to n1, then a `follower` whose affinity requires anchor (so it lands on n1). */
  async function pair(followerLabels: Record<string, string> = {}) {
    const anchor = contractPod(contract('anchor'), { ownerUid: 'rs-anchor' });
    (anchor.spec as any).nodeSelector = { [HOSTNAME_LABEL]: 'n1' };
    const a = await through(anchor);
    expect(a.allowed).toBe(true);
    const follower = contractPod(contract('follower', { affinity: ['anchor'] }), { ownerUid: 'rs-follower' });
    follower.metadata.labels = { ...follower.metadata.labels, ...followerLabels };
    const f = await through(follower);
    expect(f.allowed).toBe(true);
    expect(decodeDecision(f.pod!.metadata.annotations)!.node).toBe('n1');
    const ids = [a, f].map((x) => x.pod!.metadata.annotations![BOOKING_ID_ANNOTATION]!);
    await until('watch', () => ids.every((id) => r.state.podOf(id) !== null));
    return { anchor: a.pod!, follower: f.pod! };
  }

  it('evicts a pod whose affinity partner left its node, so no booking silently breaks the rule', async () => {
    const { anchor, follower } = await pair();
    expect(r.state.affinityOrphans()).toEqual([]);
    fake2.delete('pods', 'measurements', anchor.metadata.name!);
    await until(
      'the follower to be evicted',
      () =>
        fake2.get<Pod>('pods', 'measurements', follower.metadata.name!)?.metadata.deletionTimestamp !== undefined ||
        fake2.get('pods', 'measurements', follower.metadata.name!) === undefined,
    );
    await until(
      'the follower to be gone',
      () => fake2.get('pods', 'measurements', follower.metadata.name!) === undefined,
    );
    await until(
      'its booking released',
      () => r.state.affinityOrphans().length === 0 && r.state.engine.bookings().length === 0,
    );
  });

  it('a PodDisruptionBudget holds an orphaned pod: it stays, counted as an orphan, and is retried', async () => {
    fake2.create('poddisruptionbudgets', {
      metadata: { name: 'keep-follower', namespace: 'measurements' },
      spec: { selector: { matchLabels: { pdb: 'on' } }, minAvailable: 1 },
    });
    const { anchor, follower } = await pair({ pdb: 'on' });
    fake2.delete('pods', 'measurements', anchor.metadata.name!);
    await until('the anchor released', () => r.state.affinityOrphans().length === 1);
    const blocked = await r.decider.service.maintainAffinity();
    expect(blocked.evicted).toEqual([]);
    expect(blocked.blocked).toEqual([{ pod: `measurements/${follower.metadata.name}`, cause: 'disruption-budget' }]);
    expect(fake2.get<Pod>('pods', 'measurements', follower.metadata.name!)?.metadata.deletionTimestamp).toBeUndefined();
  });

  it('refuses the new pod and keeps the old one when a PodDisruptionBudget forbids the eviction', async () => {
    fake2.create('poddisruptionbudgets', {
      metadata: { name: 'keep', namespace: 'measurements' },
      spec: { selector: { matchLabels: { pdb: 'on' } }, minAvailable: 1 },
    });
    const before = () =>
      r.state.engine
        .bookings()
        .map((b) => `${b.id}@${b.node}+${b.phase}`)
        .sort();
    const { x, id, y } = await crowd(big('guarded'), { pdb: 'on' });
    expect(y.allowed).toBe(false);
    expect(y.message).toMatch(/PodDisruptionBudget/);
    expect(fake2.get('pods', 'measurements', x.pod!.metadata.name!)).toBeDefined();
    expect(r.state.placementOf(id)).toEqual({
      node: decodeDecision(x.pod!.metadata.annotations)!.node,
      phase: decodeDecision(x.pod!.metadata.annotations)!.phaseSeconds,
    });
    expect(before()).toHaveLength(1);
  });
});
