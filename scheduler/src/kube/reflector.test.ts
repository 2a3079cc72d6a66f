/**
 * The reflector keeps a consumer's copy equal to the API server's through dropped watches (resume
 * from the last resourceVersion: nothing missed, nothing twice) and compaction (410 → relist).
 */
import { describe, expect, it } from 'vitest';
import { tool } from '@nmaas/sdk/testing';
import { Reflector } from './reflector.js';
import { fakeCluster } from './test-api.js';
import type { Pod } from './types.js';

const openssl = tool('openssl', 'apt-get install openssl');
const pod = (name: string): Pod => ({ metadata: { name, namespace: 'm', labels: { 'nmaas.io/app': 'x' } } });

describe.skipIf(openssl.skip)('Reflector', () => {
  it('converges through dropped watches and compaction', async () => {
    const { fake, api } = await fakeCluster({ historyLimit: 5 });
    const copy = new Map<string, string>();
    let syncs = 0;
    let added = 0;
    const r = new Reflector<Pod>(
      {
        list: () => api.listPods('nmaas.io/app'),
        watch: (o) => api.watchPods({ ...o, labelSelector: 'nmaas.io/app' }),
      },
      {
        onSync: (items) => {
          syncs += 1;
          copy.clear();
          for (const p of items) copy.set(p.metadata.name!, p.metadata.resourceVersion!);
        },
        onEvent: (type, p) => {
          if (type === 'DELETED') copy.delete(p.metadata.name!);
          else {
            if (type === 'ADDED') added += 1;
            copy.set(p.metadata.name!, p.metadata.resourceVersion!);
          }
        },
      },
      20,
    );
    const same = () => {
      const truth = new Map(fake.list<Pod>('pods').map((p) => [p.metadata.name!, p.metadata.resourceVersion!]));
      return truth.size === copy.size && [...truth].every(([k, v]) => copy.get(k) === v);
    };
    const settle = async () => {
      const end = Date.now() + 10_000;
      while (!same() && Date.now() < end) await new Promise((res) => setTimeout(res, 10));
      expect([...copy.keys()].sort()).toEqual(
        fake
          .list<Pod>('pods')
          .map((p) => p.metadata.name)
          .sort(),
      );
      expect(same()).toBe(true);
    };
    fake.create('pods', pod('a'));
    await r.start();
    expect(syncs).toBe(1);
    fake.create('pods', pod('b'));
    await settle();
    // A dropped watch resumes where it was: c arrives once, no relist.
    fake.dropWatches();
    fake.create('pods', pod('c'));
    await settle();
    expect(syncs).toBe(1);
    expect(added).toBe(2);
    // Dropped while more changes happen than the server keeps: 410, then a relist.
    fake.dropWatches();
    for (let i = 0; i < 10; i++) fake.create('pods', pod(`burst-${i}`));
    fake.delete('pods', 'm', 'a');
    await settle();
    expect(syncs).toBe(2);
    r.stop();
    await fake.stop();
  }, 60_000);
});
