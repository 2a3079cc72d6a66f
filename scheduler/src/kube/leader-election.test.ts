/**
 * Leader election on a Lease of the fake API server: one leader at a time, a crashed leader stops
 * deciding before anyone may take over, a clean stop hands over at once, and a new leader settles
 * before deciding. The invariant "never two replicas able to decide" is sampled all along.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tool } from '@nmaas/sdk/testing';
import { LeaderElector } from './leader-election.js';
import { fakeCluster } from './test-api.js';
import type { KubeApi } from './types.js';

const openssl = tool('openssl', 'apt-get install openssl');
const timing = { leaseDurationMs: 800, renewDeadlineMs: 500, retryPeriodMs: 50, settleMs: 600 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** Watches that at most one elector can decide, every 5 ms, until stopped. */
function guard(electors: LeaderElector[]): { stop(): void; violations: number; sawLeader: Set<number> } {
  const state = { violations: 0, sawLeader: new Set<number>(), stop: () => clearInterval(timer) };
  const timer = setInterval(() => {
    const deciding = electors.map((e, i) => (e.canDecide() ? i : -1)).filter((i) => i >= 0);
    if (deciding.length > 1) state.violations += 1;
    for (const i of deciding) state.sawLeader.add(i);
  }, 5);
  return state;
}

/** A KubeApi whose calls fail once `cut` is set: a replica partitioned from the API server. */
function partitionable(api: KubeApi): { api: KubeApi; cut: () => void } {
  let down = false;
  const wrapped = new Proxy(api, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        down ? Promise.reject(new Error('partitioned')) : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
  return { api: wrapped, cut: () => (down = true) };
}

describe.skipIf(openssl.skip)('LeaderElector', () => {
  it('elects one leader, which decides only after settling; a partitioned leader stops before the other takes over', async () => {
    const { fake, api } = await fakeCluster();
    cleanups.push(() => fake.stop());
    const a = partitionable(api);
    const ea = new LeaderElector(a.api, {
      namespace: 'ns',
      name: 'lock',
      identity: 'a',
      url: 'https://a:1',
      ...timing,
    });
    const eb = new LeaderElector(api, { namespace: 'ns', name: 'lock', identity: 'b', url: 'https://b:1', ...timing });
    const g = guard([ea, eb]);
    ea.start();
    await sleep(20);
    eb.start();
    cleanups.push(async () => {
      g.stop();
      await ea.stop();
      await eb.stop();
    });
    for (let i = 0; i < 100 && !ea.isLeader; i++) await sleep(10);
    expect(ea.isLeader).toBe(true);
    expect(ea.canDecide()).toBe(false); // settling
    await sleep(timing.settleMs + 20);
    expect(ea.canDecide()).toBe(true);
    expect(eb.isLeader).toBe(false);
    for (let i = 0; i < 50 && eb.leaderUrl === undefined; i++) await sleep(10);
    expect(eb.leaderUrl).toBe('https://a:1');
    await sleep(2 * timing.leaseDurationMs); // a renews: b never takes over
    expect(eb.isLeader).toBe(false);
    a.cut();
    for (let i = 0; i < 400 && !eb.canDecide(); i++) await sleep(10);
    expect(ea.canDecide()).toBe(false);
    expect(eb.canDecide()).toBe(true);
    expect(g.violations).toBe(0);
    expect(fake.get<{ spec: { leaseTransitions: number } } & never>('leases', 'ns', 'lock')).toMatchObject({
      spec: { holderIdentity: 'b', leaseTransitions: 1 },
    });
  }, 30_000);

  it('hands the Lease over at once on a clean stop', async () => {
    const { fake, api } = await fakeCluster();
    cleanups.push(() => fake.stop());
    const slow = { ...timing, leaseDurationMs: 20_000, renewDeadlineMs: 15_000 };
    const ea = new LeaderElector(api, { namespace: 'ns', name: 'lock', identity: 'a', url: 'https://a:1', ...slow });
    const eb = new LeaderElector(api, { namespace: 'ns', name: 'lock', identity: 'b', url: 'https://b:1', ...slow });
    ea.start();
    for (let i = 0; i < 100 && !ea.isLeader; i++) await sleep(10);
    eb.start();
    cleanups.push(() => eb.stop());
    await sleep(100);
    const started = Date.now();
    await ea.stop();
    for (let i = 0; i < 300 && !eb.isLeader; i++) await sleep(10);
    expect(eb.isLeader).toBe(true);
    expect(Date.now() - started).toBeLessThan(slow.leaseDurationMs);
  }, 30_000);
});
