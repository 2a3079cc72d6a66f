/**
 * Fuzz: 10,000+ malformed or hostile bodies (bad JSON, wrong kinds, huge bodies, missing fields,
 * wrong types everywhere, hostile annotation values) sent over HTTPS to one webhook. Every answer
 * is a 4xx, or an AdmissionReview that echoes the uid and, when it refuses, says why. The process
 * never crashes (an uncaught error would kill this test worker), memory stays bounded, and a
 * well-formed request is still answered correctly at the end. Seeded, so failures reproduce.
 */
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool, TempDirs } from '@nmaas/sdk/testing';
import { Random } from '../simulate/index.js';
import { generateCertificates } from './certificates.js';
import { startDevReplica, type Replica } from './runtime.js';
import { admissionReview, contract, contractPod, measurementNode, post } from './testing.js';

/** Temp folders of this file's tests, removed after them. */
const temp = new TempDirs('fuzz');
afterAll(() => temp.removeAll());

const openssl = tool('openssl', 'apt-get install openssl');

/** Seeded draws from the workload generator's PRNG, so every run sends the same hostile bodies. */
function rng(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}

const HOSTILE_VALUES: unknown[] = [
  null,
  0,
  -1,
  1e308,
  NaN,
  true,
  '',
  ' ',
  'x'.repeat(70_000),
  '\u0000',
  '\ud800',
  '../../etc/passwd',
  '${jndi:ldap://x}',
  '{"a":1}',
  [],
  [null],
  {},
  { __proto__: { polluted: true } },
  { constructor: { prototype: { polluted: true } } },
  '9999999999',
  '-5',
  '1e3',
  '0x10',
  '300.5',
  'cpu=',
  'cpu=1,cpu=2,memory=1Mi',
  'cpu=-1,memory=-1Mi,bandwidth=-1Mbps',
  'cpu=1e309,memory=1Gi',
  'a=b,c',
  'nmaas.io/pool=edge,' + 'k=v,'.repeat(5000),
  'true',
  'TRUE',
  'web-qos,,x',
  '🙂',
  { key: 'kubernetes.io/hostname' },
  [{ name: 'NMAAS_PHASE_SECONDS', valueFrom: {} }],
  'edge-1',
  '0',
  '2147483648',
];

const PATHS: string[][] = [
  ['apiVersion'],
  ['kind'],
  ['request'],
  ['request', 'uid'],
  ['request', 'kind'],
  ['request', 'kind', 'kind'],
  ['request', 'resource'],
  ['request', 'operation'],
  ['request', 'namespace'],
  ['request', 'dryRun'],
  ['request', 'subResource'],
  ['request', 'object'],
  ['request', 'object', 'metadata'],
  ['request', 'object', 'metadata', 'labels'],
  ['request', 'object', 'metadata', 'labels', 'nmaas.io/app'],
  ['request', 'object', 'metadata', 'annotations'],
  ['request', 'object', 'metadata', 'annotations', 'nmaas.io/every-seconds'],
  ['request', 'object', 'metadata', 'annotations', 'nmaas.io/duration-seconds'],
  ['request', 'object', 'metadata', 'annotations', 'nmaas.io/start-within-seconds'],
  ['request', 'object', 'metadata', 'annotations', 'nmaas.io/run-resources'],
  ['request', 'object', 'metadata', 'annotations', 'nmaas.io/idle-resources'],
  ['request', 'object', 'metadata', 'annotations', 'nmaas.io/node-selector'],
  ['request', 'object', 'metadata', 'annotations', 'nmaas.io/affinity'],
  ['request', 'object', 'metadata', 'annotations', 'nmaas.io/anti-affinity'],
  ['request', 'object', 'metadata', 'annotations', 'nmaas.io/exclusive'],
  ['request', 'object', 'metadata', 'annotations', 'nmaas.io/spread-group'],
  ['request', 'object', 'metadata', 'annotations', 'nmaas.io/assigned-node'],
  ['request', 'object', 'metadata', 'annotations', 'nmaas.io/phase-seconds'],
  ['request', 'object', 'metadata', 'annotations', 'nmaas.io/booking-id'],
  ['request', 'object', 'metadata', 'ownerReferences'],
  ['request', 'object', 'spec'],
  ['request', 'object', 'spec', 'containers'],
  ['request', 'object', 'spec', 'nodeName'],
  ['request', 'object', 'spec', 'nodeSelector'],
  ['request', 'object', 'spec', 'affinity'],
  ['request', 'object', 'spec', 'affinity', 'nodeAffinity'],
  ['request', 'object', 'spec', 'containers', '0', 'env'],
  ['request', 'object', 'spec', 'containers', '0'],
];

function setPath(root: Record<string, unknown>, p: string[], value: unknown, remove: boolean): void {
  let o: any = root; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const k of p.slice(0, -1)) {
    if (o === null || typeof o !== 'object') return;
    if (o[k] === null || typeof o[k] !== 'object') o[k] = {};
    o = o[k];
  }
  const last = p[p.length - 1]!;
  if (remove) delete o[last];
  else o[last] = value;
}

function hostileBody(random: () => number, i: number): { body: string | Buffer; contentType?: string; path?: string } {
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  const kind = i % 20;
  if (kind === 0)
    return { body: Buffer.from(Array.from({ length: Math.floor(random() * 500) }, () => Math.floor(random() * 256))) };
  if (kind === 1)
    return { body: JSON.stringify(admissionReview(contractPod(contract('fz')))).slice(0, Math.floor(random() * 400)) };
  if (kind === 2)
    return { body: JSON.stringify(pick([null, 1, 'x', [], [1, 2], true, {}, { kind: 'AdmissionReview' }])) };
  if (kind === 3) return { body: '['.repeat(20_000 + Math.floor(random() * 50_000)) + ']'.repeat(100) };
  if (kind === 4 && i % 200 === 4) return { body: Buffer.alloc(3 * 1024 * 1024 + 10, 0x20) }; // just over the limit
  if (kind === 5)
    return {
      body: JSON.stringify(admissionReview(contractPod(contract('fz')))),
      contentType: pick(['text/plain', 'application/yaml', '']),
    };
  if (kind === 6)
    return {
      body: JSON.stringify(admissionReview(contractPod(contract('fz')))),
      path: pick(['/', '/mutate/x', '/admin', '/validate?x=1', '/%2e%2e/']),
    };
  const review = admissionReview(contractPod(contract(`fz-${i % 7}`, { everySeconds: pick([60, 300, 600]) })), {
    dryRun: random() < 0.5,
    apiVersion: random() < 0.1 ? 'admission.k8s.io/v1beta1' : 'admission.k8s.io/v1',
  });
  const mutations = 1 + Math.floor(random() * 4);
  for (let m = 0; m < mutations; m++)
    setPath(review, pick(PATHS), structuredClone(pick(HOSTILE_VALUES)), random() < 0.2);
  return { body: JSON.stringify(review), path: random() < 0.3 ? '/validate' : '/mutate' };
}

describe.skipIf(openssl.skip)('webhook fuzz', () => {
  let replica: Replica;
  let ca: Buffer;
  let agent: https.Agent;

  beforeAll(async () => {
    const certs = await generateCertificates(await temp.make());
    ca = await readFile(certs.caFile);
    agent = new https.Agent({ keepAlive: true, maxSockets: 8, ca });
    const nodes = Array.from({ length: 20 }, (_, i) => measurementNode(`n-${i}`, i % 2 ? 'edge' : 'core'));
    replica = await startDevReplica({ certFile: certs.certFile, keyFile: certs.keyFile, port: 0, nodes });
  });
  afterAll(async () => {
    agent.destroy();
    await replica.stop();
  });

  it('answers 10,000 hostile bodies with a 4xx or a reasoned AdmissionReview, with bounded memory', async () => {
    const random = rng(20261127);
    const counts: Record<string, number> = {};
    global.gc?.();
    const heapStart = process.memoryUsage().heapUsed;
    let heapPeak = heapStart;
    const N = 10_000;
    const BATCH = 8;
    for (let i = 0; i < N; i += BATCH) {
      const batch = Array.from({ length: BATCH }, (_, k) => hostileBody(random, i + k));
      const answers = await Promise.all(
        batch.map(async (b) => {
          try {
            return { b, a: await post(replica.url, b.body, { ca, agent, contentType: b.contentType, path: b.path }) };
          } catch (error) {
            // The server may cut a client that sends more than the limit before reading it all.
            if (Buffer.byteLength(b.body) > 3 * 1024 * 1024)
              return { b, a: { status: 413, body: '', json: () => ({}) } };
            throw error;
          }
        }),
      );
      for (const { b, a } of answers) {
        const label = a.status === 200 ? 'review' : String(a.status);
        counts[label] = (counts[label] ?? 0) + 1;
        expect(
          a.status === 200 || (a.status >= 400 && a.status < 500),
          `HTTP ${a.status} for ${String(b.body).slice(0, 200)}`,
        ).toBe(true);
        if (a.status !== 200) continue;
        const review = a.json();
        expect(review.kind).toBe('AdmissionReview');
        const sent = JSON.parse(String(b.body));
        expect(review.response.uid).toBe(sent.request.uid);
        expect(review.apiVersion).toBe(sent.apiVersion);
        if (!review.response.allowed) {
          expect(typeof review.response.status.message).toBe('string');
          expect(review.response.status.message.length).toBeGreaterThan(10);
          expect(review.response.status.code).toBeLessThan(500);
          counts.refused = (counts.refused ?? 0) + 1;
        }
        for (const w of review.response.warnings ?? []) expect(w.length).toBeLessThan(120);
      }
      if (i % 1000 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }
    global.gc?.();
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    // The bookings the fuzz made are bounded by the nodes' capacity; the heap by what a request may hold.
    expect(heapPeak - heapStart).toBeLessThan(400 * 1024 * 1024);
    expect(counts['400']).toBeGreaterThan(500);
    expect(counts.refused).toBeGreaterThan(500);
    expect(replica.server.stats.errors).toBe(0);
    // Still healthy: a plain request is placed.
    const ok = await post(
      replica.url,
      JSON.stringify(
        admissionReview(
          contractPod(
            contract('after-fuzz', {
              everySeconds: 60,
              durationSeconds: 1,
              run: { cpu: 1, memory: 1, bandwidth: 0 },
              idle: { cpu: 1, memory: 1 },
            }),
          ),
        ),
      ),
      { ca, agent },
    );
    expect(ok.json().response.allowed).toBe(true);
    const total = Object.entries(counts)
      .filter(([k]) => k !== 'refused')
      .reduce((s, [, v]) => s + v, 0);
    expect(total).toBe(N);
  }, 300_000);
});
