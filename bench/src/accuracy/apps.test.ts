import { describe, expect, it } from 'vitest';
import { appConfig, benchApps, DEFAULT_PLAN, instanceFor, loadManifests } from './apps.js';
import { benchNode, choosePhases, overlapSeconds, parseSimulation, shiftPhases } from './phases.js';

describe('bench apps', () => {
  it('points the apps at the bed and gives them the bench schedule', () => {
    const apps = benchApps('http://192.0.2.2:8080');
    expect(apps.map((a) => a.name)).toEqual(['web-qos', 'streaming-qos', 'neighbour']);
    expect(apps[0]!.parameters.targets).toEqual(['http://192.0.2.2:8080/page?size=1000000']);
    expect(appConfig(apps[1]!, DEFAULT_PLAN)).toEqual({
      parameters: { streams: ['http://192.0.2.2:8080/hls/master.m3u8'], sessionDuration: '5s' },
      schedule: { every: '12s', duration: '6s', startWithin: '12s' },
    });
  });

  it('refuses runs that cannot fit one period', () => {
    expect(() => benchApps('http://x', { ...DEFAULT_PLAN, periodSeconds: 8 })).toThrow(/do not fit one period of 8 s/);
  });

  it("builds instances from the apps' own nmaas.yaml resources", async () => {
    const apps = benchApps('http://192.0.2.2:8080');
    const manifests = await loadManifests(apps);
    const web = instanceFor(apps[0]!, manifests.get('web-qos')!, DEFAULT_PLAN);
    expect(web).toMatchObject({ id: 'web-qos', every: 12, duration: 2, startWithin: 12, release: 0 });
    expect(web.run).toEqual({ cpu: 100, memory: 96, bandwidth: 5 });
    const neighbour = instanceFor(apps[2]!, manifests.get('neighbour')!, DEFAULT_PLAN);
    expect(neighbour.run.cpu).toBeGreaterThanOrEqual(1500);
  });
});

describe('phase selection glue', () => {
  it('parses the simulate output and refuses placements on another node', () => {
    const out = JSON.stringify({
      placed: [{ id: 'a', node: 'bench-node', phase: 3 }],
      rejected: [],
      metrics: { competingSlotSeconds: 0 },
    });
    expect(parseSimulation(out, 'nmaas', 'cmd')).toMatchObject({ phases: { a: 3 }, competingSlotSeconds: 0 });
    expect(() =>
      parseSimulation(JSON.stringify({ placed: [{ id: 'a', node: 'other', phase: 0 }] }), 'nmaas', 'cmd'),
    ).toThrow(/not bench-node/);
    expect(() => parseSimulation('oops', 'kube', 'cmd')).toThrow(/did not print JSON/);
  });

  it('computes overlap over a period, wrapping around', () => {
    expect(overlapSeconds(12, { phase: 0, duration: 2 }, { phase: 0, duration: 6 })).toBe(2);
    expect(overlapSeconds(12, { phase: 0, duration: 2 }, { phase: 2, duration: 6 })).toBe(0);
    expect(overlapSeconds(12, { phase: 10, duration: 4 }, { phase: 0, duration: 1 })).toBe(1);
  });

  it('shifts phases together modulo the period', () => {
    expect(shiftPhases({ a: 0, b: 8 }, 7, 12)).toEqual({ a: 7, b: 3 });
  });

  it('gets disjoint runs from the real `nmaas scheduler simulate` and overlapping ones from its kube strategy', async () => {
    const apps = benchApps('http://192.0.2.2:8080');
    const manifests = await loadManifests(apps);
    const instances = apps.map((a) => instanceFor(a, manifests.get(a.name)!, DEFAULT_PLAN));
    const node = benchNode({ rateMbit: 25, cpus: 2, memoryBytes: 8 * 2 ** 30 });
    const nmaas = await choosePhases(node, instances, 3600, 'nmaas');
    expect(nmaas.competingSlotSeconds).toBe(0);
    for (let i = 0; i < apps.length; i++) {
      for (let j = i + 1; j < apps.length; j++) {
        const a = { phase: nmaas.phases[apps[i]!.name]!, duration: apps[i]!.durationSeconds };
        const b = { phase: nmaas.phases[apps[j]!.name]!, duration: apps[j]!.durationSeconds };
        expect(overlapSeconds(12, a, b), `${apps[i]!.name} vs ${apps[j]!.name}`).toBe(0);
      }
    }
    const kube = await choosePhases(node, instances, 3600, 'kube');
    expect(kube.phases).toEqual({ 'web-qos': 0, 'streaming-qos': 0, neighbour: 0 });
    expect(kube.competingSlotSeconds).toBeGreaterThan(0);
  });
});
