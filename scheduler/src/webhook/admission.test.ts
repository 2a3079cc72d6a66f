/* eslint-disable @typescript-eslint/no-explicit-any -- these tests reach into pod specs the Pod type leaves open */
/**
 * The mutating and validating webhook over real HTTPS, with AdmissionReview bodies built from pods
 * that real `helm template` renders from the example charts. Patches are applied with a JSONPatch
 * library (fast-json-patch) and the result decoded again with the SDK's contract decoders.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import fastJsonPatch from 'fast-json-patch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTNAME_LABEL, PHASE_ENV, decodeDecision, decodePodContract, type Decision } from '@nmaas/sdk/contract';
import { tool, TempDirs } from '@nmaas/sdk/testing';
import { checkPlacement, instanceFromContract, nodeSpecFromOffer } from '../engine/index.js';
import type { Pod } from '../kube/types.js';
import { arrivalPhase } from './admission-service.js';
import { generateCertificates, type CertificateFiles } from './certificates.js';
import { startDevReplica, type Replica } from './runtime.js';
import { BOOKING_ID_ANNOTATION } from './state.js';
import {
  REPO_ROOT,
  admissionReview,
  contract,
  contractPod,
  measurementNode,
  patchOf,
  post,
  renderExamplePods,
} from './testing.js';

/** Temp folders of this file's tests, removed after them. */
const temp = new TempDirs('wh');
afterAll(() => temp.removeAll());

const openssl = tool('openssl', 'apt-get install openssl');
const helmPath = path.join(REPO_ROOT, '.tools/helm/3.17/helm');
const helm = tool('helm', 'node tools/install-helm.mjs', [helmPath]);
const { applyPatch } = fastJsonPatch;

let certs: CertificateFiles;
let ca: Buffer;
let replica: Replica;
let agent: https.Agent;

const nodes = [
  measurementNode('edge-1', 'edge'),
  measurementNode('edge-2', 'edge'),
  measurementNode('core-1', 'core', { cpu: 4000, memory: 8192, bandwidth: 10000 }),
];

async function admit(pod: unknown, options: Parameters<typeof admissionReview>[1] = {}, to = '/mutate') {
  const review = admissionReview(pod, options);
  const answer = await post(replica.url, JSON.stringify(review), { ca, agent, path: to });
  expect(answer.status).toBe(200);
  const body = answer.json();
  expect(body.response.uid).toBe((review.request as { uid: string }).uid);
  expect(body.apiVersion).toBe(review.apiVersion);
  for (const w of body.response.warnings ?? []) expect(w.length).toBeLessThan(120);
  return body as {
    apiVersion: string;
    response: {
      uid: string;
      allowed: boolean;
      patch?: string;
      patchType?: string;
      status?: { code: number; message: string };
      warnings?: string[];
    };
  };
}

function applied(pod: Pod, review: { response: { patch?: string } }): Pod {
  return applyPatch(structuredClone(pod), patchOf(review) as fastJsonPatch.Operation[], true, false).newDocument;
}

/** Checks that the pod carries the decision everywhere it must, and returns it. */
function decisionIn(pod: Pod): Decision {
  const decision = decodeDecision(pod.metadata.annotations)!;
  expect(decision).not.toBeNull();
  decodePodContract(pod.metadata); // still a valid contract
  const terms = (pod.spec as any).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution
    .nodeSelectorTerms;
  for (const term of terms)
    expect(term.matchExpressions).toContainEqual({ key: HOSTNAME_LABEL, operator: 'In', values: [decision.node] });
  for (const c of pod.spec!.containers!)
    expect(c.env?.filter((e) => e.name === PHASE_ENV)).toEqual([
      { name: PHASE_ENV, value: String(decision.phaseSeconds) },
    ]);
  expect(pod.spec?.nodeName).toBeUndefined();
  return decision;
}

describe.skipIf(openssl.skip)('scheduler webhook over HTTPS (dev mode)', () => {
  beforeAll(async () => {
    const dir = await temp.make();
    certs = await generateCertificates(dir);
    ca = await readFile(certs.caFile);
    agent = new https.Agent({ keepAlive: true, ca });
    replica = await startDevReplica({
      certFile: certs.certFile,
      keyFile: certs.keyFile,
      port: 0,
      nodes,
      certPollMs: 50,
    });
  });
  afterAll(async () => {
    agent.destroy();
    await replica.stop();
  });

  describe.skipIf(helm.skip)('pods rendered by helm template from the example charts', () => {
    let rendered: { app: string; pod: Pod }[];
    beforeAll(async () => {
      execFileSync('npx', ['tsc', '-b', 'cli'], { cwd: REPO_ROOT, stdio: 'inherit' });
      rendered = await renderExamplePods(helm.path());
    }, 600_000);

    it('renders at least one example measurement pod', () => {
      expect(rendered.length).toBeGreaterThan(0);
    });

    it('places each pod: the patch pins it by required node affinity, sets the phase env and the annotations', async () => {
      const placed: { id: string; node: string; phase: number }[] = [];
      const instances = [];
      for (const { pod } of rendered) {
        const arrivedMs = Date.now();
        const review = await admit(pod);
        expect(review.response.allowed).toBe(true);
        expect(review.response.patchType).toBe('JSONPatch');
        const after = applied(pod, review);
        const decision = decisionIn(after);
        const id = after.metadata.annotations![BOOKING_ID_ANNOTATION]!;
        placed.push({ id, node: decision.node, phase: decision.phaseSeconds });
        // The start window runs from the arrival (the admission a moment after arrivedMs: one second more).
        const c = decodePodContract(after.metadata);
        const release = arrivalPhase(arrivedMs, c.everySeconds);
        instances.push(instanceFromContract(id, { ...c, startWithinSeconds: c.startWithinSeconds + 1 }, { release }));
        expect(replica.state.placementOf(id)).toEqual({ node: decision.node, phase: decision.phaseSeconds });
        // The validating webhook accepts the final pod.
        expect((await admit(after, {}, '/validate')).response.allowed).toBe(true);
      }
      const offers = [...replica.state.nodes.values()].map((v) => nodeSpecFromOffer(v.offer));
      const report = checkPlacement(offers, { horizon: 3600, instances }, placed);
      expect(report.competingSlotSeconds).toBe(0);
      expect(report.violations).toBe(0);
    });

    it('re-invocation keeps the decision and the patch changes nothing more', async () => {
      const { pod } = rendered[0]!;
      const first = applied(pod, await admit(pod));
      const before = replica.state.engine.bookings().length;
      const again = await admit(first);
      expect(again.response.allowed).toBe(true);
      expect(applied(first, again)).toEqual(first);
      expect(replica.state.engine.bookings().length).toBe(before);
      expect(decodeDecision(first.metadata.annotations)).toEqual(decisionIn(applied(first, again)));
    });

    it('dry runs answer with a decision and book nothing', async () => {
      const { pod } = rendered[0]!;
      const before = replica.state.engine.bookings().length;
      const review = await admit(pod, { dryRun: true });
      expect(review.response.allowed).toBe(true);
      decisionIn(applied(pod, review));
      expect(replica.state.engine.bookings().length).toBe(before);
    });
  });

  it('answers v1beta1 reviews in v1beta1', async () => {
    const review = await admit(contractPod(contract('beta-app')), { apiVersion: 'admission.k8s.io/v1beta1' });
    expect(review.apiVersion).toBe('admission.k8s.io/v1beta1');
    expect(review.response.allowed).toBe(true);
  });

  it('pins every existing node selector term and keeps user env vars', async () => {
    const pod = contractPod(contract('termed'));
    (pod.spec as any).affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
            { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
          ],
        },
      },
    };
    pod.spec!.containers!.push({ name: 'side', env: [{ name: PHASE_ENV, value: '999' }] });
    const after = applied(pod, await admit(pod));
    decisionIn(after);
    expect(after.spec!.containers![0]!.env![0]).toEqual({ name: 'X', value: '1' });
    expect(
      (after.spec as any).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[1]
        .matchExpressions[0],
    ).toEqual({ key: 'zone', operator: 'In', values: ['b'] });
  });

  it('refuses with 403 and the engine reason when nothing fits, and books nothing', async () => {
    const hog = contract('hog', { run: { cpu: 64000, memory: 128, bandwidth: 1 } });
    const before = replica.state.engine.bookings().length;
    const review = await admit(contractPod(hog));
    expect(review.response.allowed).toBe(false);
    expect(review.response.status!.code).toBe(403);
    expect(review.response.status!.message).toMatch(/cannot place .* \(app hog\): \S+/);
    expect(review.response.warnings![0]).toMatch(/^nmaas: /);
    expect(replica.state.engine.bookings().length).toBe(before);
  });

  it('a refusal stays until room appears: an identical pod is refused alike, a new node lets it in', async () => {
    const big = contract('big-probe', {
      everySeconds: 60,
      durationSeconds: 60,
      run: { cpu: 100, memory: 64, bandwidth: 15000 },
    });
    const first = await admit(contractPod(big));
    expect(first.response.allowed).toBe(false);
    const second = await admit(contractPod(big));
    expect(second.response.allowed).toBe(false);
    expect(second.response.status!.message).toBe(first.response.status!.message);
    expect(first.response.status!.message).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/); // no internal booking ids
    replica.state.setOffer('fat-1', {
      offer: {
        name: 'fat-1',
        pool: 'core',
        labels: { 'nmaas.io/pool': 'core' },
        capacity: { cpu: 8000, memory: 16384, bandwidth: 20000 },
      },
      hostname: 'fat-1',
    });
    expect(decisionIn(applied(contractPod(big), await admit(contractPod(big)))).node).toBe('fat-1');
  });

  it('refuses a malformed contract with 400 naming the key', async () => {
    const pod = contractPod(contract('broken'));
    pod.metadata.annotations!['nmaas.io/every-seconds'] = 'often';
    const review = await admit(pod);
    expect(review.response.allowed).toBe(false);
    expect(review.response.status!.code).toBe(400);
    expect(review.response.status!.message).toContain('nmaas.io/every-seconds');
  });

  it('lets non-measurement pods and non-CREATE operations through untouched', async () => {
    const plain = { metadata: { generateName: 'x-', labels: { app: 'x' } }, spec: { containers: [{ name: 'c' }] } };
    expect((await admit(plain)).response).toMatchObject({ allowed: true });
    expect((await admit(plain)).response.patch).toBeUndefined();
    const upd = await admit(contractPod(contract('upd')), { operation: 'UPDATE' });
    expect(upd.response.patch).toBeUndefined();
  });

  it('honours a pod pinned by nodeSelector on the hostname: only the phase is chosen', async () => {
    const pod = contractPod(contract('pinned'));
    (pod.spec as any).nodeSelector = { [HOSTNAME_LABEL]: 'core-1' };
    expect(decisionIn(applied(pod, await admit(pod))).node).toBe('core-1');
  });

  it('the validating endpoint refuses a pod whose final spec contradicts its booking', async () => {
    const pod = contractPod(contract('tamper'));
    const after = applied(pod, await admit(pod));
    const tampered = structuredClone(after);
    tampered.spec!.containers![0]!.env = tampered.spec!.containers![0]!.env!.map((e) =>
      e.name === PHASE_ENV ? { ...e, value: '7' } : e,
    );
    const refused = await admit(tampered, {}, '/validate');
    expect(refused.response.allowed).toBe(false);
    expect(refused.response.status!.message).toContain(`${PHASE_ENV}=`);
    const moved = structuredClone(after);
    moved.metadata.annotations!['nmaas.io/phase-seconds'] = String(
      (Number(moved.metadata.annotations!['nmaas.io/phase-seconds']) + 1) % 300,
    );
    expect((await admit(moved, {}, '/validate')).response.allowed).toBe(false);
    expect((await admit(pod, {}, '/validate')).response.status!.message).toMatch(/without an NMaaS decision/);
    // A pod from before the scheduler may still be updated; a decided one may not be changed to contradict it.
    expect((await admit(pod, { operation: 'UPDATE' }, '/validate')).response.allowed).toBe(true);
    expect((await admit(tampered, { operation: 'UPDATE' }, '/validate')).response.allowed).toBe(false);
  });

  it('reloads a changed certificate without a restart', async () => {
    const dir = await temp.make();
    const next = await generateCertificates(dir);
    const reloads = replica.server.tls.reloads;
    await copyFile(next.keyFile, certs.keyFile);
    await copyFile(next.certFile, certs.certFile);
    for (let i = 0; i < 100 && replica.server.tls.reloads === reloads; i++) await new Promise((r) => setTimeout(r, 20));
    expect(replica.server.tls.reloads).toBeGreaterThan(reloads);
    const newCa = await readFile(next.caFile);
    const answer = await post(replica.url, JSON.stringify(admissionReview(contractPod(contract('after-rotation')))), {
      ca: newCa,
    });
    expect(answer.status).toBe(200);
    await expect(post(replica.url, '{}', { ca })).rejects.toThrow();
    // A broken pair keeps the working certificate.
    await writeFile(certs.keyFile, 'not a key');
    expect(replica.server.tls.reload()).toBe(false);
    expect(
      (await post(replica.url, JSON.stringify(admissionReview(contractPod(contract('still-up')))), { ca: newCa }))
        .status,
    ).toBe(200);
    ca = newCa;
    agent.destroy();
    agent = new https.Agent({ keepAlive: true, ca });
  });

  it("routes the API server's /mutate?timeout=5s and the GET endpoints; unknown paths are 404", async () => {
    const admitted = await admit(contractPod(contract('routed')), {}, '/mutate?timeout=5s');
    expect(admitted.response.allowed).toBe(true);
    const get = (path: string) =>
      new Promise<number>((resolve, reject) => {
        https
          .get(new URL(path, replica.url), { ca, agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          })
          .on('error', reject);
      });
    expect(await get('/healthz')).toBe(200);
    expect(await get('/readyz?verbose')).toBe(200);
    expect(await get('/v1/nodes')).toBe(200);
    expect(await get('/metrics-nope')).toBe(404);
    expect(await get('/constructor')).toBe(404);
    expect((await post(replica.url, '{}', { ca, agent, path: '/elsewhere' })).status).toBe(404);
  });

  it('only speaks TLS 1.2 and newer', async () => {
    const tls = await import('node:tls');
    const { port } = new URL(replica.url);
    await expect(
      new Promise((resolve, reject) => {
        const s = tls.connect(
          { host: '127.0.0.1', port: Number(port), ca, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' },
          () => resolve(s),
        );
        s.on('error', reject);
      }),
    ).rejects.toThrow();
  });
});
