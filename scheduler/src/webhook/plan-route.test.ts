import { readFile } from 'node:fs/promises';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool, TempDirs } from '@nmaas/sdk/testing';
import { checkPlacement, parseApps, parseNodes, parsePlacement } from '../engine/index.js';
import { generateCertificates, type CertificateFiles } from './certificates.js';
import type { LivePlan } from './live-plan.js';
import { planRequest } from './plan-route.js';
import { startDevReplica, type Replica } from './runtime.js';
import { WebhookServer } from './server.js';
import { admissionReview, contract, contractPod, httpsGet, measurementNode, post } from './testing.js';

const temp = new TempDirs('wh-plan');
afterAll(() => temp.removeAll());
const openssl = tool('openssl', 'apt-get install openssl');

describe('what a GET /plan asks for', () => {
  it('SVG by default and for browsers, JSON on ?format=json or an Accept of JSON only', () => {
    expect(planRequest('/plan', undefined).format).toBe('svg');
    expect(planRequest('/plan', 'text/html,image/svg+xml,*/*;q=0.8').format).toBe('svg');
    expect(planRequest('/plan', 'application/json').format).toBe('json');
    expect(planRequest('/plan?format=json', 'image/svg+xml').format).toBe('json');
    expect(planRequest('/plan?format=svg', 'application/json').format).toBe('svg');
  });

  it('reads node filters (repeated or comma-separated) and a bounded limit; anything else is a 400', () => {
    expect(planRequest('/plan?node=a,b&node=c&limit=5', undefined).query).toEqual({ nodes: ['a', 'b', 'c'], limit: 5 });
    for (const bad of ['/plan?format=png', '/plan?limit=0', '/plan?limit=1001', '/plan?limit=2.5', '/plan?limit=x'])
      expect(() => planRequest(bad, undefined), bad).toThrow(/format must be|limit must be/);
    const many = `/plan?node=${Array.from({ length: 1001 }, (_, k) => `n${k}`).join(',')}`;
    expect(() => planRequest(many, undefined)).toThrow(/at most 1000 node names/);
  });
});

describe.skipIf(openssl.skip)('GET /plan on the webhook (dev mode, HTTPS)', () => {
  let replica: Replica;
  let ca: Buffer;
  let agent: https.Agent;
  let certs: CertificateFiles;

  const get = (path: string, accept?: string, url = replica.url) => httpsGet(new URL(path, url), { ca, agent, accept });

  beforeAll(async () => {
    certs = await generateCertificates(await temp.make());
    ca = await readFile(certs.caFile);
    agent = new https.Agent({ keepAlive: true, ca });
    replica = await startDevReplica({
      certFile: certs.certFile,
      keyFile: certs.keyFile,
      port: 0,
      nodes: [measurementNode('edge-1', 'edge'), measurementNode('edge-2', 'edge'), measurementNode('core-1', 'core')],
    });
    // Two apps that co-run within capacity, and an exclusive one that must run alone.
    const pods = [
      ...Array.from({ length: 6 }, (_, k) => contractPod(contract('web-qos'), { name: `web-qos-${k}` })),
      ...Array.from({ length: 4 }, (_, k) => contractPod(contract('dns-probe'), { name: `dns-probe-${k}` })),
      ...Array.from({ length: 3 }, (_, k) =>
        contractPod(contract('throughput', { exclusive: true, durationSeconds: 60 }), { name: `throughput-${k}` }),
      ),
    ];
    for (const pod of pods) {
      const answer = await post(replica.url, JSON.stringify(admissionReview(pod)), { ca, agent });
      expect(answer.json().response.allowed).toBe(true);
    }
  });
  afterAll(async () => {
    agent.destroy();
    await replica.stop();
  });

  it("answers JSON that is the engine's assignments and passes the independent checker", async () => {
    const answer = await get('/plan?format=json');
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('application/json');
    const plan = JSON.parse(answer.body) as LivePlan;
    const engine = replica.state.engine;
    const held = engine.bookings().map((b) => ({ id: b.id, node: b.node, phase: b.phase }));
    expect(held).toHaveLength(13);
    const sort = (l: { id: string }[]) => [...l].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(sort(plan.placed.map(({ id, node, phase }) => ({ id, node, phase })))).toEqual(sort(held));
    expect(plan).toMatchObject({ horizon: engine.horizon, leader: true, shown: 3, of: 3 });
    expect(plan.note).toBeUndefined();
    // The document is the checker's three inputs, as `nmaas scheduler check` reads them.
    const report = checkPlacement(parseNodes(plan), parseApps(plan), parsePlacement(plan));
    expect(report).toMatchObject({ placed: 13, competingSlotSeconds: 0, violations: 0 });
    expect((await get('/plan', 'application/json')).type).toBe('application/json');
  });

  it('draws the plan as SVG by default, every run named, legend first', async () => {
    const answer = await get('/plan');
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('image/svg+xml; charset=utf-8');
    expect(answer.body.startsWith('<svg')).toBe(true);
    expect(answer.body).toContain('NMaaS live plan: 13 runs on 3 of 3 nodes');
    for (const b of replica.state.engine.bookings()) expect(answer.body).toContain(`>${b.id}</text>`);
    expect(answer.body.indexOf('<g class="legend">')).toBeLessThan(answer.body.indexOf('<g class="node">'));
  });

  it('filters by node and bounds the answer with a note; an unknown node or a bad parameter is an error', async () => {
    const one = JSON.parse((await get('/plan?format=json&node=edge-1')).body) as LivePlan;
    expect(one.nodes.map((n) => n.name)).toEqual(['edge-1']);
    expect(one.placed.every((p) => p.node === 'edge-1')).toBe(true);
    expect(checkPlacement(one.nodes, one, one.placed)).toMatchObject({ competingSlotSeconds: 0, violations: 0 });
    const cut = JSON.parse((await get('/plan?format=json&limit=1')).body) as LivePlan;
    expect(cut).toMatchObject({ shown: 1, of: 3 });
    expect(cut.note).toMatch(/^showing 1 of 3 nodes .* \?node=NAME/);
    expect((await get('/plan?limit=1')).body).toContain('showing 1 of 3 nodes');
    const unknown = await get('/plan?node=nowhere');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).message).toMatch(/no measurement node named nowhere/);
    expect((await get('/plan?format=png')).status).toBe(400);
  });

  it("a follower answers from the state it holds, and says it is a follower's view", async () => {
    const follower = new WebhookServer({
      certFile: certs.certFile,
      keyFile: certs.keyFile,
      decider: replica.decider,
      leadership: { canDecide: () => false, isLeader: false, msUntilDecide: () => 60_000, leaderUrl: undefined },
    });
    const url = await follower.listen(0, '127.0.0.1');
    try {
      const plan = JSON.parse((await get('/plan?format=json', undefined, url)).body) as LivePlan;
      expect(plan.leader).toBe(false);
      expect(plan.placed).toHaveLength(13);
      expect((await get('/plan', undefined, url)).body).toContain('a follower&#39;s view');
    } finally {
      await follower.close();
    }
  });
});
