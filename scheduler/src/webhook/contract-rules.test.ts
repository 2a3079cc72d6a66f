/**
 * The webhook refuses (400, naming the annotation) every contract that `nmaas manifest check`
 * would refuse in nmaas.yaml, and contracts whose lists exceed the bounds; a consistent contract
 * is placed as before.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANIFEST_FILE, loadApp } from '@nmaas/sdk/model';
import { POD_ANNOTATIONS, contractFromManifest, encodePodContract, type PodContract } from '@nmaas/sdk/contract';
import { AdmissionService } from './admission-service.js';
import { Decider } from './decider.js';
import { MAX_PLACEMENT_APPS, contractRuleProblems } from './contract-rules.js';
import { SchedulerState } from './state.js';
import { REPO_ROOT, contract, contractPod } from './testing.js';

/** A decider and the state behind its service (for counting bookings). */
function decider(): Decider & { state: SchedulerState } {
  const state = new SchedulerState({ confirmOnAdmit: true });
  const capacity = { cpu: 4000, memory: 8192, bandwidth: 1000 };
  for (const name of ['n-1', 'n-2'])
    state.setOffer(name, {
      offer: { name, pool: 'edge', labels: { 'nmaas.io/pool': 'edge' }, capacity },
      hostname: name,
    });
  return Object.assign(new Decider(new AdmissionService(state)), { state });
}

const broken: { name: string; overrides: Partial<PodContract>; key: string; says: RegExp }[] = [
  {
    name: 'self anti-affinity',
    overrides: { antiAffinity: ['probe'] },
    key: POD_ANNOTATIONS.antiAffinity,
    says: /own app probe/,
  },
  { name: 'self affinity', overrides: { affinity: ['probe'] }, key: POD_ANNOTATIONS.affinity, says: /own app probe/ },
  {
    name: 'affinity and anti-affinity to one app',
    overrides: { affinity: ['web'], antiAffinity: ['web'] },
    key: POD_ANNOTATIONS.antiAffinity,
    says: /also listed/,
  },
  {
    name: 'a duplicate',
    overrides: { antiAffinity: ['web', 'web'] },
    key: POD_ANNOTATIONS.antiAffinity,
    says: /twice/,
  },
  {
    name: 'startWithin > every',
    overrides: { everySeconds: 60, startWithinSeconds: 61 },
    key: POD_ANNOTATIONS.startWithin,
    says: /longer than the period/,
  },
  {
    name: 'a period of odd seconds (neither divides the hour nor whole minutes)',
    overrides: { everySeconds: 7, durationSeconds: 2, startWithinSeconds: 0 },
    key: POD_ANNOTATIONS.every,
    says: /neither divides the scheduling horizon/,
  },
  {
    name: 'a period beyond one day',
    overrides: { everySeconds: 90000, durationSeconds: 60, startWithinSeconds: 0 },
    key: POD_ANNOTATIONS.every,
    says: /longer than one day/,
  },
  {
    name: 'idle cpu > run cpu',
    overrides: { idle: { cpu: 300, memory: 48 } },
    key: POD_ANNOTATIONS.idle,
    says: /idle cpu/,
  },
  {
    name: 'idle memory > run memory',
    overrides: { idle: { cpu: 10, memory: 256 } },
    key: POD_ANNOTATIONS.idle,
    says: /idle memory/,
  },
  {
    name: 'too many anti-affinity apps',
    overrides: { antiAffinity: Array.from({ length: MAX_PLACEMENT_APPS + 1 }, (_, i) => `app-${i}`) },
    key: POD_ANNOTATIONS.antiAffinity,
    says: new RegExp(`at most ${MAX_PLACEMENT_APPS}`),
  },
];

describe('contract rules at admission', () => {
  it.each(broken)('refuses $name with 400 naming the key, and books nothing', async ({ overrides, key, says }) => {
    const d = decider();
    const outcome = await d.mutate(contractPod(contract('probe', overrides)), 'm', false);
    expect(outcome.allowed).toBe(false);
    expect(outcome.code).toBe(400);
    expect(outcome.message).toContain(key);
    expect(outcome.message).toMatch(says);
    expect(d.state.engine.bookings()).toHaveLength(0);
  });

  it('refuses a 690 KB annotation listing 100,000 anti-affinity apps without keeping it', async () => {
    const d = decider();
    const c = contract('probe', { antiAffinity: Array.from({ length: 100_000 }, (_, i) => `a${i}`) });
    expect(encodePodContract(c).annotations[POD_ANNOTATIONS.antiAffinity]!.length).toBeGreaterThan(600_000);
    const outcome = await d.mutate(contractPod(c), 'm', false);
    expect(outcome.code).toBe(400);
    expect(outcome.message).toContain('100000 apps');
    expect(outcome.message!.length).toBeLessThan(2_000);
    // Nothing learnt from it: a pod of an app it named is placed on the first node as usual.
    expect((await d.mutate(contractPod(contract('a7')), 'm', false)).allowed).toBe(true);
  });

  it('accepts the contract of every example app that nmaas manifest check accepts', async () => {
    const dirs = (await readdir(path.join(REPO_ROOT, 'examples'), { withFileTypes: true })).filter((d) =>
      d.isDirectory(),
    );
    let checked = 0;
    for (const dir of dirs) {
      const appDir = path.join(REPO_ROOT, 'examples', dir.name);
      if (!existsSync(path.join(appDir, MANIFEST_FILE))) continue;
      const { manifest } = await loadApp(appDir);
      expect(contractRuleProblems(contractFromManifest(manifest)), dir.name).toEqual([]);
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });

  it('places a daily pod and a 7-minute one, each first run within its start window', async () => {
    const d = decider();
    for (const [app, every] of [
      ['carto', 86400],
      ['seven', 420],
    ] as const) {
      const outcome = await d.mutate(
        contractPod(contract(app, { everySeconds: every, durationSeconds: 60, startWithinSeconds: 300 })),
        'm',
        false,
      );
      expect(outcome.allowed, app).toBe(true);
    }
    const bookings = d.state.engine.bookings();
    expect(bookings.map((b) => b.instance.every).sort((a, b) => a - b)).toEqual([420, 86400]);
    for (const b of bookings) {
      const k = (b.phase - b.instance.release + b.instance.every) % b.instance.every;
      expect(k).toBeLessThanOrEqual(300);
    }
  });

  it('still places a consistent pod', async () => {
    const d = decider();
    const outcome = await d.mutate(contractPod(contract('probe', { antiAffinity: ['web'], affinity: [] })), 'm', false);
    expect(outcome.allowed).toBe(true);
  });
});
