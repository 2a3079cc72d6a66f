/**
 * Seeded workloads: realistic mixes of the five example apps over pools of nodes, at full scale
 * (1-hour horizon, real periods) or shrunk (short horizon, few nodes) so an exact ILP can solve them.
 */
import type { InstanceSpec, NodeSpec } from '../engine/index.js';
import { Random } from './random.js';

export const EXAMPLE_APPS = ['web-qos', 'streaming-qos', 'web-cartography', 'streaming-cartography', 'ip-spoofing-detection'] as const;
export type ExampleApp = (typeof EXAMPLE_APPS)[number];

interface AppTemplate {
  every: number;
  duration: number;
  run: { cpu: number; memory: number; bandwidth: number };
  idle: { cpu: number; memory: number };
  pools: string[];
  affinity: string[];
  antiAffinity: string[];
  exclusive: boolean;
  spread: boolean;
  weight: number;
}

/** What the five example apps look like as scheduling contracts (full-scale seconds, millicores, MiB, Mbps). */
export const APP_TEMPLATES: Record<ExampleApp, AppTemplate> = {
  // HTTP probes of a target list: short, frequent, light.
  'web-qos': { every: 300, duration: 20, run: { cpu: 250, memory: 128, bandwidth: 20 }, idle: { cpu: 10, memory: 48 }, pools: ['edge', 'core'], affinity: [], antiAffinity: [], exclusive: false, spread: false, weight: 0.34 },
  // Video-streaming QoE: bandwidth-heavy, disturbs spoofing probes.
  'streaming-qos': { every: 600, duration: 60, run: { cpu: 500, memory: 256, bandwidth: 80 }, idle: { cpu: 10, memory: 64 }, pools: ['edge'], affinity: [], antiAffinity: ['ip-spoofing-detection'], exclusive: false, spread: false, weight: 0.22 },
  // Traceroutes to the web targets: runs next to web-qos to share its vantage point.
  'web-cartography': { every: 900, duration: 120, run: { cpu: 150, memory: 96, bandwidth: 5 }, idle: { cpu: 5, memory: 32 }, pools: ['edge', 'core'], affinity: ['web-qos'], antiAffinity: [], exclusive: false, spread: false, weight: 0.18 },
  // Traceroutes to CDN nodes: next to streaming-qos.
  'streaming-cartography': { every: 1200, duration: 180, run: { cpu: 150, memory: 96, bandwidth: 5 }, idle: { cpu: 5, memory: 32 }, pools: ['edge'], affinity: ['streaming-qos'], antiAffinity: [], exclusive: false, spread: false, weight: 0.1 },
  // Spoofed-source probes: must run alone (exclusive), one per node, away from streaming.
  'ip-spoofing-detection': { every: 3600, duration: 60, run: { cpu: 300, memory: 128, bandwidth: 40 }, idle: { cpu: 10, memory: 48 }, pools: ['edge', 'core'], affinity: [], antiAffinity: ['streaming-qos'], exclusive: true, spread: true, weight: 0.16 },
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
}

export interface Workload {
  nodes: NodeSpec[];
  apps: { horizon: number; instances: InstanceSpec[] };
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
    const pool = small ? (i % 3 === 2 ? 'core' : 'edge') : rnd.weighted(poolNames.map((p) => [p, POOLS[p]!.share] as const));
    const c = POOLS[pool]!.capacity;
    const f = factor;
    nodes.push({
      name: `${pool}-${i}`,
      labels: { 'nmaas.io/pool': pool, 'topology.kubernetes.io/zone': `zone-${i % 3}` },
      capacity: { cpu: Math.round(c.cpu * f), memory: Math.round(c.memory * f), bandwidth: Math.round(c.bandwidth * f) },
    });
  }
  const pools = new Set(nodes.map((n) => n.labels['nmaas.io/pool']!));
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
    // Users tune load a little (bigger target lists): a few discrete sizes, so shapes recur as in real catalogues.
    const size = rnd.weighted([[1, 0.6], [1.5, 0.25], [2, 0.15]] as const);
    const narrow = rnd.next() < (options.narrowStartShare ?? 0.1);
    const allowedPools = t.pools.filter((p) => pools.has(p) && t.affinity.every((a) => deployedPools.get(a)?.has(p)));
    const pool = allowedPools.length > 0 ? rnd.pick(allowedPools) : null;
    const pinned = rnd.next() < (options.pinnedShare ?? 0) ? rnd.pick(nodes.filter((nd) => pool === null || nd.labels['nmaas.io/pool'] === pool)) : undefined;
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
      startWithin: narrow ? Math.max(0, Math.floor(every / 10)) : every,
      release: narrow ? rnd.int(0, every - 1) : 0,
      run: { cpu: Math.round(t.run.cpu * size), memory: Math.round(t.run.memory * size), bandwidth: Math.round(t.run.bandwidth * size) },
      idle: { ...t.idle },
      nodeSelector: pool ? { 'nmaas.io/pool': pool } : {},
      affinity: [...t.affinity],
      antiAffinity: [...t.antiAffinity],
      exclusive: t.exclusive,
      node: pinned ? pinned.name : null,
      spreadGroup: t.spread ? `${app}/tenant-${rnd.int(0, tenants - 1)}` : null,
    });
  }
  return { nodes, apps: { horizon, instances } };
}
