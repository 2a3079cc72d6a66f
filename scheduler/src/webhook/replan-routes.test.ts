/**
 * The re-plan in a running replica (fake API server, real client, real HTTPS): GET /replan shows
 * the moves and changes nothing; POST /replan is off without a token, refuses a wrong one, and with
 * the right one carries the plan out; the periodic re-plan runs only when an interval is given.
 */
import { readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import fastJsonPatch from 'fast-json-patch';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HOSTNAME_LABEL, decodeDecision, type PodContract } from '@nmaas/sdk/contract';
import { TempDirs, tool } from '@nmaas/sdk/testing';
import { ClientNodeKubeApi, loadKubeConfig } from '../kube/client-node-api.js';
import { FakeApiServer } from '../kube/fake-api-server.js';
import type { Pod } from '../kube/types.js';
import { generateCertificates, type CertificateFiles } from './certificates.js';
import { inProcessSearch, type workerSearch } from './replan-search.js';
import { startClusterReplica, type ClusterReplicaOptions, type Replica } from './runtime.js';
import { contract, contractPod, measurementNode, patchOf, post, admissionReview, REPO_ROOT } from './testing.js';
import { instanceSpec } from '../engine/testing.js';

const temp = new TempDirs('replan-routes');
const openssl = tool('openssl', 'apt-get install openssl');
const { applyPatch } = fastJsonPatch;

/** Idle memory 3,000 of a node's 4,096: two never share a node, whatever their phases. Runs 1 s a minute. */
const heavy = (app: string): PodContract =>
  contract(app, {
    everySeconds: 60,
    durationSeconds: 1,
    startWithinSeconds: 59,
    run: { cpu: 100, memory: 3000, bandwidth: 1 },
    idle: { cpu: 10, memory: 3000 },
  });

let certs: CertificateFiles;
let ca: Buffer;
let fake: FakeApiServer;
let replica: Replica;
let tokenFile: string;

const until = async (what: string, ok: () => boolean, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

function request(method: string, route: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
    const req = https.request(new URL(route, replica.url), { method, ca, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function start(replan: ClusterReplicaOptions['replan']): Promise<void> {
  fake = new FakeApiServer({ tls: { cert: await readFile(certs.certFile), key: await readFile(certs.keyFile) } });
  const api = new ClientNodeKubeApi(loadKubeConfig({ server: await fake.start(), caFile: certs.caFile }));
  for (const n of ['n1', 'n2']) fake.create('nodes', measurementNode(n, 'edge'));
  replica = await startClusterReplica({
    api,
    certFile: certs.certFile,
    keyFile: certs.keyFile,
    port: 0,
    host: '127.0.0.1',
    election: {
      namespace: 'nmaas-system',
      name: 'nmaas-scheduler',
      identity: 'solo',
      leaseDurationMs: 1000,
      renewDeadlineMs: 700,
      retryPeriodMs: 100,
      settleMs: 100,
    },
    ...(replan !== undefined ? { replan } : {}),
  });
  await until('leadership', () => replica.leader!.canDecide());
}

/** Admits and persists `heavy('mover')`, then a pod pinned to its node, refused (its controller retries). */
async function crowd(): Promise<{ mover: Pod; node: string }> {
  const pod = contractPod(heavy('mover'), { ownerUid: 'rs-mover' });
  const answer = (await post(replica.url, JSON.stringify(admissionReview(pod)), { ca })).json();
  expect(answer.response.allowed).toBe(true);
  const mover = fake.create(
    'pods',
    applyPatch(structuredClone(pod), patchOf(answer) as fastJsonPatch.Operation[], true, false).newDocument,
  );
  const node = decodeDecision(mover.metadata.annotations)!.node;
  await until('the watch', () => replica.state.engine.bookings().length === 1 && replica.state.tracked.size === 1);
  await until('the pod persisted', () => [...replica.state.tracked.values()][0]!.podName !== undefined);
  const pinned = contractPod(heavy('pinned'), { ownerUid: 'rs-pinned' });
  (pinned.spec as Record<string, unknown>).nodeSelector = { [HOSTNAME_LABEL]: node };
  const refused = (await post(replica.url, JSON.stringify(admissionReview(pinned)), { ca })).json();
  expect(refused.response.allowed).toBe(false);
  return { mover, node };
}

describe.skipIf(openssl.skip)('re-plan routes and the periodic re-plan', () => {
  beforeAll(async () => {
    const dir = await temp.make();
    certs = await generateCertificates(dir);
    ca = await readFile(certs.caFile);
    tokenFile = path.join(dir, 'replan-token');
    await writeFile(tokenFile, 'sesame\n');
  });
  afterAll(() => temp.removeAll());
  afterEach(async () => {
    await replica?.stop();
    await fake?.stop();
  });

  const settings = { maxMigrations: 2, timeLimitSeconds: 2, maxWaitSeconds: 30, guardSeconds: 0 };

  it('GET previews; POST is off without a token file; nothing moves without an interval', async () => {
    await start(undefined);
    const { mover } = await crowd();
    const preview = await request('GET', '/replan');
    expect(preview.status).toBe(200);
    const moves = preview.json.moves as { kind: string; pod: string }[];
    expect(moves.map((m) => m.kind).sort()).toEqual(['move', 'place']);
    expect(moves.find((m) => m.kind === 'move')!.pod).toBe(`measurements/${mover.metadata.name}`);
    const post = await request('POST', '/replan', { authorization: 'Bearer sesame' });
    expect(post.status).toBe(403);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.get('pods', 'measurements', mover.metadata.name!)).toBeDefined();
  });

  it('POST with the token carries the plan out; a wrong token is refused', async () => {
    await start({ ...settings, intervalSeconds: 0, tokenFile });
    const { mover, node } = await crowd();
    expect((await request('POST', '/replan')).status).toBe(401);
    expect((await request('POST', '/replan', { authorization: 'Bearer open' })).status).toBe(401);
    expect(fake.get('pods', 'measurements', mover.metadata.name!)).toBeDefined();
    const run = await request('POST', '/replan', { authorization: 'Bearer sesame' });
    expect(run.status).toBe(200);
    const outcomes = (run.json.outcomes as { outcome: string }[]).map((o) => o.outcome).sort();
    expect(outcomes).toEqual(['moved', 'reserved']);
    expect(fake.get('pods', 'measurements', mover.metadata.name!)).toBeUndefined();
    const events = fake.list<Pod & { reason?: string }>('events').map((e) => e.reason);
    expect(events).toEqual(['Replanned']);
    // The refused pod's controller asks again: it gets the slot kept on the node it is pinned to.
    const pinned = contractPod(heavy('pinned'), { ownerUid: 'rs-pinned' });
    (pinned.spec as Record<string, unknown>).nodeSelector = { [HOSTNAME_LABEL]: node };
    const again = (await post(replica.url, JSON.stringify(admissionReview(pinned)), { ca })).json();
    expect(again.response.allowed).toBe(true);
    const metrics = await replica.server.metrics.text();
    expect(metrics).toMatch(/nmaas_scheduler_replan_moves_total\{outcome="moved"\} 1/);
    expect(metrics).toMatch(/nmaas_scheduler_replan_runs_total\{result="applied"\} 1/);
  });

  it('with an interval, the leader re-plans on its own', async () => {
    await start({ ...settings, intervalSeconds: 0.2 });
    const { mover } = await crowd();
    await until('the periodic re-plan to move the pod', () => !fake.get('pods', 'measurements', mover.metadata.name!));
  });
});

describe('the search in a worker thread', () => {
  it('gives the plan the in-process search gives (the compiled worker from dist/)', async () => {
    const dist = path.join(REPO_ROOT, 'scheduler/dist/webhook/replan-search.js');
    const built = (await import(dist)) as { workerSearch: typeof workerSearch };
    const nodes = [{ name: 'n1', pool: 'edge', labels: {}, capacity: { cpu: 2000, memory: 4096, bandwidth: 100 } }];
    const input = {
      nodes,
      apps: {
        horizon: 3600,
        instances: ['a', 'b'].map((id) => instanceSpec(id, { run: { cpu: 100, memory: 64, bandwidth: 60 } })),
      },
      placed: [{ id: 'a', node: 'n1', phase: 10 }],
      options: { migrations: 1, timeLimitSeconds: 2, seed: 3 },
    };
    const inWorker = await built.workerSearch(input);
    const inProcess = await inProcessSearch(input);
    expect(inWorker.after).toEqual(inProcess.after);
    expect(inWorker.placed).toEqual(inProcess.placed);
    expect(inWorker.after.placed).toBe(2);
  });
});
