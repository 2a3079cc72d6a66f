/**
 * The engine's vocabulary: what it is asked, what it answers and how it describes its state.
 * Its own module so that the engine and the modules it calls (reasons, rules) share these types
 * without importing each other.
 */
import type { ResourceAmounts } from '@nmaas/sdk/model';
import type { InstanceSpec } from './instance.js';

export type StrategyName = 'nmaas' | 'ffd' | 'kube';

export interface Placement {
  node: string;
  phase: number;
}

export interface Migration {
  id: string;
  from: Placement;
  to: Placement;
}

export type RejectCode = 'invalid' | 'no-node' | 'affinity' | 'anti-affinity' | 'spread' | 'capacity';

export type PlaceResult =
  | { ok: true; id: string; node: string; phase: number; migrations: Migration[] }
  | { ok: false; id: string; reason: string; code: RejectCode };

export interface Booking extends Placement {
  id: string;
  app: string;
  instance: InstanceSpec;
}

export interface NodeSnapshot {
  name: string;
  pool: string | null;
  labels: Record<string, string>;
  capacity: ResourceAmounts;
  instances: number;
  apps: string[];
  peak: ResourceAmounts;
  average: ResourceAmounts;
  busyFraction: number;
  bookings: { id: string; app: string; phase: number; every: number; duration: number; exclusive: boolean }[];
}

export interface EngineSnapshot {
  horizon: number;
  strategy: StrategyName;
  nodes: NodeSnapshot[];
  instances: number;
}

export interface EngineOptions {
  horizon?: number;
  strategy?: StrategyName;
  /** nmaas: how many feasible nodes the score stage compares (default 8; like kube's percentageOfNodesToScore). */
  sample?: number;
}
