/**
 * Workload families built apart from the engine's own generator, to measure placement quality on
 * shapes nobody tuned for. Each family has its own knobs and is deterministic for a seed. Seeds 1–100
 * are the tuning range; quality is reported on seeds 101–400 only.
 *
 * Times are whole multiples of 30 s (60 s for the long periods) so that the exact ILP works on coarse
 * blocks; apps are synthetic (app-0, app-1, …) with contracts drawn per app and shared by its pods, as
 * a catalogue's apps are. Families whose periods do not divide one hour carry a longer horizon (the lcm
 * of their periods): an engine limited to one hour refuses those instances, and the harness reports them.
 */
import type { InstanceSpec, NodeSpec } from '../engine/index.js';
import { NODE_POOL_LABEL } from '@nmaas/sdk/contract';
import { Random } from './random.js';
import { plantedWorkload } from './planted.js';
import type { Workload } from './workload.js';

export interface FamilySize {
  seed: number;
  nodes: number;
  instances: number;
}

export interface Family {
  name: string;
  /** What the family stresses, in one sentence. */
  description: string;
  /** The knobs this family turns (documented values, reported with the results). */
  knobs: Record<string, number | string>;
  generate(size: FamilySize): Workload & { knownOptimum?: number };
}

interface AppContract {
  app: string;
  every: number;
  duration: number;
  startWithin: number;
  cpu: number;
  memory: number;
  bandwidth: number;
  idleCpu: number;
  idleMemory: number;
  exclusive: boolean;
  affinity: string[];
  antiAffinity: string[];
  spread: boolean;
}

const HOUR_PERIODS = [300, 600, 900, 1200, 1800, 3600] as const;

function node(name: string, cpu: number, memory: number, bandwidth: number): NodeSpec {
  return { name, labels: { [NODE_POOL_LABEL]: 'edge' }, capacity: { cpu, memory, bandwidth } };
}

function uniformNodes(count: number, cpu = 1000): NodeSpec[] {
  return Array.from({ length: count }, (_, k) => node(`node-${k}`, cpu, 2048, 1000));
}

/** A contract in the examples' range: a short run every few minutes to an hour, tens to hundreds of millicores. */
function contract(rnd: Random, app: string, over: Partial<AppContract> = {}): AppContract {
  const every = over.every ?? rnd.pick(HOUR_PERIODS);
  const duration = over.duration ?? 30 * rnd.int(1, Math.max(1, Math.min(8, every / 30 / 3)));
  return {
    app,
    every,
    duration,
    startWithin: over.startWithin ?? 30 * rnd.int(0, Math.min(20, every / 30 - 1)),
    cpu: over.cpu ?? 50 * rnd.int(1, 6),
    memory: over.memory ?? 32 * rnd.int(1, 6),
    bandwidth: over.bandwidth ?? 5 * rnd.int(1, 10),
    idleCpu: over.idleCpu ?? 5,
    idleMemory: over.idleMemory ?? 32,
    exclusive: over.exclusive ?? false,
    affinity: over.affinity ?? [],
    antiAffinity: over.antiAffinity ?? [],
    spread: over.spread ?? false,
  };
}

function instance(c: AppContract, k: number, release: number, spreadGroup: string | null = null): InstanceSpec {
  return {
    id: `${c.app}-${k}`,
    app: c.app,
    every: c.every,
    duration: c.duration,
    startWithin: c.startWithin,
    release: release % c.every,
    run: { cpu: c.cpu, memory: c.memory, bandwidth: c.bandwidth },
    idle: { cpu: c.idleCpu, memory: c.idleMemory },
    nodeSelector: {},
    affinity: [...c.affinity],
    antiAffinity: [...c.antiAffinity],
    exclusive: c.exclusive,
    node: null,
    spreadGroup: c.spread ? (spreadGroup ?? c.app) : null,
  };
}

/** Pods of the given apps in a random order; each pod's window opens at a random multiple of 30 s. */
function pods(rnd: Random, apps: AppContract[], count: number, weight?: (c: AppContract) => number): InstanceSpec[] {
  const counters = new Map<string, number>();
  const out: InstanceSpec[] = [];
  for (let i = 0; i < count; i++) {
    const c = weight ? rnd.weighted(apps.map((a) => [a, weight(a)] as const)) : rnd.pick(apps);
    const k = counters.get(c.app) ?? 0;
    counters.set(c.app, k + 1);
    out.push(instance(c, k, 30 * rnd.int(0, c.every / 30 - 1), c.spread ? `${c.app}/tenant-${rnd.int(0, 2)}` : null));
  }
  return out;
}

const horizonOf = (instances: InstanceSpec[]): number => {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  return instances.reduce((l, s) => (l / gcd(l, s.every)) * s.every, 3600);
};

export const FAMILIES: Family[] = [
  {
    name: 'mixed-nodes',
    description: 'node sizes from a quarter to four times a base node, in random order',
    knobs: { sizes: '0.25,0.5,1,2,4 × 1000m / 2 GiB / 1 Gbps', apps: 8 },
    generate({ seed, nodes, instances }) {
      const rnd = new Random(seed);
      const ns = Array.from({ length: nodes }, (_, k) => {
        const f = rnd.pick([0.25, 0.5, 1, 2, 4]);
        return node(`node-${k}`, 1000 * f, 2048 * f, 1000 * f);
      });
      const apps = Array.from({ length: 8 }, (_, k) => contract(rnd, `app-${k}`, { cpu: 50 * rnd.int(1, 8) }));
      const list = pods(rnd, apps, instances);
      return { nodes: ns, apps: { horizon: 3600, instances: list } };
    },
  },
  {
    name: 'colliding-windows',
    description: 'tight start windows (0–60 s) opening at the same few instants',
    knobs: { startWithin: '0–60 s', windowOpenings: 3, apps: 6 },
    generate({ seed, nodes, instances }) {
      const rnd = new Random(seed);
      const openings = [0, 30 * rnd.int(1, 9), 30 * rnd.int(10, 19)];
      const apps = Array.from({ length: 6 }, (_, k) =>
        contract(rnd, `app-${k}`, { every: rnd.pick([300, 600, 900]), startWithin: 30 * rnd.int(0, 2) }),
      );
      const list = Array.from({ length: instances }, (_, i) => {
        const c = rnd.pick(apps);
        return instance(c, i, rnd.pick(openings));
      });
      return { nodes: uniformNodes(nodes, 600), apps: { horizon: 3600, instances: list } };
    },
  },
  {
    name: 'long-periods',
    description: 'periods from 1 min to 24 h (some not dividing an hour), durations 70–95 % of the period',
    knobs: { periods: '60 s … 86,400 s', durationShare: '0.7–0.95', startWithin: '0–30 min', apps: 6 },
    generate({ seed, nodes, instances }) {
      const rnd = new Random(seed);
      const periods = [60, 180, 300, 480, 900, 1440, 2700, 7200, 21_600, 86_400];
      const apps = Array.from({ length: 6 }, (_, k) => {
        const every = rnd.pick(periods);
        const duration = 60 * Math.max(1, Math.floor((every / 60) * (0.7 + 0.25 * rnd.next())));
        return contract(rnd, `app-${k}`, {
          every,
          duration: Math.min(duration, every),
          // Up to half an hour of tolerated delay: a daily run may wait, but not all day.
          startWithin: 60 * rnd.int(0, Math.min(30, every / 60 - 1)),
          cpu: 50 * rnd.int(1, 4),
        });
      });
      const counters = new Map<string, number>();
      const list = Array.from({ length: instances }, () => {
        const c = rnd.pick(apps);
        const k = counters.get(c.app) ?? 0;
        counters.set(c.app, k + 1);
        return instance(c, k, 60 * rnd.int(0, c.every / 60 - 1));
      });
      return { nodes: uniformNodes(nodes, 500), apps: { horizon: horizonOf(list), instances: list } };
    },
  },
  {
    name: 'anti-affinity',
    description: 'many anti-affinity pairs between apps and spread groups of several pods',
    knobs: { apps: 8, antiAffinityPairs: 6, spreadApps: 3 },
    generate({ seed, nodes, instances }) {
      const rnd = new Random(seed);
      const apps = Array.from({ length: 8 }, (_, k) => contract(rnd, `app-${k}`, { spread: k < 3 }));
      for (let p = 0; p < 6; p++) {
        const a = rnd.int(0, 7);
        const b = (a + rnd.int(1, 7)) % 8;
        apps[a]!.antiAffinity.push(apps[b]!.app);
      }
      return { nodes: uniformNodes(nodes, 800), apps: { horizon: 3600, instances: pods(rnd, apps, instances) } };
    },
  },
  {
    name: 'exclusive-mix',
    description: 'a few exclusive apps (nothing else may run during their runs) among many small ones',
    knobs: { exclusiveShare: 0.15, smallApps: 6 },
    generate({ seed, nodes, instances }) {
      const rnd = new Random(seed);
      const small = Array.from({ length: 6 }, (_, k) => contract(rnd, `app-${k}`, { cpu: 50 * rnd.int(1, 3) }));
      const exclusive = Array.from({ length: 2 }, (_, k) =>
        contract(rnd, `excl-${k}`, {
          exclusive: true,
          every: rnd.pick([600, 900, 1800]),
          duration: 30 * rnd.int(2, 6),
        }),
      );
      const list = pods(rnd, [...small, ...exclusive], instances, (c) => (c.exclusive ? 0.075 : 0.85 / 6));
      return { nodes: uniformNodes(nodes, 500), apps: { horizon: 3600, instances: list } };
    },
  },
  {
    name: 'affinity-late',
    description: 'dependants (affinity to a partner app) mostly arrive before any partner pod exists',
    knobs: { partners: 2, dependants: 4, partnersArriveInLastShare: 0.5 },
    generate({ seed, nodes, instances }) {
      const rnd = new Random(seed);
      const partners = Array.from({ length: 2 }, (_, k) => contract(rnd, `partner-${k}`));
      const dependants = Array.from({ length: 4 }, (_, k) =>
        contract(rnd, `dep-${k}`, { affinity: [partners[k % 2]!.app] }),
      );
      const nPartners = Math.max(2, Math.round(instances * 0.3));
      const deps = pods(rnd, dependants, instances - nPartners);
      const parts = pods(rnd, partners, nPartners);
      // Dependants first; partners in the last half, a few interleaved.
      const half = Math.floor(deps.length / 2);
      const list = [...deps.slice(0, half), ...parts.slice(0, 1), ...deps.slice(half), ...parts.slice(1)];
      return { nodes: uniformNodes(nodes, 700), apps: { horizon: 3600, instances: list } };
    },
  },
  {
    name: 'largest-last',
    description: 'everything fits on paper (total demand ≈ 85 % of capacity) but the largest pods arrive last',
    knobs: { fill: 0.85, order: 'ascending size', apps: 8 },
    generate({ seed, nodes, instances }) {
      const rnd = new Random(seed);
      const apps = Array.from({ length: 8 }, (_, k) =>
        contract(rnd, `app-${k}`, { cpu: 50 * rnd.int(1, 12), duration: 30 * rnd.int(4, 10), every: 600 }),
      );
      const list = pods(rnd, apps, instances);
      // Capacity so that the time-averaged cpu demand is 85 % of the cluster's, and the largest pod fits.
      const avg = list.reduce((s, p) => s + p.idle.cpu + ((p.run.cpu - p.idle.cpu) * p.duration) / p.every, 0);
      const cpu = Math.max(50 * Math.ceil(avg / 0.85 / nodes / 50), 50 * 12 + 100);
      list.sort((a, b) => a.run.cpu * a.duration - b.run.cpu * b.duration);
      return { nodes: uniformNodes(nodes, cpu), apps: { horizon: 3600, instances: list } };
    },
  },
  {
    name: 'shared-uplinks',
    description:
      'sites of three nodes behind one uplink smaller than their own bandwidth; half the pods are throughput tests',
    knobs: { siteSize: 3, uplinkMbps: 600, nodeMbps: 1000, throughputApps: 3, throughputMbps: '200–450', probeApps: 3 },
    generate({ seed, nodes, instances }) {
      const rnd = new Random(seed);
      const throughput = Array.from({ length: 3 }, (_, k) =>
        contract(rnd, `throughput-${k}`, {
          every: rnd.pick([300, 600, 900]),
          duration: 30 * rnd.int(2, 5),
          bandwidth: 50 * rnd.int(4, 9),
          cpu: 50 * rnd.int(1, 4),
        }),
      );
      const probes = Array.from({ length: 3 }, (_, k) => contract(rnd, `probe-${k}`));
      const list = pods(rnd, [...throughput, ...probes], instances);
      // Each node alone could carry any two tests at once; its site's uplink carries one large or two small.
      const ns = uniformNodes(nodes, 1000).map((n, k) => ({
        ...n,
        links: [{ name: `site-${Math.floor(k / 3)}`, capacity: 600 }],
      }));
      return { nodes: ns, apps: { horizon: 3600, instances: list } };
    },
  },
  {
    name: 'planted-90',
    description: 'pods cut from a known perfect packing filled to 90 %, shuffled: the optimum is every pod',
    knobs: { fill: 0.9 },
    generate: (size) => plantedWorkload({ ...size, fill: 0.9 }),
  },
  {
    name: 'planted-100',
    description: 'pods cut from a known perfect packing filled to 100 %, shuffled: the optimum is every pod',
    knobs: { fill: 1 },
    generate: (size) => plantedWorkload({ ...size, fill: 1 }),
  },
];

/**
 * The heaviest mix, for the engine at scale (bench/src/scheduler.bench.ts): one app in six exclusive,
 * throughput tests of 400 Mbps on 1 Gbps, 680 m nodes (two may co-run, not three), tolerated delays from none
 * to a quarter of the period, and a demand that leaves about one pod in ten without room: refusals
 * and their explanations are part of what is measured. Not in FAMILIES: the quality bench and its ILP
 * run on small sizes, where this family's point (a full cluster of thousands of nodes) does not show.
 */
export const HEAVY_FAMILY: Family = {
  name: 'heavy',
  description: 'one app in six exclusive, 400 Mbps throughput tests, tight windows: about one pod in ten refused',
  knobs: {
    apps: 12,
    exclusiveApps: 2,
    throughputApps: 4,
    throughputMbps: 400,
    nodeGbps: 1,
    nodeMillicores: 680,
    podsPerNode: 10,
  },
  generate({ seed, nodes, instances }) {
    const rnd = new Random(seed);
    const apps = Array.from({ length: 12 }, (_, k) => {
      const every = rnd.pick([300, 600, 900, 1800, 3600] as const);
      const startWithin = 30 * rnd.int(0, every / 30 / 4);
      if (k < 2)
        return contract(rnd, `exclusive-${k}`, {
          exclusive: true,
          every,
          startWithin,
          duration: 30 * rnd.int(2, Math.max(2, every / 30 / 6)),
          bandwidth: 5 * rnd.int(1, 20),
        });
      if (k < 6)
        return contract(rnd, `throughput-${k}`, {
          every,
          startWithin,
          duration: 30 * rnd.int(2, Math.max(2, every / 30 / 3)),
          bandwidth: 400,
          cpu: 50 * rnd.int(4, 10),
        });
      return contract(rnd, `probe-${k}`, { every, startWithin, cpu: 50 * rnd.int(2, 8) });
    });
    const list = pods(rnd, apps, instances);
    return {
      nodes: Array.from({ length: nodes }, (_, k) => node(`node-${k}`, 680, 2048, 1000)),
      apps: { horizon: 3600, instances: list },
    };
  },
};

/** Every family a workload can be generated from by name (`nmaas scheduler generate --family`). */
const ALL_FAMILIES = [...FAMILIES, HEAVY_FAMILY];

export const FAMILY_NAMES = ALL_FAMILIES.map((f) => f.name);

export function family(name: string): Family {
  const f = ALL_FAMILIES.find((x) => x.name === name);
  if (!f) throw new RangeError(`unknown workload family "${name}"; known: ${FAMILY_NAMES.join(', ')}`);
  return f;
}
