/**
 * Contract suite for `KubeApi`: the real `@kubernetes/client-node` implementation against the
 * in-process fake API server. What the scheduler relies on: resourceVersion preconditions (409),
 * list-then-watch without gaps, 410 on a too-old resourceVersion, evictions honouring PDBs (429).
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempDirs } from '@nmaas/sdk/testing';
import { ClientNodeKubeApi, loadKubeConfig } from './client-node-api.js';
import { FakeApiServer } from './fake-api-server.js';
import { generateCertificates } from '../webhook/certificates.js';
import { KubeApiError, isConflict, type KubeApi, type Lease, type Pod, type WatchEventType } from './types.js';

/** Temp folders of this file's tests, removed after them. */
const temp = new TempDirs('kube');
afterAll(() => temp.removeAll());

let fake: FakeApiServer;
let api: KubeApi;

beforeAll(async () => {
  const certs = await generateCertificates(await temp.make());
  fake = new FakeApiServer({
    historyLimit: 50,
    tls: { cert: await readFile(certs.certFile), key: await readFile(certs.keyFile) },
  });
  api = new ClientNodeKubeApi(loadKubeConfig({ server: await fake.start(), caFile: certs.caFile }));
});
afterAll(async () => fake.stop());

const pod = (name: string, labels: Record<string, string> = { 'nmaas.io/app': 'web-qos' }): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns1', labels, annotations: { a: '1' } },
  spec: { containers: [{ name: 'c', image: 'x' }] },
});

function collect<T>(): { events: [WatchEventType, T][]; closed: (Error | null)[]; waitFor(n: number): Promise<void> } {
  const events: [WatchEventType, T][] = [];
  const closed: (Error | null)[] = [];
  return {
    events,
    closed,
    async waitFor(n) {
      for (let i = 0; i < 200 && events.length + closed.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    },
  };
}

describe('KubeApi contract (client-node against the fake API server)', () => {
  it('lists pods with a label selector and a collection resourceVersion', async () => {
    fake.create('pods', pod('a'));
    fake.create('pods', pod('b', { other: 'x' }));
    const list = await api.listPods('nmaas.io/app');
    expect(list.items.map((p) => p.metadata.name)).toEqual(['a']);
    expect(Number(list.resourceVersion)).toBeGreaterThan(0);
    expect(list.items[0]!.metadata.annotations).toEqual({ a: '1' });
  });

  it('gets a pod, and null when it does not exist', async () => {
    expect((await api.getPod('ns1', 'a'))?.metadata.uid).toMatch(/-/);
    expect(await api.getPod('ns1', 'nope')).toBeNull();
  });

  it('patches with a resourceVersion precondition and answers 409 on a stale one', async () => {
    const current = (await api.getPod('ns1', 'a'))!;
    const patched = await api.patchPod(
      'ns1',
      'a',
      { metadata: { annotations: { b: '2' } } },
      current.metadata.resourceVersion,
    );
    expect(patched.metadata.annotations).toEqual({ a: '1', b: '2' });
    const stale = api.patchPod('ns1', 'a', { metadata: { annotations: { c: '3' } } }, current.metadata.resourceVersion);
    await expect(stale).rejects.toSatisfy(isConflict);
    // Without a precondition the patch applies; null deletes a key (RFC 7386).
    const again = await api.patchPod('ns1', 'a', { metadata: { annotations: { b: null } } });
    expect(again.metadata.annotations).toEqual({ a: '1' });
  });

  it('watches from a list resourceVersion without missing or repeating events', async () => {
    const list = await api.listPods('nmaas.io/app');
    fake.create('pods', pod('c'));
    const seen = collect<Pod>();
    const handle = await api.watchPods({
      resourceVersion: list.resourceVersion,
      labelSelector: 'nmaas.io/app',
      onEvent: (t, o) => seen.events.push([t, o]),
      onClose: (e) => seen.closed.push(e),
    });
    fake.create('pods', pod('ignored', { other: 'y' }));
    fake.delete('pods', 'ns1', 'c');
    await seen.waitFor(2);
    handle.stop();
    expect(seen.events.map(([t, o]) => `${t} ${o.metadata.name}`)).toEqual(['ADDED c', 'DELETED c']);
  });

  it('ends a watch from a compacted resourceVersion with 410 Gone', async () => {
    for (let i = 0; i < 60; i++) fake.create('pods', pod(`filler-${i}`, { f: 'x' }));
    const seen = collect<Pod>();
    await api.watchPods({
      resourceVersion: '2',
      onEvent: (t, o) => seen.events.push([t, o]),
      onClose: (e) => seen.closed.push(e),
    });
    await seen.waitFor(1);
    expect(seen.closed[0]).toBeInstanceOf(KubeApiError);
    expect((seen.closed[0] as KubeApiError).status).toBe(410);
  });

  it('lists and watches nodes', async () => {
    const before = await api.listNodes();
    const seen = collect<{ metadata: { name?: string } }>();
    const handle = await api.watchNodes({
      resourceVersion: before.resourceVersion,
      onEvent: (t, o) => seen.events.push([t, o]),
      onClose: () => {},
    });
    fake.create('nodes', { metadata: { name: 'edge-1', labels: { 'nmaas.io/pool': 'edge' } } });
    await seen.waitFor(1);
    handle.stop();
    expect(seen.events[0]![1].metadata.name).toBe('edge-1');
    expect((await api.listNodes('nmaas.io/pool=edge')).items).toHaveLength(1);
  });

  it('creates a Lease once, then updates it only at the version read (409 otherwise)', async () => {
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'lock', namespace: 'sys' },
      spec: {
        holderIdentity: 'a',
        leaseDurationSeconds: 15,
        renewTime: '2026-01-01T00:00:00.000000Z',
        leaseTransitions: 0,
      },
    };
    expect(await api.getLease('sys', 'lock')).toBeNull();
    const created = await api.createLease('sys', lease);
    expect(created.spec.holderIdentity).toBe('a');
    await expect(api.createLease('sys', lease)).rejects.toSatisfy(isConflict);
    const read = (await api.getLease('sys', 'lock'))!;
    expect(Date.parse(read.spec.renewTime!)).toBe(Date.parse('2026-01-01T00:00:00Z'));
    const updated = await api.updateLease('sys', { ...read, spec: { ...read.spec, holderIdentity: 'b' } });
    expect(updated.spec.holderIdentity).toBe('b');
    await expect(api.updateLease('sys', { ...read, spec: { ...read.spec, holderIdentity: 'c' } })).rejects.toSatisfy(
      isConflict,
    );
    expect((await api.getLease('sys', 'lock'))!.spec.holderIdentity).toBe('b');
  });

  it('evicts a pod, refuses with 429 when a PodDisruptionBudget forbids it, 404 when gone', async () => {
    fake.create('pods', pod('e1', { 'nmaas.io/app': 'dns', pdb: 'yes' }));
    await api.evictPod('ns1', 'e1');
    expect(await api.getPod('ns1', 'e1')).toBeNull();
    fake.create('pods', pod('e2', { 'nmaas.io/app': 'dns', pdb: 'yes' }));
    fake.create('poddisruptionbudgets', {
      metadata: { name: 'keep', namespace: 'ns1' },
      spec: { selector: { matchLabels: { pdb: 'yes' } }, minAvailable: 1 },
    });
    await expect(api.evictPod('ns1', 'e2')).rejects.toMatchObject({ status: 429 });
    expect(await api.getPod('ns1', 'e2')).not.toBeNull();
    await expect(api.evictPod('ns1', 'missing')).rejects.toMatchObject({ status: 404 });
  });

  it('records an Event naming the object it is about', async () => {
    await api.createEvent('ns1', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e1.replan', namespace: 'ns1' },
      involvedObject: { kind: 'Pod', namespace: 'ns1', name: 'e1' },
      reason: 'Replanned',
      message: 'moved',
      type: 'Normal',
    });
    const events = fake.list<{ metadata: { name?: string }; reason?: string }>('events');
    expect(events.map((e) => [e.metadata.name, e.reason])).toEqual([['e1.replan', 'Replanned']]);
  });
});
