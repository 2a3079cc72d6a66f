/**
 * Seeded workloads: realistic mixes of the five example apps over pools of nodes, at full scale
 * (1-hour horizon, real periods) or shrunk (short horizon, few nodes) so an exact ILP can solve them.
 */
import type { InstanceSpec, NodeSpec } from '../engine/index.js';
import { Random } from './random.js';
import { NODE_POOL_LABEL } from '@nmaas/sdk/contract';

export const EXAMPLE_APPS = [
  'web-qos',
  'streaming-qos',
  'web-cartography',
  'streaming-cartography',
  'ip-spoofing-detection',
] as const;
export type ExampleApp = (typeof EXAMPLE_APPS)[number];

interface AppTemplate {
  every: number;
  duration: number;
  startWithin: number;
  run: { cpu: number; memory: number; bandwidth: number };
  idle: { cpu: number; memory: number };
  pools: string[];
  affinity: string[];
  antiAffinity: string[];
  exclusive: boolean;
  spread: boolean;
  weight: number;
}

/**
 * The five example apps' scheduling contracts, from examples/<app>/nmaas.yaml (schedule, resources, and
 * the placement rules written there: streaming-cartography refuses streaming-qos, spoofing spreads).
 * Two rules are deployment choices added here so that the mix exercises every rule of the model:
 * web-cartography asks to sit next to a web-qos (affinity: map the paths that the probes measure), and
 * ip-spoofing-detection runs exclusive (spoofed probes must not share the node's time with anything).
 */
export const APP_TEMPLATES: Record<ExampleApp, AppTemplate> = {
  'web-qos': {
    every: 300,
    duration: 30,
    startWithin: 120,
    run: { cpu: 100, memory: 96, bandwidth: 5 },
    idle: { cpu: 5, memory: 48 },
    pools: ['edge', 'core'],
    affinity: [],
    antiAffinity: [],
    exclusive: false,
    spread: false,
    weight: 0.34,
  },
  'streaming-qos': {
    every: 900,
    duration: 120,
    startWithin: 300,
    run: { cpu: 200, memory: 128, bandwidth: 25 },
    idle: { cpu: 5, memory: 48 },
    pools: ['edge'],
    affinity: [],
    antiAffinity: [],
    exclusive: false,
    spread: false,
    weight: 0.22,
  },
  'web-cartography': {
    every: 1800,
    duration: 60,
    startWithin: 600,
    run: { cpu: 200, memory: 128, bandwidth: 10 },
    idle: { cpu: 5, memory: 64 },
    pools: ['edge', 'core'],
    affinity: ['web-qos'],
    antiAffinity: [],
    exclusive: false,
    spread: false,
    weight: 0.18,
  },
  'streaming-cartography': {
    every: 1800,
    duration: 90,
    startWithin: 600,
    run: { cpu: 150, memory: 128, bandwidth: 20 },
    idle: { cpu: 5, memory: 64 },
    pools: ['edge'],
    affinity: [],
    antiAffinity: ['streaming-qos'],
    exclusive: false,
    spread: false,
    weight: 0.1,
  },
  'ip-spoofing-detection': {
    every: 3600,
    duration: 30,
    startWithin: 600,
    run: { cpu: 100, memory: 96, bandwidth: 1 },
    idle: { cpu: 5, memory: 64 },
    pools: ['edge', 'core'],
    affinity: [],
    antiAffinity: [],
    exclusive: true,
    spread: true,
    weight: 0.16,
  },
};

export const POOLS: Record<string, { share: number; capacity: { cpu: number; memory: number; bandwidth: number } }> = {
  edge: { share: 0.6, capacity: { cpu: 2000, memory: 4096, bandwidth: 1000 } },
  core: { share: 0.3, capacity: { cpu: 8000, memory: 16384, bandwidth: 10000 } },
  lab: { share: 0.1, capacity: { cpu: 1000, memory: 2048, bandwidth: 100 } },
};

export interface WorkloadOptions {
  seed: number;
  nodes: number;
  instances: number;
  /** 'full': H = 3600 and real periods; 'small': H = 120, periods ÷ 30, durations ÷ 20 (for the exact ILP). */
  scale?: 'full' | 'small';
  /** Multiplies node capacities (< 1 makes the cluster tighter); default 1, or 0.5 at small scale. */
  capacityFactor?: number;
  /** Share of instances that restrict their start to a narrow window (startWithin well below the period). */
  narrowStartShare?: number;
  /** Share of instances pinned to a node. */
  pinnedShare?: number;
  /** Narrow start windows open on a multiple of this many seconds (default 1); 30 keeps the exact ILP's blocks long. */
  releaseGrain?: number;
  /**
   * Sites sharing an uplink: consecutive nodes, this many per site, sit behind link `site-<k>` (0 or absent:
   * no links). The draws are unchanged, so a seed gives the same nodes and instances with or without sites.
   */
  siteSize?: number;
  /** Capacity of each site's uplink, Mbps (default 1000). */
  uplinkMbps?: number;
}

export interface Workload {
  nodes: NodeSpec[];
  apps: { horizon: number; instances: InstanceSpec[] };
}

function releaseAt(second: number, grain: number): number {
  return Math.floor(second / grain) * grain;
}

export function generateWorkload(options: WorkloadOptions): Workload {
  const rnd = new Random(options.seed);
  const small = options.scale === 'small';
  const horizon = small ? 120 : 3600;
  const factor = options.capacityFactor ?? (small ? 0.5 : 1);
  const nodes: NodeSpec[] = [];
  const poolNames = Object.keys(POOLS);
  for (let i = 0; i < options.nodes; i++) {
    // Deterministic pool shares, with every pool present as soon as there are enough nodes.
    const pool = small
      ? i % 3 === 2
        ? 'core'
        : 'edge'
      : rnd.weighted(poolNames.map((p) => [p, POOLS[p]!.share] as const));
    const c = POOLS[pool]!.capacity;
    const f = factor;
    nodes.push({
      name: `${pool}-${i}`,
      labels: { [NODE_POOL_LABEL]: pool, 'topology.kubernetes.io/zone': `zone-${i % 3}` },
      capacity: {
        cpu: Math.round(c.cpu * f),
        memory: Math.round(c.memory * f),
        bandwidth: Math.round(c.bandwidth * f),
      },
    });
  }
  const siteSize = options.siteSize ?? 0;
  if (siteSize > 0)
    nodes.forEach((n, i) => {
      n.links = [{ name: `site-${Math.floor(i / siteSize)}`, capacity: options.uplinkMbps ?? 1000 }];
    });
  const pools = new Set(nodes.map((n) => n.labels[NODE_POOL_LABEL]!));
  const instances: InstanceSpec[] = [];
  const counters = new Map<string, number>();
  const deployedPools = new Map<string, Set<string>>();
  const tenants = Math.max(1, Math.ceil(options.instances / 40));
  for (let i = 0; i < options.instances; i++) {
    let app = rnd.weighted(EXAMPLE_APPS.map((a) => [a, APP_TEMPLATES[a].weight] as const));
    // Arrival order as people deploy: an app that needs a neighbour (affinity) arrives after one exists.
    const needed = APP_TEMPLATES[app].affinity.find((a) => !deployedPools.has(a));
    if (needed !== undefined) app = needed as ExampleApp;
    const t = APP_TEMPLATES[app];
    const n = counters.get(app) ?? 0;
    counters.set(app, n + 1);
    const every = small ? t.every / 30 : t.every;
    const duration = small ? Math.max(1, Math.round(t.duration / 20)) : t.duration;
    const startWithin = small ? Math.round(t.startWithin / 30) : t.startWithin;
    // Users tune load a little (bigger target lists): a few discrete sizes, so shapes recur as in real catalogues.
    const size = rnd.weighted([
      [1, 0.6],
      [1.5, 0.25],
      [2, 0.15],
    ] as const);
    const narrow = rnd.next() < (options.narrowStartShare ?? 0.1);
    const allowedPools = t.pools.filter((p) => pools.has(p) && t.affinity.every((a) => deployedPools.get(a)?.has(p)));
    const pool = allowedPools.length > 0 ? rnd.pick(allowedPools) : null;
    const pinned =
      rnd.next() < (options.pinnedShare ?? 0)
        ? rnd.pick(nodes.filter((nd) => pool === null || nd.labels[NODE_POOL_LABEL] === pool))
        : undefined;
    if (pool !== null) {
      let set = deployedPools.get(app);
      if (!set) deployedPools.set(app, (set = new Set()));
      set.add(pool);
    }
    instances.push({
      id: `${app}-${n}`,
      app,
      every,
      duration,
      startWithin: narrow ? Math.max(0, Math.floor(every / 10)) : startWithin,
      release: narrow ? releaseAt(rnd.int(0, every - 1), options.releaseGrain ?? 1) : 0,
      run: {
        cpu: Math.round(t.run.cpu * size),
        memory: Math.round(t.run.memory * size),
        bandwidth: Math.round(t.run.bandwidth * size),
      },
      idle: { ...t.idle },
      nodeSelector: pool ? { [NODE_POOL_LABEL]: pool } : {},
      affinity: [...t.affinity],
      antiAffinity: [...t.antiAffinity],
      exclusive: t.exclusive,
      node: pinned ? pinned.name : null,
      spreadGroup: t.spread ? `${app}/tenant-${rnd.int(0, tenants - 1)}` : null,
    });
  }
  return { nodes, apps: { horizon, instances } };
}
