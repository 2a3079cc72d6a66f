/**
 * The webhook's bounds under hostile or excessive load: a connection that never starts TLS, slow
 * headers, more connections than allowed, and more decisions than can be answered in time. Each
 * bound is configured small here; the test checks it is enforced (and well before Node's defaults).
 */
import net from 'node:net';
import tls from 'node:tls';
import https from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool } from '@nmaas/sdk/testing';
import { generateCertificates, type CertificateFiles } from './certificates.js';
import { AdmissionService } from './admission-service.js';
import { Decider } from './decider.js';
import { startDevReplica, type Replica } from './runtime.js';
import { WebhookServer } from './server.js';
import { ReloadingHttpsServer } from './tls-server.js';
import { SchedulerState } from './state.js';
import { admissionReview, contract, contractPod, measurementNode, post } from './testing.js';

const openssl = tool('openssl', 'apt-get install openssl');

/** Resolves with how long the server took to close a socket (ms), or rejects after `withinMs`. */
function closedWithin(socket: net.Socket, withinMs: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for more than ${withinMs} ms`));
    }, withinMs);
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(performance.now() - started);
    });
  });
}

describe.skipIf(openssl.skip)('webhook connection bounds', () => {
  let dir: string;
  let ca: Buffer;
  let replica: Replica;
  let port: number;
  let certs: CertificateFiles;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'nmaas-limits-'));
    certs = await generateCertificates(dir);
    ca = await readFile(certs.caFile);
    replica = await startDevReplica({
      certFile: certs.certFile,
      keyFile: certs.keyFile,
      port: 0,
      nodes: [measurementNode('edge-1', 'edge')],
      limits: {
        maxConnections: 4,
        handshakeTimeoutMs: 300,
        headersTimeoutMs: 400,
        requestTimeoutMs: 600,
        checkEveryMs: 100,
      },
    });
    port = Number(new URL(replica.url).port);
  });

  afterAll(async () => {
    await replica?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('closes a connection that never starts TLS after the handshake timeout', async () => {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    await closedWithin(socket, 5_000);
  });

  it('closes a connection whose headers never complete after the headers timeout', async () => {
    const socket = tls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost' });
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    socket.write('POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    await closedWithin(socket, 5_000);
    expect(Buffer.concat(chunks).toString()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('refuses connections beyond the limit, and serves again once they are gone', async () => {
    const held = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const s = tls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost' });
        s.on('error', () => {});
        await new Promise((resolve) => s.once('secureConnect', resolve));
        return s;
      }),
    );
    const extra = net.connect(port, '127.0.0.1');
    await closedWithin(extra, 5_000);
    for (const s of held) s.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const agent = new https.Agent({ keepAlive: false });
    const answer = await post(replica.url, JSON.stringify(admissionReview(contractPod(contract('probe')))), {
      ca,
      agent,
    });
    expect(answer.status).toBe(200);
    expect(answer.json().response.allowed).toBe(true);
    agent.destroy();
  });

  it('a new leader holds a review while it settles in only as long as leaderWaitMs, else answers 503', async () => {
    let decideFrom = 0;
    const leader = new WebhookServer({
      certFile: certs.certFile,
      keyFile: certs.keyFile,
      decider: replica.decider,
      leaderWaitMs: 400,
      leadership: {
        canDecide: () => performance.now() >= decideFrom,
        isLeader: true,
        msUntilDecide: () => Math.max(0, decideFrom - performance.now()),
        leaderUrl: undefined,
      },
    });
    const url = await leader.listen(0, '127.0.0.1');
    const agent = new https.Agent({ keepAlive: false });
    const review = () => post(url, JSON.stringify(admissionReview(contractPod(contract('probe')))), { ca, agent });
    try {
      decideFrom = performance.now() + 150;
      const held = await review();
      expect(held.json().response.allowed).toBe(true);
      expect(performance.now()).toBeGreaterThanOrEqual(decideFrom);

      decideFrom = performance.now() + 1_000; // beyond the 400 ms this leader holds a review
      const refused = await review();
      expect(refused.json().response).toMatchObject({ allowed: false, status: { code: 503 } });
      expect(refused.json().response.status.message).toMatch(/leader election in progress/);
      expect(performance.now()).toBeLessThan(decideFrom);
    } finally {
      agent.destroy();
      await leader.close();
    }
  });
});

describe.skipIf(openssl.skip)('handshakes in progress', () => {
  it('closes at once a connection beyond the handshakes in progress, and admits again when one ends', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'nmaas-handshakes-'));
    const certs = await generateCertificates(dir);
    // The handshake timeout is far away: a close within the test's bound is the handshake limit.
    const server = new ReloadingHttpsServer(
      { ...certs, limits: { maxHandshakes: 2, handshakeTimeoutMs: 60_000 } },
      (_req, res) => res.end('ok'),
    );
    const { port } = await server.listen(0, '127.0.0.1');
    const until = async (what: string, ok: () => boolean) => {
      for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
      if (!ok()) throw new Error(`timed out waiting for ${what}`);
    };
    try {
      // Two connections that never start TLS occupy both handshake places.
      const held = [net.connect(port, '127.0.0.1'), net.connect(port, '127.0.0.1')];
      for (const s of held) s.on('error', () => {});
      await until('two handshakes in progress', () => server.handshakes === 2);
      const extra = net.connect(port, '127.0.0.1');
      await closedWithin(extra, 5_000);
      expect(server.refusedHandshakes).toBe(1);
      held[0]!.destroy();
      await until('a free handshake place', () => server.handshakes === 1);
      const ca = await readFile(certs.caFile);
      const client = tls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost' });
      await new Promise((resolve, reject) => {
        client.once('secureConnect', resolve);
        client.once('error', reject);
      });
      // A finished handshake frees its place: only the idle raw connection is still handshaking.
      await until('the handshake counted as done', () => server.handshakes === 1);
      expect(server.handshakeLatency()).toMatchObject({ count: 1 });
      client.destroy();
      held[1]!.destroy();
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('load shedding', () => {
  function decider(maxPending?: number): Decider & { state: SchedulerState } {
    const state = new SchedulerState({ confirmOnAdmit: true });
    state.syncNodes([measurementNode('edge-1', 'edge', { cpu: 64000, memory: 65536, bandwidth: 100000 })]);
    return Object.assign(new Decider(new AdmissionService(state), { maxPending }), { state });
  }

  it('refuses at once, with a retryable 503, what exceeds the queue bound; the rest is decided', async () => {
    const d = decider(3);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => d.mutate(contractPod(contract(`probe-${i}`)), 'm', false)),
    );
    expect(outcomes.filter((o) => o.allowed)).toHaveLength(3);
    for (const o of outcomes.filter((x) => !x.allowed)) {
      expect(o.code).toBe(503);
      expect(o.message).toMatch(/overloaded.*retry/);
    }
    expect(d.shed.queueFull).toBe(7);
    expect(d.state.engine.bookings()).toHaveLength(3);
    expect(d.queued).toBe(0);
    expect((await d.mutate(contractPod(contract('later')), 'm', false)).allowed).toBe(true);
  });

  it('a decision whose turn comes after its deadline is refused without booking', async () => {
    const d = decider();
    const late = await d.mutate(contractPod(contract('late')), 'm', false, performance.now() - 1);
    expect(late).toMatchObject({ allowed: false, code: 503 });
    expect(d.shed.lateStart).toBe(1);
    expect(d.state.engine.bookings()).toHaveLength(0);
    const onTime = await d.mutate(contractPod(contract('on-time')), 'm', false, performance.now() + 60_000);
    expect(onTime.allowed).toBe(true);
  });
});
